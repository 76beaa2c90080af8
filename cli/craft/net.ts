/**
 * The effects of `craft` behind one interface: raw sockets, route lookup, resolution, clock and
 * files. {@linkcode realCraftNet} is the libc-backed one; tests pass their own.
 *
 * @module
 */
import { resolveHost } from "../../ffi/resolve.ts";
import { type Family, RawSocket, sockaddr, type SocketOptions, sourceAddressFor } from "../../ffi/socket.ts";
import { writeFileAtomic } from "../fs.ts";
import { hinted, socketErrorText } from "../knock/hints.ts";

/** A sender of whole IP datagrams. */
export interface RawSender {
  /** Sends one datagram to a prebuilt sockaddr; 0 on success, else the errno value. */
  trySend(bytes: Uint8Array, address: Uint8Array): number;
  /** Releases the socket. */
  close(): void;
}

/** What `craft` does to the outside world. */
export interface CraftNet {
  /** Resolves a host name to addresses (may throw with the resolver's message). */
  resolve(host: string, family: 0 | Family): Uint8Array[];
  /** The source address the kernel would use towards `address`. */
  sourceFor(address: Uint8Array, options: SocketOptions): Uint8Array;
  /** Opens a raw sender (throws "Raw sockets need root or cap_net_raw" without the privilege). */
  openRaw(family: Family, options: SocketOptions): RawSender;
  /** The sockaddr to hand to {@linkcode RawSender.trySend}. */
  sockaddr(address: Uint8Array): Uint8Array;
  /** The message for a failed `sendto` with this errno. */
  errorText(errno: number): string;
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock milliseconds since the epoch. */
  wallClock(): number;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A fresh random seed. */
  randomSeed(): number;
  /** Writes a whole file atomically. */
  writeFile(path: string, data: Uint8Array): void;
}

/** The real effects. */
export function realCraftNet(): CraftNet {
  return {
    resolve: (host, family) => resolveHost(host, family),
    sourceFor: (address, options) => hinted(() => sourceAddressFor(address, options)),
    openRaw: (family, options) => hinted(() => RawSocket.open(family, options), true),
    sockaddr: (address) => sockaddr(address),
    errorText: (errno) => socketErrorText("sendto", errno),
    now: () => performance.now(),
    wallClock: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0]!,
    writeFile: writeFileAtomic,
  };
}
