/**
 * libpcap through `Deno.dlopen`: live, offline and dead handles, BPF filters, and a synchronous
 * `pcap_dispatch` whose callback runs inline on the main thread.
 *
 * Every libpcap call here is synchronous and made from the isolate thread; only `poll` (in `libc.ts`) runs on
 * a worker thread. A handle must not be used after {@linkcode PcapHandle.close}.
 *
 * @module
 */
import { type Libpcap, loadLibpcap } from "./_pcap_symbols.ts";
import { cString } from "./_cstring.ts";
import { geterr, PCAP_ERRBUF_SIZE, readErrbuf } from "./_pcap_text.ts";
import { FrameDispatcher, type FrameHandler } from "./pcap_dispatch.ts";
import { FrameReader } from "./pcap_next.ts";
import { PcapError } from "./pcap_error.ts";
import { type CompileCheckResult, compileFilter, programInstructions } from "./pcap_filter.ts";
import { activateLive, type LiveOptions } from "./pcap_live.ts";

export { PcapError, type PcapErrorKind } from "./pcap_error.ts";
export type { FrameHandler } from "./pcap_dispatch.ts";
export type { CompileCheckResult } from "./pcap_filter.ts";
export type { LiveOptions } from "./pcap_live.ts";

const PCAP_ERROR_BREAK = -2;
/** `struct pcap_stat` on Linux is three u_int; room for more. */
const PCAP_STAT_SIZE = 32;

/** Counters from `pcap_stats`. */
export interface PcapStats {
  /** Packets received by the filter. */
  readonly received: number;
  /** Packets dropped for lack of buffer space. */
  readonly dropped: number;
  /** Packets dropped by the interface or driver. */
  readonly ifDropped: number;
}

/**
 * An open libpcap handle (`pcap_t *`).
 *
 * @example Read a pcap file
 * ```ts ignore
 * using pcap = PcapHandle.openOffline("knocks.pcap");
 * pcap.setFilter("tcp dst port 7000");
 * while (pcap.dispatch(-1, (tsMs, caplen, len, bytes) => console.log(tsMs, caplen)) > 0) {}
 * ```
 */
export class PcapHandle {
  readonly #lib: Libpcap;
  #handle: Deno.PointerObject | null;
  readonly #dispatcher: FrameDispatcher;
  readonly #reader: FrameReader;
  #closeRequested = false;
  /** The activation warning (`pcap_activate` > 0), for live handles. */
  readonly warning: string | undefined;

  private constructor(lib: Libpcap, handle: Deno.PointerObject, warning?: string) {
    this.#lib = lib;
    this.#handle = handle;
    this.#dispatcher = new FrameDispatcher(lib);
    this.#reader = new FrameReader(lib);
    this.warning = warning;
  }

  /**
   * Opens a live capture with `pcap_create` … `pcap_activate`.
   *
   * @param device Interface name (`eth0`, `lo`, `any`).
   * @param options Capture options.
   * @returns The activated handle.
   * @throws {PcapError} `no-such-device`, `permission-denied`, `interface-not-up`, `activate-failed`,
   *   `open-failed` or `not-installed`.
   */
  static openLive(device: string, options: LiveOptions = {}): PcapHandle {
    const lib = loadLibpcap();
    const { handle, warning } = activateLive(lib, device, options);
    return new PcapHandle(lib, handle, warning);
  }

  /**
   * Opens a pcap or pcapng file with `pcap_open_offline`.
   *
   * @param path File path.
   * @returns The handle; {@linkcode dispatch} returns 0 at the end of the file.
   * @throws {PcapError} `open-failed` with libpcap's reason (missing file, bad magic, ...), or `not-installed`.
   */
  static openOffline(path: string): PcapHandle {
    const lib = loadLibpcap();
    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    const handle = lib.pcap_open_offline(cString(path), errbuf);
    if (handle === null) {
      const detail = readErrbuf(errbuf);
      throw new PcapError("open-failed", `Cannot open capture file "${path}": ${detail}`, detail);
    }
    return new PcapHandle(lib, handle);
  }

  /**
   * Opens a dead handle (`pcap_open_dead`), good for compiling filters without privileges.
   *
   * @param linktype Link type, e.g. 1 for Ethernet.
   * @param snaplen Snapshot length.
   * @returns The handle.
   * @throws {PcapError} `open-failed` or `not-installed`.
   */
  static openDead(linktype: number, snaplen = 65535): PcapHandle {
    const lib = loadLibpcap();
    const handle = lib.pcap_open_dead(linktype, snaplen);
    if (handle === null) {
      throw new PcapError("open-failed", `Cannot open a dead handle for link type ${linktype}`);
    }
    return new PcapHandle(lib, handle);
  }

