/**
 * A wake-up socket for a live capture: a second `AF_PACKET` socket on the capture's interface, with the
 * capture's BPF filter cut to one byte per packet, read by Deno's own event loop on the main thread.
 *
 * Why: awaiting libpcap's descriptor means a `poll` on a blocking-pool thread, which the packet wakes, which
 * then wakes the main thread (two wake-ups, each possibly across CPUs). This socket is registered in the main
 * thread's own epoll (through node:net's `TCP` wrap, which adopts any stream-like descriptor and reads it
 * whenever it is readable), so a matching packet wakes the main thread directly; the capture itself still
 * goes through libpcap's ring. The capture loop waits on it instead of the `poll` while it works, and goes
 * back to the `poll` if it fails.
 *
 * Linux facts this relies on: a packet socket created with protocol 0 receives nothing until `bind` gives
 * it one; each packet socket gets its own copy of a packet, after its own filter, whose non-zero return
 * value is the number of bytes kept; the hooks of one device are run newest first, so a wake socket bound
 * before libpcap's socket sees a packet after libpcap's ring has it (tests/ffi/packet_wake_test.ts checks
 * that a wake-up finds the frame in the ring). `SO_RCVBUF` is clamped to the kernel's minimum (a few
 * datagrams), so a flood costs the wake socket a few reads per event-loop turn, not one per packet.
 *
 * @module
 */
import type * as NodeNet from "node:net";
import type NodeProcess from "node:process";
import { loadLibc } from "./_libc_symbols.ts";
import { errno, strerror } from "./libc.ts";
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, SOL_SOCKET } from "./socket.ts";

const AF_PACKET = 17;
const SO_RCVBUF = 8;
const SO_ATTACH_FILTER = 26;
/** `htons(ETH_P_ALL)` as it lies in memory. */
const ETH_P_ALL_BE = [0x00, 0x03];
/** `sizeof(struct sockaddr_ll)`. */
const SOCKADDR_LL_SIZE = 20;
/** `sizeof(struct sock_fprog)` on LP64: u16 length, padding, pointer. */
const SOCK_FPROG_SIZE = 16;
/** One classic BPF instruction (`struct sock_filter`, the same as libpcap's `struct bpf_insn`). */
const INSN_SIZE = 8;
/** The kernel's limit on a classic BPF program (`BPF_MAXINSNS`). */
const MAX_INSNS = 4096;
/** `BPF_RET | BPF_K`: return a constant. */
const RET_K = 0x06;

/** The failure of the libc call just made on this thread. */
function lastError(call: string): PacketWakeError {
  return new PacketWakeError(`${call}: ${strerror(errno())}`);
}

/** Why a wake socket could not be opened or given a filter. */
export class PacketWakeError extends Error {
  /**
   * Creates a PacketWakeError.
   *
   * @param message What failed, e.g. `bind: No such device`.
   */
  constructor(message: string) {
    super(message);
    this.name = "PacketWakeError";
  }
}

/**
 * The wake socket's version of a compiled filter: every `ret #k` with `k > 0` (accept, keeping k bytes)
 * becomes `ret #1`, so the same packets match and each is one byte in the socket's queue.
 *
 * @param instructions A classic BPF program, 8 bytes per instruction (see `PcapHandle.compileProgram`).
 * @returns A new array; `instructions` is not changed.
 * @throws {RangeError} when it is empty, longer than 4096 instructions or not a whole number of them.
 */
export function wakeFilter(instructions: Uint8Array): Uint8Array<ArrayBuffer> {
  const count = instructions.length / INSN_SIZE;
  if (!Number.isInteger(count) || count < 1 || count > MAX_INSNS) {
    throw new RangeError(
      `a BPF program of ${instructions.length} bytes is not 1 to ${MAX_INSNS} instructions`,
    );
  }
  const out = new Uint8Array(instructions);
  const view = new DataView(out.buffer);
  for (let at = 0; at < out.length; at += INSN_SIZE) {
    if (view.getUint16(at, true) === RET_K && view.getUint32(at + 4, true) > 0) {
      view.setUint32(at + 4, 1, true);
    }
  }
  return out;
}

/** The one program a wake socket has before it is given a filter: `ret #0`, nothing matches. */
const REJECT_ALL = new Uint8Array([RET_K, 0, 0, 0, 0, 0, 0, 0]);

function attachFilter(fd: number, program: Uint8Array<ArrayBuffer>): void {
  const fprog = new Uint8Array(SOCK_FPROG_SIZE);
  const view = new DataView(fprog.buffer);
  view.setUint16(0, program.length / INSN_SIZE, true);
  view.setBigUint64(8, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(program))), true);
  // The kernel copies the program during the call.
  if (loadLibc().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, SOCK_FPROG_SIZE) !== 0) {
    throw lastError("setsockopt(SO_ATTACH_FILTER)");
  }
}

/** The part of node's internal `tcp_wrap` binding used here. */
interface TcpWrapBinding {
  readonly TCP: new (type: number) => { open(fd: number): number; close(): void };
  readonly constants: { readonly SOCKET: number };
}

/**
 * Deno's `process` and `node:net`, reached on first use: a static import would load Deno's node
 * compatibility layer in every program that imports this module, even one that never opens a wake socket
 * (the CLI's `--version`, `lint`: bench/startup.ts).
 */
function node(): { readonly process: typeof NodeProcess; readonly net: typeof NodeNet } {
  const process = (globalThis as { process?: typeof NodeProcess }).process;
  if (typeof process?.getBuiltinModule !== "function") {
    throw new PacketWakeError("this runtime has no process.getBuiltinModule");
  }
  return { process, net: process.getBuiltinModule("node:net") as typeof NodeNet };
}

