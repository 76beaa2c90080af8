/**
 * Reading the answers to crafted probes: the IP datagram inside a captured frame, its header
 * fields, and which probe it answers (a TCP or UDP segment with the probe's ports swapped, an ICMP
 * echo reply with the probe's id and sequence, or an ICMP error quoting the probe's header).
 *
 * Pure: no I/O, never throws on malformed input (it returns `undefined`).
 *
 * @module
 */
import { LinkType } from "../decode/link_type.ts";
import { formatIP } from "../address.ts";

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** `DLT_NULL`: BSD loopback, a 4-byte address family in host order. */
const DLT_NULL = 0;

function ethertypePayload(frame: Uint8Array, typeAt: number, headerEnd: number): Uint8Array | undefined {
  let at = typeAt;
  let end = headerEnd;
  for (let tags = 0; tags < 8; tags++) {
    if (frame.length < at + 2) return undefined;
    const type = (frame[at]! << 8) | frame[at + 1]!;
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return frame.subarray(end);
    if (!VLAN_TAGS.has(type)) return undefined;
    at = end + 2;
    end += 4;
  }
  return undefined;
}

/**
 * The IP datagram of a captured frame (a view, not a copy), or `undefined` when the frame carries
 * something else.
 *
 * @param linktype The capture's `pcap_datalink()` value (Ethernet, Linux cooked v1/v2, raw IP, BSD null).
 * @param frame The captured bytes from the link header on.
 */
export function ipOfFrame(linktype: number, frame: Uint8Array): Uint8Array | undefined {
  switch (linktype) {
    case LinkType.ETHERNET:
      return ethertypePayload(frame, 12, 14);
    case LinkType.LINUX_SLL:
      return ethertypePayload(frame, 14, 16);
    case LinkType.LINUX_SLL2: {
      if (frame.length < 20) return undefined;
      const type = (frame[0]! << 8) | frame[1]!;
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? frame.subarray(20) : undefined;
    }
    case DLT_NULL:
      return frame.length < 4 ? undefined : frame.subarray(4);
    case LinkType.RAW:
    case LinkType.RAW_OPENBSD:
    case LinkType.LINKTYPE_RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return frame;
    default:
      return undefined;
  }
}

/** The transport header of a datagram, as far as it was captured. */
export type TransportView =
  | {
    readonly protocol: "tcp";
    readonly sport: number;
    readonly dport: number;
    readonly seq: number;
    readonly ack: number;
    /** FIN 0x01 ... CWR 0x80, NS 0x100. */
    readonly flags: number;
    readonly window: number;
  }
  | { readonly protocol: "udp"; readonly sport: number; readonly dport: number }
  | {
    readonly protocol: "icmp";
    readonly type: number;
    readonly code: number;
    /** Echo id and sequence (bytes 4..7 of the header), meaningful for echo messages. */
    readonly id: number;
    readonly seq: number;
    /** The datagram an error message quotes (its first bytes), when it is one. */
    readonly quoted?: PacketView;
  }
  | { readonly protocol: "other"; readonly number: number };

/** The fields of an IPv4 or IPv6 datagram that a reply line shows. */
export interface PacketView {
  readonly version: 4 | 6;
  readonly src: string;
  readonly dst: string;
  /** IPv4 total length, or the IPv6 payload length plus 40. */
  readonly length: number;
  /** TTL or hop limit. */
  readonly ttl: number;
  /** IPv4 identification (0 for IPv6). */
  readonly id: number;
  /** IPv4 don't-fragment. */
  readonly df: boolean;
  readonly transport: TransportView;
}

/** ICMP types that quote the datagram they are about (destination unreachable, time exceeded, ...). */
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMP6_ERRORS = new Set([1, 2, 3, 4]);

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function transportOf(protocol: number, l4: Uint8Array, v6: boolean, depth: number): TransportView {
  if (protocol === 6 && l4.length >= 16) {
    return {
      protocol: "tcp",
      sport: u16(l4, 0),
      dport: u16(l4, 2),
      seq: u32(l4, 4),
      ack: u32(l4, 8),
      flags: ((l4[12]! & 1) << 8) | l4[13]!,
      window: u16(l4, 14),
    };
  }
  // A quoted header is only guaranteed 8 bytes: TCP then has its ports and sequence number.
  if (protocol === 6 && l4.length >= 8) {
    return {
      protocol: "tcp",
      sport: u16(l4, 0),
      dport: u16(l4, 2),
      seq: u32(l4, 4),
      ack: 0,
      flags: 0,
      window: 0,
    };
  }
  if (protocol === 17 && l4.length >= 4) return { protocol: "udp", sport: u16(l4, 0), dport: u16(l4, 2) };
  if ((protocol === 1 && !v6) || (protocol === 58 && v6)) {
    if (l4.length >= 8) {
      const type = l4[0]!;
      const error = v6 ? ICMP6_ERRORS.has(type) : ICMP4_ERRORS.has(type);
      const quoted = error && depth === 0 ? read(l4.subarray(8), 1) : undefined;
      return {
        protocol: "icmp",
        type,
        code: l4[1]!,
        id: u16(l4, 4),
        seq: u16(l4, 6),
        ...(quoted === undefined ? {} : { quoted }),
      };
    }
  }
  return { protocol: "other", number: protocol };
}

