/**
 * Thin libc socket bindings through `Deno.dlopen`: raw IP sockets (header included) for `craft`
 * and flag knocks, plus the plain stream/datagram calls `knock` needs (a non-blocking connect
 * closed at once, a one-byte datagram), host resolution with `getaddrinfo`, the kernel's choice
 * of source address, and a TCP connect probe. No policy lives here.
 *
 * `errno` is read right after each synchronous call, on the same thread; every failure becomes a
 * {@linkcode SocketError} naming the call.
 *
 * Linux facts this relies on (docs/craft.md, "Raw sockets on Linux"; verified by the e2e tests):
 * - `socket(AF_INET, SOCK_RAW, IPPROTO_RAW)` implies `IP_HDRINCL`: the kernel fills the IPv4
 *   checksum and total length, and the id and source only when they are 0.
 * - `socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)` takes the whole IPv6 header and changes nothing.
 * - Raw packets pass netfilter's OUTPUT chain: a dropping rule makes `sendto` fail with `EPERM`.
 *
 * @module
 */

/** Address families. */
export const AF = { inet: 2, inet6: 10 } as const;

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
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
const POLLOUT = 0x004;

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

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  getaddrinfo: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "i32" },
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  getservbyname: { parameters: ["buffer", "buffer"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  /** `poll` on a blocking-pool thread, so waiting for a connect does not block the event loop. */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
let cached: Libc | undefined;

function libc(): Libc {
  return cached ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
}

function lastErrno(): number {
  const ptr = libc().__errno_location();
  return ptr === null ? 0 : new Deno.UnsafePointerView(ptr).getInt32();
}

function describeErrno(code: number): string {
  const ptr = libc().strerror(code);
  return ptr === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(ptr);
}

/** A failed libc socket call. */
export class SocketError extends Error {
  /** The libc function that failed (`socket`, `sendto`, ...). */
  readonly syscall: string;
  /** The errno value (0 for `getaddrinfo` failures, which carry `gaiCode`). */
  readonly errno: number;
  /** `getaddrinfo`'s own error code, when that call failed. */
  readonly gaiCode: number | undefined;

  /** Builds the error; `message` is the whole human-readable text. */
  constructor(message: string, syscall: string, errno: number, gaiCode?: number) {
    super(message);
    this.name = "SocketError";
    this.syscall = syscall;
    this.errno = errno;
    this.gaiCode = gaiCode;
  }
}

/**
 * The {@linkcode SocketError} for `errno` after `syscall`, with the same hints the bindings give
 * (EPERM on `sendto`: a firewall rule; EPERM/EACCES on a raw `socket`: the privilege).
 */
export function socketError(syscall: string, errno: number): SocketError {
  return fail(syscall, errno);
}

function fail(syscall: string, code: number, raw = false): SocketError {
  const reason = describeErrno(code);
  if (raw && syscall === "socket" && (code === ERRNO.EPERM || code === ERRNO.EACCES)) {
    return new SocketError(`Raw sockets need root or cap_net_raw (socket: ${reason})`, syscall, code);
  }
  if (syscall === "sendto" && code === ERRNO.EPERM) {
    return new SocketError(
      `sendto: ${reason} (a firewall OUTPUT rule, e.g. "ct state invalid drop", refused the packet)`,
      syscall,
      code,
    );
  }
  if (syscall === "setsockopt SO_MARK" && code === ERRNO.EPERM) {
    return new SocketError(`SO_MARK needs cap_net_admin (setsockopt: ${reason})`, syscall, code);
  }
  return new SocketError(`${syscall}: ${reason}`, syscall, code);
}

/** 4 for IPv4, 6 for IPv6. */
export type Family = 4 | 6;

/**
 * Encodes a `sockaddr_in` (16 bytes) or `sockaddr_in6` (28 bytes) for a 4- or 16-byte address.
 *
 * @param address 4 or 16 address bytes, network order.
 * @param port Port in host order (0 for raw sockets).
 * @param scopeId IPv6 scope (interface index) for link-local addresses.
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

function familyOf(address: Uint8Array): Family {
  return address.length === 4 ? 4 : 6;
}

function af(family: Family): number {
  return family === 4 ? AF.inet : AF.inet6;
}

function openSocket(family: Family, type: number, protocol: number, raw = false): number {
  const fd = libc().socket(af(family), type | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw fail("socket", lastErrno(), raw);
  return fd;
}

function setInt(fd: number, level: number, name: number, value: number, label: string): void {
  const buf = new Uint8Array(4);
  new DataView(buf.buffer).setInt32(0, value, true);
  if (libc().setsockopt(fd, level, name, buf, 4) !== 0) throw fail(`setsockopt ${label}`, lastErrno());
}

function bindToDevice(fd: number, device: string): void {
  const name = new TextEncoder().encode(`${device}\0`);
  if (libc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) !== 0) {
    throw fail("setsockopt SO_BINDTODEVICE", lastErrno());
  }
}

/** Socket options of {@linkcode RawSocket.open} and the plain knock sockets. */
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
   * @throws {SocketError} "Raw sockets need root or cap_net_raw" without the privilege.
   */
  static open(family: Family, options: SocketOptions = {}): RawSocket {
    const fd = openSocket(family, SOCK_RAW, IPPROTO_RAW, true);
    try {
      applyOptions(fd, options);
    } catch (error) {
      libc().close(fd);
      throw error;
    }
    return new RawSocket(family, fd);
  }

  /** Whether the socket is still open. */
  get open(): boolean {
    return this.#fd >= 0;
  }

  /**
   * Sends one datagram without throwing: returns 0 on success or the errno value.
   * `address` is a prebuilt {@linkcode sockaddr} (the fast path of a flood).
   */
  trySend(bytes: Uint8Array, address: Uint8Array): number {
    const rc = libc().sendto(this.#fd, bytes, BigInt(bytes.length), 0, address, address.length);
    return Number(rc) < 0 ? lastErrno() || ERRNO.EINVAL : 0;
  }

  /**
   * Sends one datagram to `destination` (4 or 16 address bytes, or a prebuilt sockaddr).
   *
   * @throws {SocketError} when `sendto` fails, e.g. EPERM from a firewall rule, EMSGSIZE above the MTU.
   */
  send(bytes: Uint8Array, destination: Uint8Array): void {
    if (this.#fd < 0) throw new SocketError("sendto: socket is closed", "sendto", 9);
    const address = destination.length === 4 || destination.length === 16
      ? sockaddr(destination)
      : destination;
    const code = this.trySend(bytes, address);
    if (code !== 0) throw fail("sendto", code);
  }

  /** Closes the socket; further sends fail. Idempotent. */
  close(): void {
    if (this.#fd >= 0) libc().close(this.#fd);
    this.#fd = -1;
  }

  /** Closes the socket (`using` support). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * knock's TCP hit: a non-blocking `connect()` closed at once, so the kernel sends exactly one SYN
 * with its normal options and no retransmission.
 *
 * @throws {SocketError} when the connect fails for another reason than "in progress" or "refused".
 */
export function tcpKnock(address: Uint8Array, port: number, options: SocketOptions = {}): void {
  const fd = openSocket(familyOf(address), SOCK_STREAM | SOCK_NONBLOCK, 0);
  try {
    applyOptions(fd, options);
    const target = sockaddr(address, port);
    if (libc().connect(fd, target, target.length) !== 0) {
      const code = lastErrno();
      if (code !== ERRNO.EINPROGRESS && code !== ERRNO.ECONNREFUSED) throw fail("connect", code);
    }
  } finally {
    libc().close(fd);
  }
}

/**
 * knock's UDP hit: one datagram (by default the single byte 0x00 knock sends).
 *
 * @throws {SocketError} when `sendto` fails.
 */
export function udpKnock(
  address: Uint8Array,
  port: number,
  payload: Uint8Array = Uint8Array.of(0),
  options: SocketOptions = {},
): void {
  const fd = openSocket(familyOf(address), SOCK_DGRAM, 0);
  try {
    applyOptions(fd, options);
    const target = sockaddr(address, port);
    const rc = libc().sendto(fd, payload, BigInt(payload.length), 0, target, target.length);
    if (Number(rc) < 0) throw fail("sendto", lastErrno());
  } finally {
    libc().close(fd);
  }
}

/**
 * The source address the kernel would use towards `destination` (route lookup by connecting a
 * UDP socket; nothing is sent).
 *
 * @throws {SocketError} e.g. "connect: Network is unreachable" without a route.
 */
export function sourceAddressFor(destination: Uint8Array, options: SocketOptions = {}): Uint8Array {
  const fd = openSocket(familyOf(destination), SOCK_DGRAM, 0);
  try {
    applyOptions(fd, options);
    const target = sockaddr(destination, 9);
    if (libc().connect(fd, target, target.length) !== 0) throw fail("connect", lastErrno());
    const out = new Uint8Array(28);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, out.length, true);
    if (libc().getsockname(fd, out, length) !== 0) throw fail("getsockname", lastErrno());
    return destination.length === 4 ? out.slice(4, 8) : out.slice(8, 24);
  } finally {
    libc().close(fd);
  }
}

/**
 * Resolves a host name with `getaddrinfo` (files, DNS, ... as the system is configured) and
 * returns the addresses in the resolver's order, without duplicates.
 *
 * @param family 0 for any, 4 or 6 to restrict.
 * @throws {SocketError} with `gaiCode` and `gai_strerror`'s text when resolution fails.
 */
export function resolveHost(host: string, family: 0 | Family = 0): Uint8Array[] {
  const lib = libc();
  const hints = new Uint8Array(48);
  const view = new DataView(hints.buffer);
  view.setInt32(4, family === 0 ? 0 : af(family), true); // ai_family
  view.setInt32(8, SOCK_STREAM, true); // ai_socktype, so each address comes once
  const result = new BigUint64Array(1);
  const node = new TextEncoder().encode(`${host}\0`);
  const rc = lib.getaddrinfo(node, null, hints, new Uint8Array(result.buffer));
  if (rc !== 0) {
    const ptr = lib.gai_strerror(rc);
    const reason = ptr === null ? `error ${rc}` : Deno.UnsafePointerView.getCString(ptr);
    throw new SocketError(`getaddrinfo: ${reason}`, "getaddrinfo", 0, rc);
  }
  const head = Deno.UnsafePointer.create(result[0]!);
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  try {
    let node: Deno.PointerValue = head;
    while (node !== null) {
      const entry = new Deno.UnsafePointerView(node);
      const entryFamily = entry.getInt32(4);
      const addr = entry.getPointer(24);
      if (addr !== null) {
        const sa = new Deno.UnsafePointerView(addr);
        let bytes: Uint8Array | undefined;
        if (entryFamily === AF.inet) bytes = new Uint8Array(sa.getArrayBuffer(4, 4).slice(0));
        if (entryFamily === AF.inet6) bytes = new Uint8Array(sa.getArrayBuffer(16, 8).slice(0));
        if (bytes !== undefined && !seen.has(bytes.join("."))) {
          seen.add(bytes.join("."));
          out.push(bytes);
        }
      }
      node = entry.getPointer(40);
    }
  } finally {
    lib.freeaddrinfo(head);
  }
  return out;
}

/**
 * Looks up a service name in the system's services database (`/etc/services`), as knock's
 * `getaddrinfo` does for a non-numeric port.
 *
 * @param name Service name, e.g. `ssh`.
 * @param protocol `tcp` or `udp`.
 * @returns The port number, or `undefined` when the service is unknown for that protocol.
 */
export function serviceByName(name: string, protocol: "tcp" | "udp"): number | undefined {
  const entry = libc().getservbyname(
    new TextEncoder().encode(`${name}\0`),
    new TextEncoder().encode(`${protocol}\0`),
  );
  if (entry === null) return undefined;
  // struct servent { char *s_name; char **s_aliases; int s_port; char *s_proto; }: s_port at 16, network order.
  const port = new Deno.UnsafePointerView(entry).getUint16(16);
  return ((port & 0xff) << 8) | (port >> 8);
}

/** Outcome of one {@linkcode probeTcp}. */
export type ProbeResult =
  | { readonly state: "open" }
  | { readonly state: "timeout" }
  | { readonly state: "closed"; readonly reason: string; readonly errno: number };

/**
 * Tries one TCP connection to `address`:`port` and waits at most `timeoutMs` for the handshake
 * (the wait runs on a worker thread). The connection is closed at once either way.
 */
export async function probeTcp(address: Uint8Array, port: number, timeoutMs: number): Promise<ProbeResult> {
  const lib = libc();
  const fd = openSocket(familyOf(address), SOCK_STREAM | SOCK_NONBLOCK, 0);
  try {
    const target = sockaddr(address, port);
    if (lib.connect(fd, target, target.length) === 0) return { state: "open" };
    const code = lastErrno();
    if (code !== ERRNO.EINPROGRESS) return { state: "closed", reason: describeErrno(code), errno: code };
    const pollfd = new Uint8Array(8);
    const view = new DataView(pollfd.buffer);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLOUT, true);
    const ready = await lib.poll(pollfd, 1n, Math.max(0, Math.trunc(timeoutMs)));
    if (ready <= 0) return { state: "timeout" };
    const error = new Uint8Array(4);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, 4, true);
    if (lib.getsockopt(fd, SOL_SOCKET, SO_ERROR, error, length) !== 0) {
      const e = lastErrno();
      return { state: "closed", reason: describeErrno(e), errno: e };
    }
    const soError = new DataView(error.buffer).getInt32(0, true);
    if (soError === 0) return { state: "open" };
    return { state: "closed", reason: describeErrno(soError), errno: soError };
  } finally {
    lib.close(fd);
  }
}
