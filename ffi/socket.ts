/**
 * Thin libc socket bindings through `Deno.dlopen`: {@linkcode Socket}, a stream or datagram socket (its
 * options, `connect`, `sendto`, `getsockname`, `SO_ERROR`, waiting until it is writable),
 * {@linkcode RawSocket} for whole IP datagrams (header included) for `craft` and flag knocks, `sockaddr`
 * encoding, and the kernel's choice of source address. Name resolution is in `resolve.ts`. No policy lives
 * here: what a knock or a probe does with these calls, and what to tell the user about a failure, is the
 * caller's (`cli/knock`).
 *
 * `errno` is read right after each synchronous call, on the same thread; every failure becomes a
 * {@linkcode SocketError} naming the call, with libc's text (`sendto: Operation not permitted`).
 *
 * Linux facts this relies on (docs/craft.md, "Raw sockets on Linux"; verified by the e2e tests):
 * - `socket(AF_INET, SOCK_RAW, IPPROTO_RAW)` implies `IP_HDRINCL`: the kernel fills the IPv4
 *   checksum and total length, and the id and source only when they are 0.
 * - `socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)` takes the whole IPv6 header and changes nothing.
 * - Raw packets pass netfilter's OUTPUT chain: a dropping rule makes `sendto` fail with `EPERM`.
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { errno, strerror, waitWritable } from "./libc.ts";

/** Address families. */
export const AF = { inet: 2, inet6: 10 } as const;

/** `SOCK_STREAM`. */
export const SOCK_STREAM = 1;
/** `SOCK_DGRAM`. */
export const SOCK_DGRAM = 2;
/** `SOCK_RAW` (also for ffi/packet_wake.ts). */
export const SOCK_RAW = 3;
/** `SOCK_NONBLOCK`, or'ed into a socket type. */
export const SOCK_NONBLOCK = 0o4000;
/** `SOCK_CLOEXEC`, or'ed into a socket type. */
export const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_RAW = 255;
/** `SOL_SOCKET`, the level of the generic socket options. */
export const SOL_SOCKET = 1;
const SO_ERROR = 4;
const SO_SNDBUF = 7;
const SO_BINDTODEVICE = 25;
const SO_MARK = 36;

/** The errno values callers act on. */
export const ERRNO = {
  EPERM: 1,
  EINTR: 4,
  EAGAIN: 11,
  EACCES: 13,
  EINVAL: 22,
  ENETUNREACH: 101,
  ENOBUFS: 105,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EINPROGRESS: 115,
} as const;

/** A failed libc socket call. */
export class SocketError extends Error {
  /** The libc function that failed (`socket`, `sendto`, `setsockopt SO_MARK`, ...). */
  readonly syscall: string;
  /** The errno value (0 for `getaddrinfo` failures, which carry `gaiCode`). */
  readonly errno: number;
  /** `getaddrinfo`'s own error code, when that call failed. */
  readonly gaiCode: number | undefined;

  /**
   * Builds the error.
   *
   * @param message The whole human-readable text.
   * @param syscall The libc function that failed.
   * @param errno The errno value.
   * @param gaiCode `getaddrinfo`'s error code.
   */
  constructor(message: string, syscall: string, errno: number, gaiCode?: number) {
    super(message);
    this.name = "SocketError";
    this.syscall = syscall;
    this.errno = errno;
    this.gaiCode = gaiCode;
  }
}

/**
 * The {@linkcode SocketError} for `errno` after `syscall`: `SYSCALL: TEXT`.
 *
 * @param syscall The call, e.g. `sendto` or `setsockopt SO_MARK`.
 * @param errno The errno value.
 * @returns The error.
 */
export function socketError(syscall: string, errno: number): SocketError {
  return new SocketError(`${syscall}: ${strerror(errno)}`, syscall, errno);
}

/** 4 for IPv4, 6 for IPv6. */
export type Family = 4 | 6;

/**
 * Encodes a `sockaddr_in` (16 bytes) or `sockaddr_in6` (28 bytes) for a 4- or 16-byte address.
 *
 * @param address 4 or 16 address bytes, network order.
 * @param port Port in host order (0 for raw sockets).
 * @param scopeId IPv6 scope (interface index) for link-local addresses.
 * @returns The socket address.
 * @throws {RangeError} When `address` is neither 4 nor 16 bytes.
 */
export function sockaddr(address: Uint8Array, port = 0, scopeId = 0): Uint8Array {
  if (address.length === 4) {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    view.setUint16(0, AF.inet, true);
    view.setUint16(2, port);
    out.set(address, 4);
    return out;
  }
  if (address.length !== 16) throw new RangeError(`Address must be 4 or 16 bytes, got ${address.length}`);
  const out = new Uint8Array(28);
  const view = new DataView(out.buffer);
  view.setUint16(0, AF.inet6, true);
  view.setUint16(2, port);
  out.set(address, 8);
  view.setUint32(24, scopeId, true);
  return out;
}

