/**
 * The network and clock effects of `knock` (and the raw sends of `craft`), behind one interface so
 * tests can record hits without sending anything. {@linkcode realKnockNet} is the libc-backed one.
 *
 * @module
 */
import { resolveHost, serviceByName } from "../../ffi/resolve.ts";
import { type Family, RawSocket, type SocketOptions, sourceAddressFor } from "../../ffi/socket.ts";
import { writeFileAtomic } from "../fs.ts";
import { hinted } from "./hints.ts";
import { type ProbeResult, probeTcp } from "./probe.ts";
import { tcpKnock, udpKnock } from "./wire.ts";

export type { ProbeResult } from "./probe.ts";

/** What `knock` does to the outside world. Every method may throw a `SocketError`. */
export interface KnockNet {
  /** Resolves a host name (not a literal) to addresses, resolver order. */
  resolve(host: string, family: 0 | Family): Uint8Array[];
  /** Port of a service name (`ssh`) for a protocol, from the services database; `undefined` if unknown. */
  service(name: string, protocol: "tcp" | "udp"): number | undefined;
  /** One SYN from a non-blocking connect closed at once. */
  tcp(address: Uint8Array, port: number): void;
  /** One datagram carrying the byte 0x00. */
  udp(address: Uint8Array, port: number): void;
  /** One datagram carrying `payload` (an SPA packet); absent where the network cannot send one. */
  datagram?(address: Uint8Array, port: number, payload: Uint8Array): void;
  /** A whole crafted IP datagram through a raw socket. */
  raw(packet: Uint8Array, address: Uint8Array): void;
  /** The source address the kernel would use towards `address`. */
  sourceFor(address: Uint8Array): Uint8Array;
  /** One TCP connection attempt with a timeout. */
  probe(address: Uint8Array, port: number, timeoutMs: number): Promise<ProbeResult>;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock milliseconds since the epoch (pcap timestamps). */
  wallClock(): number;
  /** A fresh random seed (when the user gives none). */
  randomSeed(): number;
  /** Replaces a file atomically: temporary file in the same directory, fsync, rename. */
  writeFileAtomic(path: string, data: Uint8Array): void;
  /** Releases sockets. */
  close(): void;
}

/** The real effects: libc sockets (their failures with the hints of `hints.ts`), timers, the file system. */
export function realKnockNet(options: SocketOptions = {}): KnockNet {
  const raws = new Map<Family, RawSocket>();
  return {
    resolve: (host, family) => resolveHost(host, family),
    service: (name, protocol) => serviceByName(name, protocol),
    tcp: (address, port) => hinted(() => tcpKnock(address, port, options)),
    udp: (address, port) => hinted(() => udpKnock(address, port, Uint8Array.of(0), options)),
    datagram: (address, port, payload) => hinted(() => udpKnock(address, port, payload, options)),
    raw: (packet, address) => {
      const family: Family = address.length === 4 ? 4 : 6;
      const socket = raws.get(family) ?? hinted(() => RawSocket.open(family, options), true);
      raws.set(family, socket);
      hinted(() => socket.send(packet, address));
    },
    sourceFor: (address) => hinted(() => sourceAddressFor(address, options)),
    probe: (address, port, timeoutMs) => probeTcp(address, port, timeoutMs),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => performance.now(),
    wallClock: () => Date.now(),
    randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0]!,
    writeFileAtomic,
    close: () => {
      for (const socket of raws.values()) socket.close();
      raws.clear();
    },
  };
}
