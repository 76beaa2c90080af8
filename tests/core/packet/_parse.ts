/**
 * Test-only helpers: hex conversion, a naive independent checksum and a minimal parser of the
 * packets core/packet builds (the real decoder lives in core/decode and is not used here).
 *
 * @module
 */

/** Lowercase hex of `bytes`, no separators. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a hex string; spaces and newlines are ignored. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex in test: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The RFC 1071 sum done the plainest way (concatenate, pad, add words, fold), not complemented. */
export function naiveSum(...parts: Uint8Array[]): number {
  const all = parts.flatMap((p) => Array.from(p));
  if (all.length % 2 === 1) all.push(0);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += all[i]! * 256 + all[i + 1]!;
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** The pseudo-header built by hand from the RFC layouts. */
export function naivePseudo(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length === 4) {
    return Uint8Array.from([...src, ...dst, 0, proto, length >> 8, length & 0xff]);
  }
  return Uint8Array.from([
    ...src,
    ...dst,
    (length >>> 24) & 0xff,
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
    0,
    0,
    0,
    proto,
  ]);
}

/** A datagram split into its IP header fields and its payload. */
export interface ParsedIp {
  version: number;
  headerLength: number;
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  ttl: number;
  tos: number;
  id: number;
  flagsAndOffset: number;
  flowLabel: number;
  totalLength: number;
  options: Uint8Array;
  payload: Uint8Array;
  /** True when the IPv4 header sums to 0xffff (always true for IPv6). */
  headerChecksumOk: boolean;
}

/** Parses an IPv4 or IPv6 header (no extension headers). */
export function parseIp(bytes: Uint8Array): ParsedIp {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0]! >> 4;
  if (version === 4) {
    const headerLength = (bytes[0]! & 0x0f) * 4;
    return {
      version,
      headerLength,
      tos: bytes[1]!,
      totalLength: v.getUint16(2),
      id: v.getUint16(4),
      flagsAndOffset: v.getUint16(6),
      ttl: bytes[8]!,
      protocol: bytes[9]!,
      src: bytes.slice(12, 16),
      dst: bytes.slice(16, 20),
      options: bytes.slice(20, headerLength),
      payload: bytes.slice(headerLength, v.getUint16(2)),
      flowLabel: 0,
      headerChecksumOk: naiveSum(bytes.subarray(0, headerLength)) === 0xffff,
    };
  }
  const word = v.getUint32(0);
  return {
    version,
    headerLength: 40,
    tos: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    totalLength: 40 + v.getUint16(4),
    protocol: bytes[6]!,
    ttl: bytes[7]!,
    src: bytes.slice(8, 24),
    dst: bytes.slice(24, 40),
    id: 0,
    flagsAndOffset: 0,
    options: new Uint8Array(),
    payload: bytes.slice(40, 40 + v.getUint16(4)),
    headerChecksumOk: true,
  };
}

/** True when a TCP/UDP/ICMPv6 segment's checksum verifies over the pseudo-header (naive sum). */
export function transportChecksumOk(ip: ParsedIp): boolean {
  if (ip.protocol === 1) return naiveSum(ip.payload) === 0xffff;
  return naiveSum(naivePseudo(ip.src, ip.dst, ip.protocol, ip.payload.length), ip.payload) === 0xffff;
}

/** The TCP header fields of a segment. */
export interface ParsedTcp {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  dataOffset: number;
  flags: number;
  window: number;
  checksum: number;
  urgentPointer: number;
  options: Uint8Array;
  payload: Uint8Array;
}

/** Parses a TCP segment; the 9 flags come back as FIN=0x01 … NS=0x100. */
export function parseTcp(segment: Uint8Array): ParsedTcp {
  const v = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const dataOffset = segment[12]! >> 4;
  return {
    sport: v.getUint16(0),
    dport: v.getUint16(2),
    seq: v.getUint32(4),
    ack: v.getUint32(8),
    dataOffset,
    flags: ((segment[12]! & 1) << 8) | segment[13]!,
    window: v.getUint16(14),
    checksum: v.getUint16(16),
    urgentPointer: v.getUint16(18),
    options: segment.slice(20, dataOffset * 4),
    payload: segment.slice(dataOffset * 4),
  };
}
