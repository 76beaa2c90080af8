/**
 * `buildPacket`: a whole IP datagram from one typed spec, with defaults and seeded randomness.
 *
 * Defaults (chosen to look like an ordinary Linux host, not like a tool fingerprint):
 * - TTL / hop limit 64 (Linux, hping3, scapy), TOS / traffic class 0, flow label 0, no IP flags;
 * - TCP flags SYN, window 64240 (Linux's SYN window for a 1460-byte MSS; hping3 sends 512,
 *   scapy 8192, packit and sendip 65535), urgent pointer 0, no options;
 * - ICMP / ICMPv6 echo request (type 8 / 128), code 0, sequence 0.
 *
 * Random when left unset, drawn from the injected {@linkcode Rng} in this order: IPv4 id
 * (0..65535), source port (32768..60999, Linux's ephemeral range), TCP sequence number, TCP
 * acknowledgment number (only when the ACK flag is set; 0 otherwise, unlike hping3), ICMP echo id.
 *
 * @module
 */
import { formatIP, parseIP } from "./address.ts";
import { wrongChecksum } from "./checksum.ts";
import { encodeIcmp, encodeIcmpv6, ICMP_TYPE, ICMPV6_TYPE } from "./icmp.ts";
import { encodeIPv4, IPPROTO, type IPv4Option } from "./ipv4.ts";
import { encodeIPv6 } from "./ipv6.ts";
import type { Rng } from "./rng.ts";
import { DEFAULT_TCP_WINDOW, encodeTcp, TCP_FLAG_BITS, type TcpFields } from "./tcp.ts";
import { encodeUdp } from "./udp.ts";
import { checkUint } from "./_validate.ts";

/** IP-level settings. `ttl` and `tos` are the hop limit and traffic class for IPv6. */
export interface IpSpec {
  /** TTL (IPv4) or hop limit (IPv6), default 64. */
  readonly ttl?: number;
  /** TOS (IPv4) or traffic class (IPv6), default 0. */
  readonly tos?: number;
  /** IPv4 identification, default random. */
  readonly id?: number;
  /** IPv4 reserved flag. */
  readonly rf?: boolean;
  /** IPv4 don't-fragment flag. */
  readonly df?: boolean;
  /** IPv4 more-fragments flag. */
  readonly mf?: boolean;
  /** IPv4 fragment offset in 8-byte units. */
  readonly fragmentOffset?: number;
  /** IPv4 options, padded automatically. */
  readonly options?: readonly IPv4Option[];
  /** IPv4 header checksum override. */
  readonly checksum?: number;
  /** IPv6 flow label (20 bits), default 0. */
  readonly flowLabel?: number;
}

/**
 * A TCP segment: the {@linkcode TcpFields} of the encoder (with their defaults) except the ones
 * below, whose defaults differ. Unset `sport`, `seq` (and `ack` with the ACK flag) are random; the
 * payload is {@linkcode PacketSpec.payload}.
 */
export interface TcpSpec extends Omit<TcpFields, "sport" | "seq" | "ack" | "flags" | "payload"> {
  /** Selects TCP. */
  readonly protocol: "tcp";
  /** Source port, default random in 32768..60999. */
  readonly sport?: number;
  /** Sequence number, default random. */
  readonly seq?: number;
  /** Acknowledgment number, default random with the ACK flag, else 0. */
  readonly ack?: number;
  /** Flag bits ({@linkcode TCP_FLAG_BITS}), default SYN. */
  readonly flags?: number;
}

/** A UDP datagram. Unset `sport` is random. */
export interface UdpSpec {
  /** Selects UDP. */
  readonly protocol: "udp";
  /** Destination port. */
  readonly dport: number;
  /** Source port, default random in 32768..60999. */
  readonly sport?: number;
  /** Length override. */
  readonly length?: number;
  /** Checksum override. */
  readonly checksum?: number;
}