function tcpWrap(process: typeof NodeProcess): TcpWrapBinding {
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== "function") throw new PacketWakeError("this runtime has no process.binding");
  const wrap = binding.call(process, "tcp_wrap") as Partial<TcpWrapBinding> | undefined;
  if (typeof wrap?.TCP !== "function" || typeof wrap.constants?.SOCKET !== "number") {
    throw new PacketWakeError("this runtime's tcp_wrap binding has no TCP handle");
  }
  return wrap as TcpWrapBinding;
}

/**
 * A packet socket whose arrivals end {@linkcode PacketWake.wait}, read on the main thread's event loop.
 *
 * @example
 * ```ts ignore
 * const wake = PacketWake.open("eth0"); // before libpcap opens eth0
 * const pcap = PcapHandle.openLive("eth0", { immediate: true });
 * pcap.setFilter("tcp dst port 7000");
 * wake.setFilter(pcap.compileProgram("tcp dst port 7000"));
 * if (await wake.wait(200)) pcap.dispatch(-1, onFrame); // a matching packet arrived: the ring has it
 * ```
 */
export class PacketWake {
  readonly #socket: NodeNet.Socket;
  readonly #fd: number;
  #pending = false;
  #waiter: ((woken: boolean) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #count = 0;
  #failure: string | undefined;

  private constructor(fd: number, socket: NodeNet.Socket) {
    this.#fd = fd;
    this.#socket = socket;
    socket.on("data", () => {
      this.#count++;
      if (this.#waiter === undefined) this.#pending = true;
      else this.#settle(true);
    });
    socket.on("error", (error: Error) => {
      this.#failure ??= error.message;
      this.#settle(false);
    });
    socket.on("close", () => {
      this.#failure ??= "closed";
      this.#settle(false);
    });
    socket.unref();
  }

  /**
   * Opens a wake socket on `iface` with a filter that matches nothing (give it one with
   * {@linkcode PacketWake.setFilter}). Open it before libpcap's handle on the same interface.
   *
   * @param iface The interface name.
   * @throws {PacketWakeError} when the socket cannot be made (no privilege, no such interface, a runtime
   *   without node's `tcp_wrap`).
   */
  static open(iface: string): PacketWake {
    const { process, net } = node();
    const wrap = tcpWrap(process);
    const lib = loadLibc();
    const index = lib.if_nametoindex(new TextEncoder().encode(`${iface}\0`));
    if (index === 0) throw lastError(`if_nametoindex(${iface})`);
    const fd = lib.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw lastError("socket(AF_PACKET)");
    try {
      const size = new Uint8Array(4);
      new DataView(size.buffer).setInt32(0, 1, true);
      if (lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4) !== 0) throw lastError("setsockopt(SO_RCVBUF)");
      attachFilter(fd, REJECT_ALL);
      const address = new Uint8Array(SOCKADDR_LL_SIZE);
      const view = new DataView(address.buffer);
      view.setUint16(0, AF_PACKET, true);
      address.set(ETH_P_ALL_BE, 2);
      view.setInt32(4, index, true);
      if (lib.bind(fd, address, SOCKADDR_LL_SIZE) !== 0) throw lastError(`bind(${iface})`);
    } catch (error) {
      lib.close(fd);
      throw error;
    }
    const handle = new wrap.TCP(wrap.constants.SOCKET);
    const status = handle.open(fd);
    if (status !== 0) {
      lib.close(fd);
      throw new PacketWakeError(`tcp_wrap could not adopt the socket (status ${status})`);
    }
    // From here the socket owns the descriptor.
    return new PacketWake(
      fd,
      new net.Socket({ handle, readable: true, writable: false } as NodeNet.SocketConstructorOpts),
    );
  }

  /**
   * Gives the socket the capture's filter, each accepted packet cut to one byte ({@linkcode wakeFilter}).
   *
   * @param instructions The compiled program (`PcapHandle.compileProgram`).
   * @throws {PacketWakeError} when the kernel refuses it; {@linkcode RangeError} for a malformed program.
   */
  setFilter(instructions: Uint8Array): void {
    if (this.closed) throw new PacketWakeError("the wake socket is closed");
    attachFilter(this.#fd, wakeFilter(instructions));
  }

  /**
   * Waits for a packet the filter accepts: `true` at the next one, or at once if one arrived since the last
   * wait; `false` after `timeoutMs`, or as soon as the socket fails or is closed. One wait at a time (a second
   * call settles the first with `false`).
   *
   * @param timeoutMs Longest wait in milliseconds.
   * @returns Whether a packet woke it.
   */
  wait(timeoutMs: number): Promise<boolean> {
    this.#settle(false);
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.#waiter = resolve;
      this.#timer = setTimeout(() => this.#settle(false), timeoutMs);
    });
  }

  /** How many packets have woken it (each read is one packet). */
  get wakes(): number {
    return this.#count;
  }

  /** Why it stopped working (a socket error, or `closed`), if it did. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Whether {@linkcode PacketWake.close} was called or the socket failed. */
  get closed(): boolean {
    return this.#failure !== undefined || this.#socket.destroyed;
  }

  /** Closes the socket (idempotent); a wait in progress returns `false`. */
  close(): void {
    this.#failure ??= "closed";
    this.#settle(false);
    this.#socket.destroy();
  }

  #settle(woken: boolean): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    waiter(woken);
  }
}
