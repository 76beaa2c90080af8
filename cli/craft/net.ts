/**
 * The effects of `craft` behind one interface: raw sockets, route lookup, resolution, reply
 * capture, clock and files. {@linkcode realCraftNet} is the libc- and libpcap-backed one; tests
 * pass their own.
 *
 * @module
 */
import { waitReadable } from "../../ffi/libc.ts";
import { PcapHandle } from "../../ffi/pcap.ts";
import { resolveHost } from "../../ffi/resolve.ts";
import { ipOfFrame, tryParseIP } from "../../core/packet/mod.ts";
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

/** A capture of the answers to craft's probes. */
export interface ReplyCapture {
  /** Hands every datagram captured so far to `onPacket` (a copy); never waits. Returns how many. */
  read(onPacket: (tsMs: number, ip: Uint8Array) => void): number;
  /** Waits until a packet may be read, at most `ms` milliseconds; false on timeout. */
  wait(ms: number): Promise<boolean>;
  /** Stops the capture. */
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
  /**
   * The interface packets to `destination` leave by: the loopback interface for a local address,
   * else the one that holds `routeSource`; `undefined` when none does.
   */
  interfaceFor(destination: Uint8Array, routeSource: Uint8Array, options: SocketOptions): string | undefined;
  /** Starts capturing the datagrams on `device` that match the BPF `filter` (root or cap_net_raw). */
  listen(device: string, filter: string): ReplyCapture;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function interfaceFor(
  destination: Uint8Array,
  routeSource: Uint8Array,
  options: SocketOptions,
): string | undefined {
  if (options.device !== undefined) return options.device;
  const interfaces = Deno.networkInterfaces().map((i) => ({
    name: i.name,
    bytes: tryParseIP(i.address.replace(/%.*$/, ""))?.bytes,
  }));
  const owns = (address: Uint8Array) =>
    interfaces.find((i) => i.bytes !== undefined && sameBytes(i.bytes, address));
  if (owns(destination) !== undefined || (destination.length === 4 && destination[0] === 127)) {
    return owns(
      destination.length === 4 ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.of(...new Uint8Array(15), 1),
    )
      ?.name ?? "lo";
  }
  return owns(routeSource)?.name;
}

function listen(device: string, filter: string): ReplyCapture {
  // Headers only: an ICMP error quotes at most 60 + 8 bytes behind its own 60 + 8 and a link header.
  const handle = PcapHandle.openLive(device, {
    snaplen: 512,
    bufferSize: 4 << 20,
    immediate: true,
    timeoutMs: 10,
  });
  try {
    handle.setFilter(filter);
    handle.setNonblock(true);
    const fd = handle.selectableFd();
    const linktype = handle.datalink();
    return {
      read: (onPacket) =>
        handle.dispatch(-1, (tsMs, _caplen, _len, bytes) => {
          const ip = ipOfFrame(linktype, bytes);
          if (ip !== undefined) onPacket(tsMs, ip.slice());
        }),
      wait: (ms) => waitReadable(fd, ms),
      close: () => handle.close(),
    };
  } catch (error) {
    handle.close();
    throw error;
  }
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
    // Sub-millisecond, on the same clock as capture timestamps (round-trip times are their difference).
    wallClock: () => performance.timeOrigin + performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0]!,
    writeFile: writeFileAtomic,
    interfaceFor,
    listen,
  };
}