/** An ICMP (IPv4) or ICMPv6 message; the protocol must match the address family. */
export interface IcmpSpec {
  /** "icmp" over IPv4, "icmpv6" over IPv6. */
  readonly protocol: "icmp" | "icmpv6";
  /** Default echo request (8, or 128 for ICMPv6). */
  readonly type?: number;
  /** Code, default 0. */
  readonly code?: number;
  /** Echo id, default random. */
  readonly id?: number;
  /** Echo sequence, default 0. */
  readonly seq?: number;
  /** The 4 bytes after the checksum, instead of `id`/`seq`. */
  readonly rest?: Uint8Array;
  /** Checksum override. */
  readonly checksum?: number;
}

/** Any other protocol: `payload` becomes the IP payload as is. */
export interface RawSpec {
  /** Selects a raw IP payload. */
  readonly protocol: "raw";
  /** IP protocol / next header number. */
  readonly number: number;
}

/** What travels above IP. */
export type TransportSpec = TcpSpec | UdpSpec | IcmpSpec | RawSpec;

/** Which checksum to get deliberately wrong: `true` means "transport". */
export type BadChecksum = boolean | "transport" | "ip" | "both";

/** One packet to build. */
export interface PacketSpec {
  /** Required family; default the family of the addresses. */
  readonly family?: 4 | 6;
  /** Source address, text (`10.0.0.1`, `fd00::1`) or 4/16 bytes. */
  readonly src: string | Uint8Array;
  /** Destination address, text or bytes, same family as `src`. */
  readonly dst: string | Uint8Array;
  /** IP header settings. */
  readonly ip?: IpSpec;
  /** The transport header. */
  readonly transport: TransportSpec;
  /** Data carried by the transport (or the IP payload for `raw`). */
  readonly payload?: Uint8Array;
  /** Get a checksum wrong on purpose (see {@linkcode wrongChecksum}); only when asked. */
  readonly badChecksum?: BadChecksum;
}

/** IP header values as encoded, random ones resolved. */
export interface BuiltIp {
  /** TTL or hop limit. */
  readonly ttl: number;
  /** TOS or traffic class. */
  readonly tos: number;
  /** IPv4 only. */
  readonly id?: number;
  /** IPv4 only. */
  readonly checksum?: number;
  /** IPv6 only. */
  readonly flowLabel?: number;
}

/** Transport values as encoded, random ones resolved, checksum as sent. */
export type BuiltTransport =
  | {
    readonly protocol: "tcp";
    readonly sport: number;
    readonly dport: number;
    readonly seq: number;
    readonly ack: number;
    readonly flags: number;
    readonly window: number;
    readonly checksum: number;
  }
  | { readonly protocol: "udp"; readonly sport: number; readonly dport: number; readonly checksum: number }
  | {
    readonly protocol: "icmp" | "icmpv6";
    readonly type: number;
    readonly code: number;
    readonly id: number;
    readonly seq: number;
    readonly checksum: number;
  }
  | { readonly protocol: "raw"; readonly number: number };

/** The bytes of a built packet and the values that went into them. */
export interface BuiltPacket {
  /** The full IP datagram. */
  readonly bytes: Uint8Array;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Canonical source address text. */
  readonly src: string;
  /** Canonical destination address text. */
  readonly dst: string;
  /** IP header values. */
  readonly ip: BuiltIp;
  /** Transport values. */
  readonly transport: BuiltTransport;
}

const V4_ONLY = ["id", "rf", "df", "mf", "fragmentOffset", "options", "checksum"] as const;

function toAddress(name: string, value: string | Uint8Array): Uint8Array {
  if (typeof value === "string") return parseIP(value).bytes;
  if (value.length !== 4 && value.length !== 16) {
    throw new RangeError(`"${name}" must be 4 or 16 bytes, got ${value.length}`);
  }
  return value;
}

function familyOf(bytes: Uint8Array): 4 | 6 {
  return bytes.length === 4 ? 4 : 6;
}