  /** The libpcap version string (`pcap_lib_version`). */
  static libVersion(): string {
    const lib = loadLibpcap();
    const ptr = lib.pcap_lib_version();
    return ptr === null ? "" : Deno.UnsafePointerView.getCString(ptr);
  }

  #live(): Deno.PointerObject {
    if (this.#handle === null || this.#closeRequested) {
      throw new PcapError("closed", "The capture handle is closed");
    }
    return this.#handle;
  }

  /** The link-layer type (`pcap_datalink`), e.g. 1 for Ethernet, 113 for Linux cooked. */
  datalink(): number {
    return this.#lib.pcap_datalink(this.#live());
  }

  /** The snapshot length (`pcap_snapshot`). */
  snapshot(): number {
    return this.#lib.pcap_snapshot(this.#live());
  }

  #compile(expr: string): Uint8Array<ArrayBuffer> | string {
    return compileFilter(this.#lib, this.#live(), expr);
  }

  /**
   * Compiles a BPF filter without installing it.
   *
   * @param expr A tcpdump filter expression.
   * @returns `{ ok: true }` or `{ ok: false, message }` with libpcap's message.
   */
  compileCheck(expr: string): CompileCheckResult {
    const program = this.#compile(expr);
    if (typeof program === "string") return { ok: false, message: program };
    this.#lib.pcap_freecode(program);
    return { ok: true };
  }

  /**
   * Compiles a BPF filter as {@linkcode PcapHandle.setFilter} would (for this handle's link type and
   * capture options) and returns its instructions without installing them: 8 bytes each, libpcap's
   * `struct bpf_insn`, which is Linux's `struct sock_filter`.
   *
   * @param expr A tcpdump filter expression.
   * @returns A copy of the program's instructions.
   * @throws {PcapError} `filter` with libpcap's message.
   */
  compileProgram(expr: string): Uint8Array<ArrayBuffer> {
    const program = this.#compile(expr);
    if (typeof program === "string") {
      throw new PcapError("filter", `Cannot compile filter "${expr}": ${program}`, program);
    }
    try {
      return programInstructions(program);
    } finally {
      this.#lib.pcap_freecode(program);
    }
  }

  /**
   * Compiles (optimize 1, netmask unknown) and installs a BPF filter.
   *
   * @param expr A tcpdump filter expression.
   * @throws {PcapError} `filter` with libpcap's message.
   */
  setFilter(expr: string): void {
    const program = this.#compile(expr);
    if (typeof program === "string") {
      throw new PcapError("filter", `Cannot compile filter "${expr}": ${program}`, program);
    }
    try {
      if (this.#lib.pcap_setfilter(this.#live(), program) !== 0) {
        const detail = geterr(this.#lib, this.#live());
        throw new PcapError("filter", `Cannot install filter "${expr}": ${detail}`, detail);
      }
    } finally {
      this.#lib.pcap_freecode(program);
    }
  }

  /**
   * Switches non-blocking mode (`pcap_setnonblock`).
   *
   * @param on `true` for non-blocking.
   * @throws {PcapError} `nonblock`.
   */
  setNonblock(on: boolean): void {
    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    if (this.#lib.pcap_setnonblock(this.#live(), on ? 1 : 0, errbuf) < 0) {
      const detail = readErrbuf(errbuf);
      throw new PcapError("nonblock", `Cannot set non-blocking mode: ${detail}`, detail);
    }
  }

  /**
   * The file descriptor to `poll` for readability (`pcap_get_selectable_fd`).
   *
   * @returns The descriptor.
   * @throws {PcapError} `no-selectable-fd` when the handle has none.
   */
  selectableFd(): number {
    const fd = this.#lib.pcap_get_selectable_fd(this.#live());
    if (fd < 0) {
      throw new PcapError("no-selectable-fd", "The capture handle has no selectable file descriptor");
    }
    return fd;
  }

  /**
   * Processes up to `max` packets (`pcap_dispatch`; -1 = one buffer's worth) and calls `onFrame` for each,
   * synchronously, on this thread, before returning.
   *
   * `bytes` is a view into a scratch buffer owned by the handle: it holds the `caplen` captured bytes and is
   * valid only during that call of `onFrame` (it is overwritten by the next frame). Copy it (`bytes.slice()`)
   * to keep it. `tsMs` is the capture time in milliseconds since the epoch (with the microseconds as a
   * fraction), `len` the length on the wire.
   *
   * If `onFrame` throws, the dispatch is stopped (`pcap_breakloop`) and the error is rethrown from here.
   *
   * @param max Maximum packets to process; -1 (or 0) for all that are available.
   * @param onFrame Frame handler.
   * @returns The number of packets processed: 0 at the end of a file, on a timeout or, in non-blocking mode,
   *   when none is pending.
   * @throws {PcapError} `dispatch` on a libpcap error.
   */
  dispatch(max: number, onFrame: FrameHandler): number {
    const handle = this.#live();
    if (this.#dispatcher.running) {
      throw new PcapError("dispatch", "Cannot call dispatch() from inside a frame handler");
    }
    let rc: number;
    try {
      rc = this.#dispatcher.run(handle, max, onFrame);
    } finally {
      if (this.#closeRequested) this.close();
    }
    if (rc === PCAP_ERROR_BREAK || this.#handle === null) return Math.max(rc, 0);
    if (rc < 0) {
      const detail = geterr(this.#lib, handle);
      throw new PcapError("dispatch", `Capture failed: ${detail}`, detail);
    }
    return rc;
  }

  /**
   * Reads up to `max` packets one `pcap_next_ex` at a time and calls `onFrame` for each, with the same
   * arguments and the same lifetime of `bytes` as {@linkcode dispatch} (here a view of libpcap's own buffer).
   * No callback runs from C, so it costs less per frame than `dispatch`: the way to read a file.
   *
   * @param max Maximum packets to read; -1 (or 0) for all that are ready (to the end of a file).
   * @param onFrame Frame handler; an error it throws stops the read and is rethrown.
   * @returns The number of packets read: 0 at the end of a file (or a live timeout).
   * @throws {PcapError} `dispatch` on a libpcap error.
   */
  next(max: number, onFrame: FrameHandler): number {
    const handle = this.#live();
    if (this.#dispatcher.running || this.#reader.running) {
      throw new PcapError("dispatch", "Cannot read from inside a frame handler");
    }
    let rc: number;
    try {
      rc = this.#reader.run(handle, max, onFrame);
    } finally {
      if (this.#closeRequested) this.close();
    }
    if (rc < 0) {
      const detail = geterr(this.#lib, handle);
      throw new PcapError("dispatch", `Capture failed: ${detail}`, detail);
    }
    return rc;
  }

  /**
   * Reads the capture counters (`pcap_stats`). Not available for offline handles.
   *
   * @returns The counters.
   * @throws {PcapError} `stats`.
   */
  stats(): PcapStats {
    const buf = new Uint8Array(PCAP_STAT_SIZE);
    if (this.#lib.pcap_stats(this.#live(), buf) !== 0) {
      const detail = geterr(this.#lib, this.#live());
      throw new PcapError("stats", `Cannot read capture statistics: ${detail}`, detail);
    }
    const view = new DataView(buf.buffer);
    return {
      received: view.getUint32(0, true),
      dropped: view.getUint32(4, true),
      ifDropped: view.getUint32(8, true),
    };
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#handle === null || this.#closeRequested;
  }

  /**
   * Closes the handle and its callback; later calls are no-ops. Called from inside a frame handler, it stops
   * the dispatch (no further frames are delivered) and closes once `dispatch` returns.
   */
  close(): void {
    if (this.#dispatcher.running || this.#reader.running) {
      if (!this.#closeRequested) {
        this.#dispatcher.stop();
        this.#reader.stop();
      }
      this.#closeRequested = true;
      return;
    }
    this.#closeRequested = false;
    this.#reader.reset();
    if (this.#handle !== null) {
      this.#lib.pcap_close(this.#handle);
      this.#handle = null;
    }
    this.#dispatcher.close();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Compiles a filter against a dead handle: needs no privileges and no interface.
 *
 * @example
 * ```ts ignore
 * compileCheck("tcp dst port 70000"); // { ok: false, message: "illegal port number 70000 > 65535" }
 * ```
 *
 * @param expr A tcpdump filter expression.
 * @param linktype Link type to compile for; default 1 (Ethernet).
 * @returns `{ ok: true }` or `{ ok: false, message }` with libpcap's message.
 * @throws {PcapError} `not-installed`.
 */
export function compileCheck(expr: string, linktype = 1): CompileCheckResult {
  using dead = PcapHandle.openDead(linktype, 65535);
  return dead.compileCheck(expr);
}
