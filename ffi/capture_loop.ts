/**
 * The live capture loop: await `poll` on the selectable descriptor, then drain with synchronous
 * `pcap_dispatch` calls (technique 2 in docs/serve.md: every libpcap call stays on the main thread).
 * With a working wake source (a `PacketWake` on the same interface) the loop waits on it instead of the
 * `poll`: one wake-up of the main thread per burst instead of two (the pool thread's, then the main thread's).
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
   * Most frames per drain call (default 1024). `-1` reads until no frame is ready, which under a flood may
   * not happen for a long time: the frames are then handled without a break.
   */
  readonly batch?: number;
  /**
   * What the loop waits on instead of the `poll` while it works (a `PacketWake`, which wakes the main
   * thread directly and sees each packet after the ring has it). Once it is closed, the `poll` again.
   */
  readonly wake?: WakeSource | undefined;
}

/** What {@linkcode CaptureLoopOptions.wake} needs. */
export interface WakeSource {
  /** Resolves `true` when frames may be waiting, `false` after `timeoutMs` or once closed; never rejects. */
  wait(timeoutMs: number): Promise<boolean>;
  /** Whether it stopped working for good. */
  readonly closed: boolean;
}

/**
 * Captures until `signal` aborts. Puts the handle in non-blocking mode, waits for its descriptor to become
 * readable (or for the wake source), then calls {@linkcode PcapHandle.dispatch} until it returns 0.
 * `onFrame` gets the same arguments, with the same lifetime rule for `bytes`, as in `dispatch`. (Files are
 * read with {@linkcode PcapHandle.next}, cheaper per frame; live, `dispatch` gave the lower knock-to-command
 * tail in paired runs: bench/latency.ts, sixth pass.)
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
  const wake = options.wake;
  // The last wait ended with a wake-up (not a timeout).
  let woken = false;
  while (!signal.aborted && !handle.closed) {
    // Drain first: frames may already be buffered before the descriptor is polled. On the mmap ring,
    // pcap_dispatch(-1) returns only once no frame is ready, which a flood can postpone indefinitely; so
    // bounded batches, and a yield now and then for timers (timeouts, stop commands) and signal handlers
    // (measured with this loop, the decoder and the engine under a flood: event-loop gaps of seconds with
    // dispatch(-1), a fraction of a second with batches of 1024; bench/flood.ts has the numbers).
    let drainStart = performance.now();
    let found = 0;
    let n: number;
    while (!signal.aborted && !handle.closed && (n = handle.dispatch(batch, onFrame)) > 0) {
      found += n;
      if (performance.now() - drainStart >= maxDrainMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        drainStart = performance.now();
      }
    }
    if (signal.aborted || handle.closed) break;
    if (wake === undefined || wake.closed) {
      await waitReadable(fd, pollTimeoutMs);
      continue;
    }
    if (woken && found === 0) {
      // Usually a wake-up for frames an earlier drain took. But should the device's hooks have been
      // reordered (the interface went down and up), the wake socket sees a packet just before the ring has
      // it: look again a moment later rather than at the next packet or timeout.
      woken = false;
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    woken = await wake.wait(pollTimeoutMs);
  }
}
