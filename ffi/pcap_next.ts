/**
 * `pcap_next_ex` in a loop: one fast FFI call per frame and no callback from C into JavaScript (a
 * `pcap_dispatch` callback costs a trampoline and a pointer view per frame). The two out-pointers land in a
 * preallocated buffer and are compared, as two 32-bit words, with the last ones: libpcap reuses one header
 * and (for a file) one packet buffer, so the views over them are made once, not per frame, and the frame is
 * handed over as a view of libpcap's own memory. A frame at a new address (a live capture's ring) is copied
 * into a scratch buffer, through a pointer offset from the first one seen (no BigInt per frame). Either way
 * the bytes are valid until the next read.
 *
 * @module
 */
import type { Libpcap } from "./_pcap_symbols.ts";
import type { FrameHandler } from "./pcap_dispatch.ts";

/** `pcap_next_ex`: no packet before the timeout (live captures). */
const NEXT_TIMEOUT = 0;
/** `pcap_next_ex`: the end of a capture file. */
const NEXT_EOF = -2;

/** The reading state of one handle: the out-pointer buffer and the views over libpcap's buffers. */
export class FrameReader {
  readonly #lib: Libpcap;
  readonly #out = new Uint8Array(16);
  readonly #words = new Uint32Array(this.#out.buffer);
  readonly #headerOut = this.#out.subarray(0, 8);
  readonly #dataOut = this.#out.subarray(8, 16);
  #headerLo = 0;
  #headerHi = 0;
  /** struct pcap_pkthdr as 32-bit words: tv_sec (2), tv_usec (2), caplen, len (x86_64/aarch64 Linux). */
  #header = new Uint32Array(0);
  #dataLo = 0;
  #dataHi = 0;
  /** A view of the memory at the last data address (made when a frame comes from the same address again). */
  #data = new Uint8Array(0);
  #dataViewed = false;
  /** The first data address seen, as a pointer and as two words: others are offsets from it. */
  #base: Deno.PointerObject | null = null;
  #baseLo = 0;
  #baseHi = 0;
  #scratch = new Uint8Array(2048);
  /** The last frame's view, reused while frames keep that length. */
  #frame = new Uint8Array(0);
  #running = false;
  #stopped = false;

  /** @param lib libpcap. */
  constructor(lib: Libpcap) {
    this.#lib = lib;
  }

  /** Whether a read is under way (a frame handler may be on the stack). */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Reads up to `max` frames with `pcap_next_ex`, each handed to `onFrame` before the next is read.
   *
   * @param handle The handle.
   * @param max Frames to read at most (-1 or 0: until none is ready or the file ends).
   * @param onFrame The frame handler; an error it throws ends the read and is rethrown.
   * @returns The frames read (fewer than `max` at the end of a file or a live timeout), or
   *   `pcap_next_ex`'s negative error (`PCAP_ERROR`) when none was read before it.
   */
  run(handle: Deno.PointerObject, max: number, onFrame: FrameHandler): number {
    this.#running = true;
    this.#stopped = false;
    const words = this.#words;
    const limit = max > 0 ? max : Infinity;
    let n = 0;
    try {
      while (n < limit && !this.#stopped) {
        const rc = this.#lib.pcap_next_ex(handle, this.#headerOut, this.#dataOut);
        if (rc !== 1) {
          if (rc === NEXT_TIMEOUT || rc === NEXT_EOF || n > 0) break;
          return rc;
        }
        if (words[0] !== this.#headerLo || words[1] !== this.#headerHi) {
          this.#viewHeader(words[0]!, words[1]!);
        }
        const header = this.#header;
        const caplen = header[4]!;
        let frame: Uint8Array;
        if (words[2] !== this.#dataLo || words[3] !== this.#dataHi) {
          frame = this.#copy(words[2]!, words[3]!, caplen);
        } else {
          if (!this.#dataViewed || caplen > this.#data.length) this.#viewData(caplen);
          frame = this.#frame;
          if (frame.length !== caplen || frame.buffer !== this.#data.buffer) {
            frame = this.#frame = this.#data.subarray(0, caplen);
          }
        }
        const sec = header[0]! + header[1]! * 2 ** 32;
        const usec = header[2]! + header[3]! * 2 ** 32;
        n++;
        onFrame(sec * 1000 + usec / 1000, caplen, header[5]!, frame);
      }
    } finally {
      this.#running = false;
    }
    return n;
  }

  /** Stops the read under way after the current frame. */
  stop(): void {
    this.#stopped = true;
  }

  /** Forgets the views (call before the handle is closed: they point into its memory). */
  reset(): void {
    this.#headerLo =
      this.#headerHi =
      this.#dataLo =
      this.#dataHi =
        0;
    this.#header = new Uint32Array(0);
    this.#data = this.#frame = new Uint8Array(0);
    this.#dataViewed = false;
    this.#base = null;
  }

  #viewHeader(lo: number, hi: number): void {
    const pointer = Deno.UnsafePointer.create((BigInt(hi) << 32n) | BigInt(lo))!;
    this.#header = new Uint32Array(Deno.UnsafePointerView.getArrayBuffer(pointer, 24));
    this.#headerLo = lo;
    this.#headerHi = hi;
  }

  /** The pointer to the data address (lo, hi), offset from the first one seen. */
  #pointer(lo: number, hi: number): Deno.PointerObject | null {
    if (this.#base === null) {
      this.#base = Deno.UnsafePointer.create((BigInt(hi) << 32n) | BigInt(lo));
      this.#baseLo = lo;
      this.#baseHi = hi;
      return this.#base;
    }
    return Deno.UnsafePointer.offset(this.#base, (hi - this.#baseHi) * 2 ** 32 + (lo - this.#baseLo));
  }

  /** Copies a frame at a new data address into the scratch buffer. */
  #copy(lo: number, hi: number, caplen: number): Uint8Array {
    this.#dataLo = lo;
    this.#dataHi = hi;
    this.#dataViewed = false;
    if (this.#scratch.length < caplen) {
      this.#scratch = new Uint8Array(Math.max(caplen, this.#scratch.length * 2));
    }
    let frame = this.#frame;
    if (frame.length !== caplen || frame.buffer !== this.#scratch.buffer) {
      frame = this.#frame = this.#scratch.subarray(0, caplen);
    }
    const pointer = this.#pointer(lo, hi);
    if (pointer !== null && caplen > 0) Deno.UnsafePointerView.copyInto(pointer, frame);
    return frame;
  }

  /** A view of `caplen` bytes at the last data address (the frame just read lies there). */
  #viewData(caplen: number): void {
    const pointer = this.#pointer(this.#dataLo, this.#dataHi);
    this.#data = pointer === null || caplen === 0
      ? new Uint8Array(0)
      : new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, caplen));
    this.#dataViewed = true;
  }
}