/**
 * The family of a 4- or 16-byte address.
 *
 * @param address The address bytes.
 * @returns 4 for 4 bytes, else 6.
 */
export function familyOf(address: Uint8Array): Family {
  return address.length === 4 ? 4 : 6;
}

function af(family: Family): number {
  return family === 4 ? AF.inet : AF.inet6;
}

function openFd(family: Family, type: number, protocol: number): number {
  const fd = loadLibc().socket(af(family), type | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw socketError("socket", errno());
  return fd;
}

function setInt(fd: number, level: number, name: number, value: number, label: string): void {
  const buf = new Uint8Array(4);
  new DataView(buf.buffer).setInt32(0, value, true);
  if (loadLibc().setsockopt(fd, level, name, buf, 4) !== 0) throw socketError(`setsockopt ${label}`, errno());
}

function bindToDevice(fd: number, device: string): void {
  const name = new TextEncoder().encode(`${device}\0`);
  if (loadLibc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) !== 0) {
    throw socketError("setsockopt SO_BINDTODEVICE", errno());
  }
}

/** Socket options of {@linkcode RawSocket.open} and {@linkcode Socket.applyOptions}. */
export interface SocketOptions {
  /** `SO_MARK` (needs cap_net_admin), e.g. to exempt the sender from a firewall rule. */
  readonly mark?: number;
  /** `SO_BINDTODEVICE`: send through this interface. */
  readonly device?: string;
  /** `SO_SNDBUF` in bytes. */
  readonly sendBuffer?: number;
}

function applyOptions(fd: number, options: SocketOptions): void {
  if (options.mark !== undefined) setInt(fd, SOL_SOCKET, SO_MARK, options.mark, "SO_MARK");
  if (options.device !== undefined) bindToDevice(fd, options.device);
  if (options.sendBuffer !== undefined) setInt(fd, SOL_SOCKET, SO_SNDBUF, options.sendBuffer, "SO_SNDBUF");
}

/** The kind of a {@linkcode Socket}: TCP or UDP. */
export type SocketKind = "stream" | "datagram";

/** Options of {@linkcode Socket.open}. */
export interface OpenOptions {
  /** `SOCK_NONBLOCK`: `connect` returns EINPROGRESS instead of waiting. Default `false`. */
  readonly nonblocking?: boolean;
}

/** A stream (TCP) or datagram (UDP) socket that owns its descriptor, closed on exec. */
export class Socket {
  /** 4 or 6. */
  readonly family: Family;
  #fd: number;

  private constructor(family: Family, fd: number) {
    this.family = family;
    this.#fd = fd;
  }

  /**
   * Opens a socket (`socket(AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM, 0)`).
   *
   * @param family 4 or 6.
   * @param kind `stream` or `datagram`.
   * @param options `nonblocking`.
   * @returns The socket.
   * @throws {SocketError} When `socket` fails.
   */
  static open(family: Family, kind: SocketKind, options: OpenOptions = {}): Socket {
    const type = (kind === "stream" ? SOCK_STREAM : SOCK_DGRAM) | (options.nonblocking ? SOCK_NONBLOCK : 0);
    return new Socket(family, openFd(family, type, 0));
  }