/**
 * Reads an IPv4 or IPv6 datagram (IPv6 extension headers are not followed). An ICMP error's quoted
 * datagram is read too, one level deep.
 *
 * @param ip The datagram, possibly cut short by the capture.
 * @returns The fields, or `undefined` when it is not a whole IP header.
 */
export function readPacket(ip: Uint8Array): PacketView | undefined {
  return read(ip, 0);
}

function read(ip: Uint8Array, depth: number): PacketView | undefined {
  if (ip.length < 1) return undefined;
  const version = ip[0]! >> 4;
  if (version === 4) {
    const ihl = (ip[0]! & 15) * 4;
    if (ihl < 20 || ip.length < ihl) return undefined;
    const frag = u16(ip, 6);
    const l4 = (frag & 0x1fff) === 0 ? ip.subarray(ihl) : new Uint8Array();
    return {
      version: 4,
      src: formatIP(ip.subarray(12, 16)),
      dst: formatIP(ip.subarray(16, 20)),
      length: u16(ip, 2),
      ttl: ip[8]!,
      id: u16(ip, 4),
      df: (frag & 0x4000) !== 0,
      transport: transportOf(ip[9]!, l4, false, depth),
    };
  }
  if (version === 6) {
    if (ip.length < 40) return undefined;
    return {
      version: 6,
      src: formatIP(ip.subarray(8, 24)),
      dst: formatIP(ip.subarray(24, 40)),
      length: u16(ip, 4) + 40,
      ttl: ip[7]!,
      id: 0,
      df: false,
      transport: transportOf(ip[6]!, ip.subarray(40), true, depth),
    };
  }
  return undefined;
}

function isEchoRequest(t: TransportView, version: 4 | 6): boolean {
  return t.protocol === "icmp" && t.type === (version === 4 ? 8 : 128);
}

function isEchoReply(t: TransportView, version: 4 | 6): boolean {
  return t.protocol === "icmp" && t.type === (version === 4 ? 0 : 129);
}

/**
 * The key of a probe: protocol, addresses and ports (TCP, UDP) or echo id and sequence (ICMP).
 * {@linkcode answerKey} of its answer is the same string.
 */
export function probeKey(p: PacketView): string | undefined {
  const t = p.transport;
  switch (t.protocol) {
    case "tcp":
    case "udp":
      return `${t.protocol} ${p.src} ${p.dst} ${t.sport} ${t.dport}`;
    case "icmp":
      return isEchoRequest(t, p.version) ? `echo ${p.src} ${p.dst} ${t.id} ${t.seq}` : undefined;
    default:
      return undefined;
  }
}

/**
 * The key of the probe a captured datagram answers ({@linkcode probeKey} of that probe), or
 * `undefined` when it answers none: a TCP or UDP segment answers the probe with the ports and
 * addresses swapped, an echo reply the echo request with its id and sequence, and an ICMP error
 * the datagram it quotes (whoever sent the error).
 */
export function answerKey(p: PacketView): string | undefined {
  const t = p.transport;
  switch (t.protocol) {
    case "tcp":
    case "udp":
      return `${t.protocol} ${p.dst} ${p.src} ${t.dport} ${t.sport}`;
    case "icmp":
      if (isEchoReply(t, p.version)) return `echo ${p.dst} ${p.src} ${t.id} ${t.seq}`;
      return t.quoted === undefined ? undefined : probeKey(t.quoted);
    default:
      return undefined;
  }
}

const ICMP4_UNREACHABLE: Readonly<Record<number, string>> = {
  0: "Network Unreachable",
  1: "Host Unreachable",
  2: "Protocol Unreachable",
  3: "Port Unreachable",
  4: "Fragmentation Needed",
  9: "Network Prohibited",
  10: "Host Prohibited",
  13: "Packet filtered",
};

const ICMP6_UNREACHABLE: Readonly<Record<number, string>> = {
  0: "No Route",
  1: "Administratively Prohibited",
  3: "Address Unreachable",
  4: "Port Unreachable",
  5: "Source Policy Failed",
  6: "Reject Route",
};

/** hping3-like name of an ICMP error: `ICMP Port Unreachable`, `ICMPv6 Time Exceeded`, ... */
export function icmpErrorName(version: 4 | 6, type: number, code: number): string {
  const family = version === 4 ? "ICMP" : "ICMPv6";
  if (version === 4) {
    if (type === 3) return `${family} ${ICMP4_UNREACHABLE[code] ?? `Unreachable code ${code}`}`;
    if (type === 11) return `${family} Time Exceeded`;
    if (type === 4) return `${family} Source Quench`;
    if (type === 5) return `${family} Redirect`;
    if (type === 12) return `${family} Parameter Problem`;
  } else {
    if (type === 1) return `${family} ${ICMP6_UNREACHABLE[code] ?? `Unreachable code ${code}`}`;
    if (type === 2) return `${family} Packet Too Big`;
    if (type === 3) return `${family} Time Exceeded`;
    if (type === 4) return `${family} Parameter Problem`;
  }
  return `${family} type ${type} code ${code}`;
}
