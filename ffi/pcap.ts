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
import { PcapError } from "./pcap_error.ts";

export { PcapError, type PcapErrorKind } from "./pcap_error.ts";

const PCAP_ERRBUF_SIZE = 256;
const PCAP_NETMASK_UNKNOWN = 0xffffffff;
const PCAP_ERROR_BREAK = -2;
const PCAP_WARNING = 1;
const PCAP_ERROR_NO_SUCH_DEVICE = -5;
const PCAP_ERROR_PERM_DENIED = -8;
const PCAP_ERROR_IFACE_NOT_UP = -9;
const PCAP_ERROR_PROMISC_PERM_DENIED = -11;
const PCAP_WARNING_PROMISC_NOTSUP = 2;
/** `struct bpf_program` on LP64: u32 bf_len, 4 bytes padding, pointer. */
const BPF_PROGRAM_SIZE = 16;
/** `struct pcap_stat` on Linux is three u_int; room for more. */
const PCAP_STAT_SIZE = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${text}\0`);
}

function readErrbuf(errbuf: Uint8Array): string {
  const end = errbuf.indexOf(0);
  return decoder.decode(errbuf.subarray(0, end < 0 ? errbuf.length : end));
}

/** Called for each captured frame by {@linkcode PcapHandle.dispatch}. */
export type FrameHandler = (tsMs: number, caplen: number, len: number, bytes: Uint8Array) => void;

/** Options for {@linkcode PcapHandle.openLive}. */
export interface LiveOptions {
  /**
   * Bytes captured per packet; default 65535. Keep it small when only headers matter: in immediate mode
   * Linux libpcap uses TPACKET_V2, whose ring slots are snaplen-sized, so 65535 with the default 2 MiB
   * buffer leaves room for about 31 packets (a burst of 300 datagrams lost most of them at 65535, some with
   * a 16 MiB buffer, none at 512: docs/performance.md, "Measured once").
   */
  readonly snaplen?: number;
  /** Kernel buffer size in bytes; libpcap's default (2 MiB) when unset. */
  readonly bufferSize?: number;
  /** Promiscuous mode; default `false` (like knockd). */
  readonly promisc?: boolean;
  /** Deliver packets as soon as they arrive; default `true`. */
  readonly immediate?: boolean;
  /** Read timeout in milliseconds; default 100 (needed on Linux even in non-blocking mode). */
  readonly timeoutMs?: number;
}

/** Counters from `pcap_stats`. */
export interface PcapStats {
  /** Packets received by the filter. */
  readonly received: number;
  /** Packets dropped for lack of buffer space. */
  readonly dropped: number;
  /** Packets dropped by the interface or driver. */
  readonly ifDropped: number;
}

/** Result of a filter compile check. */
export type CompileCheckResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

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
  #callback: Deno.UnsafeCallback<{ parameters: ["pointer", "pointer", "pointer"]; result: "void" }> | null =
    null;
  #onFrame: FrameHandler | null = null;
  #thrown: { error: unknown } | null = null;
  #breakPending = false;
  #dispatching = false;
  #closeRequested = false;
  #scratch = new Uint8Array(2048);
  /** The activation warning (`pcap_activate` > 0), for live handles. */
  readonly warning: string | undefined;

  private constructor(lib: Libpcap, handle: Deno.PointerObject, warning?: string) {
    this.#lib = lib;
    this.#handle = handle;
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
    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    const handle = lib.pcap_create(cString(device), errbuf);
    if (handle === null) {
      throw new PcapError(
        "open-failed",
        `Cannot open "${device}": ${readErrbuf(errbuf)}`,
        readErrbuf(errbuf),
      );
    }
    try {
      lib.pcap_set_snaplen(handle, options.snaplen ?? 65535);
      lib.pcap_set_promisc(handle, options.promisc ? 1 : 0);
      if (lib.pcap_set_immediate_mode !== null) {
        lib.pcap_set_immediate_mode(handle, options.immediate === false ? 0 : 1);
      }
      if (options.bufferSize !== undefined) lib.pcap_set_buffer_size(handle, options.bufferSize);
      lib.pcap_set_timeout(handle, options.timeoutMs ?? 100);
      const rc = lib.pcap_activate(handle);
      if (rc < 0) throw activateError(lib, handle, device, rc);
      let warning: string | undefined;
      if (rc > 0) {
        warning = rc === PCAP_WARNING ? geterr(lib, handle) : statusText(lib, rc);
        if (rc === PCAP_WARNING_PROMISC_NOTSUP) warning = `Promiscuous mode not supported on "${device}"`;
      }
      return new PcapHandle(lib, handle, warning);
    } catch (error) {
      lib.pcap_close(handle);
      throw error;
    }
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
    const program = new Uint8Array(BPF_PROGRAM_SIZE);
    const rc = this.#lib.pcap_compile(this.#live(), program, cString(expr), 1, PCAP_NETMASK_UNKNOWN);
    if (rc !== 0) return geterr(this.#lib, this.#live());
    return program;
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
      const view = new DataView(program.buffer);
      const instructions = new Uint8Array(view.getUint32(0, true) * 8);
      const pointer = Deno.UnsafePointer.create(view.getBigUint64(8, true));
      if (pointer !== null && instructions.length > 0) Deno.UnsafePointerView.copyInto(pointer, instructions);
      return instructions;
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
    if (this.#dispatching) {
      throw new PcapError("dispatch", "Cannot call dispatch() from inside a frame handler");
    }
    this.#dispatching = true;
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
      this.#dispatching = false;
      if (this.#closeRequested) this.close();
    }
    const thrown = this.#thrown as { error: unknown } | null;
    if (thrown !== null) {
      this.#thrown = null;
      // libpcap clears the break flag only when it returns PCAP_ERROR_BREAK (offline reads may return the
      // count instead); remember that the next call will see it.
      this.#breakPending = rc !== PCAP_ERROR_BREAK;
      throw thrown.error;
    }
    if (rc === PCAP_ERROR_BREAK || this.#handle === null) return Math.max(rc, 0);
    if (rc < 0) {
      const detail = geterr(this.#lib, handle);
      throw new PcapError("dispatch", `Capture failed: ${detail}`, detail);
    }
    return rc;
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
    if (this.#dispatching) {
      if (!this.#closeRequested && this.#handle !== null) this.#lib.pcap_breakloop(this.#handle);
      this.#closeRequested = true;
      this.#onFrame = null;
      return;
    }
    this.#closeRequested = false;
    if (this.#handle !== null) {
      this.#lib.pcap_close(this.#handle);
      this.#handle = null;
    }
    this.#callback?.close();
    this.#callback = null;
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

function geterr(lib: Libpcap, handle: Deno.PointerObject): string {
  const ptr = lib.pcap_geterr(handle);
  return ptr === null ? "" : Deno.UnsafePointerView.getCString(ptr);
}

function statusText(lib: Libpcap, status: number): string {
  const ptr = lib.pcap_statustostr(status);
  return ptr === null ? `error ${status}` : Deno.UnsafePointerView.getCString(ptr);
}

function activateError(lib: Libpcap, handle: Deno.PointerObject, device: string, rc: number): PcapError {
  const detail = geterr(lib, handle) || statusText(lib, rc);
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return new PcapError("no-such-device", `No such interface: ${device}`, detail);
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return new PcapError(
        "permission-denied",
        `Cannot capture on "${device}": run as root or grant cap_net_raw`,
        detail,
      );
    case PCAP_ERROR_IFACE_NOT_UP:
      return new PcapError("interface-not-up", `Interface "${device}" is not up`, detail);
    default:
      return new PcapError("activate-failed", `Cannot capture on "${device}": ${detail}`, detail);
  }
}
