/**
 * The live capture loop: await `poll` on the selectable descriptor, then drain with synchronous
 * `pcap_dispatch` calls (technique 2 in docs/deno-stack.md: every libpcap call stays on the main thread).
 *
 * @module
 */
import { waitReadable } from "./libc.ts";
import type { FrameHandler, PcapHandle } from "./pcap.ts";

/** Options for {@linkcode captureLoop}. */
export interface CaptureLoopOptions {
  /** How long one `poll` may wait; bounds how late an abort is noticed. Default 200 ms. */
  readonly pollTimeoutMs?: number;
  /**
   * Longest continuous drain before the loop yields to the event loop (one `setTimeout(0)`), so timers,
   * signals and child processes are served during a sustained flood. Default 20 ms.
   */
  readonly maxDrainMs?: number;
  /**
   * Most frames per `pcap_dispatch` call (default 1024). `-1` means a whole ring's worth, which with a
   * large buffer under a flood is tens of thousands of frames handled without a break.
   */
  readonly batch?: number;
}

/**
 * Captures until `signal` aborts. Puts the handle in non-blocking mode, waits for its descriptor to become
 * readable, then calls {@linkcode PcapHandle.dispatch} until it returns 0. `onFrame` gets the same
 * arguments, with the same lifetime rule for `bytes`, as in `dispatch`.
 *
 * Resolves once the abort is noticed (within about `pollTimeoutMs`), or after `onFrame` closed the handle;
 * otherwise close the handle only after the loop has resolved.
 * Rejects with the error of `onFrame` or a `PcapError` from libpcap.
 *
 * @param handle An activated live handle.
 * @param onFrame Frame handler, called synchronously.
 * @param signal Stops the loop.
 * @param options Loop options.
 * @returns A promise that settles when the loop ends.
 */
export async function captureLoop(
  handle: PcapHandle,
  onFrame: FrameHandler,
  signal: AbortSignal,
  options: CaptureLoopOptions = {},
): Promise<void> {
  const pollTimeoutMs = options.pollTimeoutMs ?? 200;
  const maxDrainMs = options.maxDrainMs ?? 20;
  const batch = options.batch ?? 1024;
  handle.setNonblock(true);
  const fd = handle.selectableFd();
  while (!signal.aborted && !handle.closed) {
    // Drain first: frames may already be buffered before the descriptor is polled. On the mmap ring,
    // pcap_dispatch(-1) returns only once no frame is ready, which a flood can postpone indefinitely; so
    // bounded batches, and a yield now and then for timers (timeouts, stop commands) and signal handlers
    // (measured with this loop, the decoder and the engine under a flood: event-loop gaps of 0.7-3.2 s with
    // dispatch(-1), 0.07-0.16 s with batches of 1024).
    let drainStart = performance.now();
    while (!signal.aborted && !handle.closed && handle.dispatch(batch, onFrame) > 0) {
      if (performance.now() - drainStart >= maxDrainMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        drainStart = performance.now();
      }
    }
    if (signal.aborted || handle.closed) break;
    await waitReadable(fd, pollTimeoutMs);
  }
}