  /** The descriptor, -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /**
   * Sets `SO_MARK`, `SO_BINDTODEVICE` and `SO_SNDBUF` as given.
   *
   * @param options The options to set.
   * @throws {SocketError} `setsockopt SO_MARK` (EPERM without cap_net_admin), ...
   */
  applyOptions(options: SocketOptions): void {
    applyOptions(this.#fd, options);
  }

  /**
   * `connect`s to a socket address, without throwing.
   *
   * @param address A {@linkcode sockaddr}.
   * @returns 0, or the errno (EINPROGRESS for a non-blocking TCP connect under way, ECONNREFUSED, ...).
   */
  connect(address: Uint8Array): number {
    return loadLibc().connect(this.#fd, address, address.length) === 0 ? 0 : errno();
  }

  /**
   * Sends one datagram (`sendto`).
   *
   * @param payload The bytes.
   * @param address A {@linkcode sockaddr}.
   * @throws {SocketError} When `sendto` fails.
   */
  sendTo(payload: Uint8Array, address: Uint8Array): void {
    const rc = loadLibc().sendto(this.#fd, payload, BigInt(payload.length), 0, address, address.length);
    if (Number(rc) < 0) throw socketError("sendto", errno());
  }

  /**
   * The address the socket is bound to (`getsockname`), e.g. the source the kernel chose at `connect`.
   *
   * @returns 4 or 16 address bytes, by the socket's family.
   * @throws {SocketError} When `getsockname` fails.
   */
  localAddress(): Uint8Array {
    const out = new Uint8Array(28);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, out.length, true);
    if (loadLibc().getsockname(this.#fd, out, length) !== 0) throw socketError("getsockname", errno());
    return this.family === 4 ? out.slice(4, 8) : out.slice(8, 24);
  }

  /**
   * The socket's pending error (`getsockopt SO_ERROR`, which clears it): how a non-blocking connect ended.
   *
   * @returns 0, or an errno value.
   * @throws {SocketError} When `getsockopt` fails.
   */
  pendingError(): number {
    const error = new Uint8Array(4);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, 4, true);
    if (loadLibc().getsockopt(this.#fd, SOL_SOCKET, SO_ERROR, error, length) !== 0) {
      throw socketError("getsockopt SO_ERROR", errno());
    }
    return new DataView(error.buffer).getInt32(0, true);
  }

  /**
   * Waits until the socket is writable (a non-blocking connect has ended), on a worker thread.
   *
   * @param timeoutMs Longest wait in milliseconds.
   * @returns `true` when writable (or in error: read {@linkcode Socket.pendingError}), `false` on timeout.
   */
  waitWritable(timeoutMs: number): Promise<boolean> {
    return waitWritable(this.#fd, timeoutMs);
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.#fd >= 0) loadLibc().close(this.#fd);
    this.#fd = -1;
  }

  /** Closes the socket (`using` support). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A persistent `SOCK_RAW`/`IPPROTO_RAW` socket: every packet handed to it is a whole IP datagram
 * (IPv4 or IPv6, by the family it was opened with).
 */
export class RawSocket {
  /** 4 or 6. */
  readonly family: Family;
  #fd: number;

  private constructor(family: Family, fd: number) {
    this.family = family;
    this.#fd = fd;
  }

  /**
   * Opens a raw socket.
   *
   * @param family 4 or 6.
   * @param options Socket options to set.
   * @returns The socket.
   * @throws {SocketError} `socket` (EPERM or EACCES without root or cap_net_raw), or `setsockopt ...`.
   */
  static open(family: Family, options: SocketOptions = {}): RawSocket {
    const fd = openFd(family, SOCK_RAW, IPPROTO_RAW);
    try {
      applyOptions(fd, options);
    } catch (error) {
      loadLibc().close(fd);
      throw error;
    }
    return new RawSocket(family, fd);
  }

  /** Whether the socket is still open. */
  get open(): boolean {
    return this.#fd >= 0;
  }

  /**
   * Sends one datagram without throwing (the fast path of a flood).
   *
   * @param bytes A whole IP datagram.
   * @param address A prebuilt {@linkcode sockaddr}.
   * @returns 0 on success, or the errno value.
   */
  trySend(bytes: Uint8Array, address: Uint8Array): number {
    const rc = loadLibc().sendto(this.#fd, bytes, BigInt(bytes.length), 0, address, address.length);
    return Number(rc) < 0 ? errno() || ERRNO.EINVAL : 0;
  }

  /**
   * Sends one datagram.
   *
   * @param bytes A whole IP datagram.
   * @param destination 4 or 16 address bytes, or a prebuilt sockaddr.
   * @throws {SocketError} When `sendto` fails, e.g. EPERM from a firewall rule, EMSGSIZE above the MTU.
   */
  send(bytes: Uint8Array, destination: Uint8Array): void {
    if (this.#fd < 0) throw new SocketError("sendto: socket is closed", "sendto", 9);
    const address = destination.length === 4 || destination.length === 16
      ? sockaddr(destination)
      : destination;
    const code = this.trySend(bytes, address);
    if (code !== 0) throw socketError("sendto", code);
  }

  /** Closes the socket; further sends fail. Idempotent. */
  close(): void {
    if (this.#fd >= 0) loadLibc().close(this.#fd);
    this.#fd = -1;
  }

  /** Closes the socket (`using` support). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The source address the kernel would use towards `destination` (route lookup by connecting a
 * UDP socket; nothing is sent).
 *
 * @param destination 4 or 16 address bytes.
 * @param options Socket options that steer the route (`device`, `mark`).
 * @returns The source address, as many bytes as `destination`.
 * @throws {SocketError} e.g. "connect: Network is unreachable" without a route.
 */
export function sourceAddressFor(destination: Uint8Array, options: SocketOptions = {}): Uint8Array {
  using socket = Socket.open(familyOf(destination), "datagram");
  socket.applyOptions(options);
  const code = socket.connect(sockaddr(destination, 9));
  if (code !== 0) throw socketError("connect", code);
  return socket.localAddress();
}
