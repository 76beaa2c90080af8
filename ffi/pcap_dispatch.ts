/**
 * `pcap_dispatch` with a JavaScript callback that runs inline on the main thread: the frame header decoded,
 * the bytes copied into a scratch buffer, a throwing handler turned into `pcap_breakloop` and rethrown.
 *
 * @module
 */
import type { Libpcap } from "./_pcap_symbols.ts";

const PCAP_ERROR_BREAK = -2;

/** Called for each captured frame by `PcapHandle.dispatch`. */
export type FrameHandler = (tsMs: number, caplen: number, len: number, bytes: Uint8Array) => void;

type Callback = Deno.UnsafeCallback<{ parameters: ["pointer", "pointer", "pointer"]; result: "void" }>;

/** The dispatching state of one handle: its callback, the handler of the run under way, a pending break. */
export class FrameDispatcher {
  readonly #lib: Libpcap;
  #callback: Callback | null = null;
  #onFrame: FrameHandler | null = null;
  #thrown: { error: unknown } | null = null;
  #breakPending = false;
  /** The handle of the run under way. */
  #handle: Deno.PointerObject | null = null;
  #scratch = new Uint8Array(2048);

  /**
   * A dispatcher for handles of `lib`.
   *
   * @param lib libpcap.
   */
  constructor(lib: Libpcap) {
    this.#lib = lib;
  }

  /** Whether a run is under way (a frame handler may be on the stack). */
  get running(): boolean {
    return this.#handle !== null;
  }

  /**
   * One `pcap_dispatch` of up to `max` frames, each handed to `onFrame` before this returns.
   *
   * @param handle The handle.
   * @param max Maximum frames (-1 or 0: all available).
   * @param onFrame The frame handler.
   * @returns `pcap_dispatch`'s result (a count, or a negative `PCAP_ERROR*`).
   * @throws The error of `onFrame`, once the dispatch has stopped.
   */
  run(handle: Deno.PointerObject, max: number, onFrame: FrameHandler): number {
    this.#handle = handle;
    this.#onFrame = onFrame;
    this.#thrown = null;
    const callback = this.#callback ??= new Deno.UnsafeCallback(
      { parameters: ["pointer", "pointer", "pointer"], result: "void" } as const,
      (_user, header, data) => this.#deliver(header, data),
    );
    let rc: number;
    try {
      rc = this.#lib.pcap_dispatch(handle, max, callback.pointer, null);
      if (rc === PCAP_ERROR_BREAK && this.#breakPending) {
        // A pcap_breakloop from an earlier throwing handler was still set: it is consumed now, read again.
        this.#breakPending = false;
        rc = this.#lib.pcap_dispatch(handle, max, callback.pointer, null);
      }
    } finally {
      this.#onFrame = null;
      this.#handle = null;
    }
    const thrown = this.#thrown as { error: unknown } | null;
    if (thrown !== null) {
      this.#thrown = null;
      // libpcap clears the break flag only when it returns PCAP_ERROR_BREAK (offline reads may return the
      // count instead); remember that the next call will see it.
      this.#breakPending = rc !== PCAP_ERROR_BREAK;
      throw thrown.error;
    }
    return rc;
  }

  /** Stops the run under way (`pcap_breakloop`): no further frame is delivered to its handler. */
  stop(): void {
    if (this.#handle !== null) this.#lib.pcap_breakloop(this.#handle);
    this.#onFrame = null;
  }

  /** Frees the callback (not during a run); a later run makes a new one. */
  close(): void {
    this.#callback?.close();
    this.#callback = null;
  }

  #deliver(header: Deno.PointerValue, data: Deno.PointerValue): void {
    const onFrame = this.#onFrame;
    if (onFrame === null || header === null || data === null || this.#thrown !== null) return;
    try {
      // struct pcap_pkthdr on x86_64/aarch64 Linux: struct timeval (2 × 64-bit), u32 caplen, u32 len.
      const view = new Deno.UnsafePointerView(header);
      const sec = Number(view.getBigInt64(0));
      const usec = Number(view.getBigInt64(8));
      const caplen = view.getUint32(16);
      const len = view.getUint32(20);
      if (this.#scratch.length < caplen) {
        this.#scratch = new Uint8Array(Math.max(caplen, this.#scratch.length * 2));
      }
      const bytes = this.#scratch.subarray(0, caplen);
      Deno.UnsafePointerView.copyInto(data, bytes);
      onFrame(sec * 1000 + usec / 1000, caplen, len, bytes);
    } catch (error) {
      this.#thrown = { error };
      if (this.#handle !== null) this.#lib.pcap_breakloop(this.#handle);
    }
  }
}