/**
 * Builds the full IP datagram described by `spec` and reports the values used.
 * Random fields left unset are drawn from `rng` (see the module notes for the order).
 *
 * @throws {RangeError} naming the field, when a value is out of range or does not fit the family.
 * @throws {import("./address.ts").AddressSyntaxError} when an address text does not parse.
 */
export function buildPacketDetailed(spec: PacketSpec, rng: Rng): BuiltPacket {
  const src = toAddress("src", spec.src);
  const dst = toAddress("dst", spec.dst);
  const family = familyOf(src);
  if (familyOf(dst) !== family) {
    throw new RangeError(`"dst" is IPv${familyOf(dst)} but "src" is IPv${family}`);
  }
  if (spec.family !== undefined && spec.family !== family) {
    throw new RangeError(`"family" is ${spec.family} but the addresses are IPv${family}`);
  }
  const ip = spec.ip ?? {};
  if (family === 6) {
    for (const key of V4_ONLY) {
      if (ip[key] !== undefined) throw new RangeError(`"${key}" applies to IPv4 only`);
    }
  } else if (ip.flowLabel !== undefined) {
    throw new RangeError(`"flowLabel" applies to IPv6 only`);
  }
  const bad = spec.badChecksum === true
    ? "transport"
    : spec.badChecksum === false
    ? undefined
    : spec.badChecksum;
  const badTransport = bad === "transport" || bad === "both";
  const badIp = bad === "ip" || bad === "both";
  if (badIp && family === 6) {
    throw new RangeError(`"badChecksum" "${bad}" needs IPv4: IPv6 has no header checksum`);
  }
  if (badIp && ip.checksum !== undefined) {
    throw new RangeError(`"badChecksum" and "checksum" are both set for IP`);
  }

  const ttl = checkUint("ttl", ip.ttl ?? 64, 8);
  const tos = checkUint("tos", ip.tos ?? 0, 8);
  const id = family === 4 ? (ip.id ?? rng.int(0, 0xffff)) : undefined;
  const payload = spec.payload ?? new Uint8Array();
  const addresses = { src, dst };
  const t = spec.transport;
  if (badTransport && t.protocol === "raw") {
    throw new RangeError(`"badChecksum" needs a TCP, UDP or ICMP transport`);
  }
  if (badTransport && t.protocol !== "raw" && t.checksum !== undefined) {
    throw new RangeError(`"badChecksum" and "checksum" are both set for ${t.protocol.toUpperCase()}`);
  }

  let segment: Uint8Array;
  let protocol: number;
  let checksumOffset = -1;
  let transport: BuiltTransport;
  switch (t.protocol) {
    case "tcp": {
      const sport = t.sport ?? rng.int(32768, 60999);
      const flags = t.flags ?? TCP_FLAG_BITS.syn;
      const seq = t.seq ?? rng.nextU32();
      const ack = t.ack ?? ((flags & TCP_FLAG_BITS.ack) !== 0 ? rng.nextU32() : 0);
      const window = t.window ?? DEFAULT_TCP_WINDOW;
      segment = encodeTcp({
        sport,
        dport: t.dport,
        seq,
        ack,
        flags,
        window,
        ...(t.urgentPointer === undefined ? {} : { urgentPointer: t.urgentPointer }),
        ...(t.options === undefined ? {} : { options: t.options }),
        ...(t.reserved === undefined ? {} : { reserved: t.reserved }),
        ...(t.dataOffset === undefined ? {} : { dataOffset: t.dataOffset }),
        ...(t.checksum === undefined ? {} : { checksum: t.checksum }),
        payload,
      }, addresses);
      protocol = IPPROTO.tcp;
      checksumOffset = 16;
      transport = { protocol: "tcp", sport, dport: t.dport, seq, ack, flags, window, checksum: 0 };
      break;
    }
    case "udp": {
      const sport = t.sport ?? rng.int(32768, 60999);
      segment = encodeUdp({
        sport,
        dport: t.dport,
        ...(t.length === undefined ? {} : { length: t.length }),
        ...(t.checksum === undefined ? {} : { checksum: t.checksum }),
        payload,
      }, addresses);
      protocol = IPPROTO.udp;
      checksumOffset = 6;
      transport = { protocol: "udp", sport, dport: t.dport, checksum: 0 };
      break;
    }
    case "icmp":
    case "icmpv6": {
      if ((t.protocol === "icmp") !== (family === 4)) {
        throw new RangeError(
          `"${t.protocol}" does not fit IPv${family}; use "${family === 4 ? "icmp" : "icmpv6"}"`,
        );
      }
      const type = t.type ?? (family === 4 ? ICMP_TYPE.echoRequest : ICMPV6_TYPE.echoRequest);
      const code = t.code ?? 0;
      const echoId = t.rest !== undefined ? 0 : (t.id ?? rng.int(0, 0xffff));
      const seq = t.rest !== undefined ? 0 : (t.seq ?? 0);
      const fields = {
        type,
        code,
        id: echoId,
        seq,
        ...(t.rest === undefined ? {} : { rest: t.rest }),
        ...(t.checksum === undefined ? {} : { checksum: t.checksum }),
        payload,
      };
      segment = family === 4 ? encodeIcmp(fields) : encodeIcmpv6(fields, addresses);
      protocol = family === 4 ? IPPROTO.icmp : IPPROTO.icmpv6;
      checksumOffset = 2;
      const view = new DataView(segment.buffer, segment.byteOffset);
      transport = {
        protocol: t.protocol,
        type,
        code,
        id: view.getUint16(4),
        seq: view.getUint16(6),
        checksum: 0,
      };
      break;
    }
    case "raw":
      protocol = checkUint("number", t.number, 8);
      segment = payload;
      transport = { protocol: "raw", number: protocol };
      break;
  }

  if (checksumOffset >= 0) {
    const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
    if (badTransport) view.setUint16(checksumOffset, wrongChecksum(view.getUint16(checksumOffset)));
    transport = { ...transport, checksum: view.getUint16(checksumOffset) } as BuiltTransport;
  }

  let bytes: Uint8Array;
  let builtIp: BuiltIp;
  if (family === 4) {
    bytes = encodeIPv4({
      src,
      dst,
      protocol,
      ttl,
      tos,
      id: id!,
      ...(ip.rf === undefined ? {} : { rf: ip.rf }),
      ...(ip.df === undefined ? {} : { df: ip.df }),
      ...(ip.mf === undefined ? {} : { mf: ip.mf }),
      ...(ip.fragmentOffset === undefined ? {} : { fragmentOffset: ip.fragmentOffset }),
      ...(ip.options === undefined ? {} : { options: ip.options }),
      ...(ip.checksum === undefined ? {} : { checksum: ip.checksum }),
    }, segment);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (badIp) view.setUint16(10, wrongChecksum(view.getUint16(10)));
    builtIp = { ttl, tos, id: id!, checksum: view.getUint16(10) };
  } else {
    const flowLabel = ip.flowLabel ?? 0;
    bytes = encodeIPv6(
      { src, dst, nextHeader: protocol, hopLimit: ttl, trafficClass: tos, flowLabel },
      segment,
    );
    builtIp = { ttl, tos, flowLabel };
  }
  return { bytes, family, src: formatIP(src), dst: formatIP(dst), ip: builtIp, transport };
}

/**
 * Builds the full IP datagram described by `spec` (see {@linkcode buildPacketDetailed}).
 *
 * @example
 * ```ts
 * import { buildPacket, createRng, TCP_FLAG_BITS } from "./mod.ts";
 * const syn = buildPacket(
 *   { src: "10.0.0.1", dst: "10.0.0.2", transport: { protocol: "tcp", dport: 7000, flags: TCP_FLAG_BITS.syn } },
 *   createRng(1),
 * );
 * syn.length; // 40
 * ```
 */
export function buildPacket(spec: PacketSpec, rng: Rng): Uint8Array {
  return buildPacketDetailed(spec, rng).bytes;
}
