/**
 * UDP datagram encoder (RFC 768) with the checksum over the IPv4 or IPv6 pseudo-header.
 *
 * @module
 */
import { checkUint } from "./_validate.ts";
import { internetChecksum, pseudoHeader } from "./checksum.ts";
import { IPPROTO } from "./ipv4.ts";
import type { PseudoAddresses } from "./tcp.ts";

/** Every UDP header field; optional ones default as documented. */
export interface UdpFields {
  /** Source port. */
  readonly sport: number;
  /** Destination port. */
  readonly dport: number;
  /** Length override; default 8 + payload length. */
  readonly length?: number;
  /** Checksum override (0 means "no checksum" over IPv4); default computed. */
  readonly checksum?: number;
  /** Datagram data. */
  readonly payload?: Uint8Array;
}

/**
 * Encodes a UDP datagram with its checksum computed over the pseudo-header of `addresses`.
 * A computed checksum of 0 is sent as 0xffff (RFC 768; mandatory for IPv6, RFC 8200 §8.1).
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeUdp(fields: UdpFields, addresses: PseudoAddresses): Uint8Array {
  const payload = fields.payload ?? new Uint8Array();
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  if (fields.length === undefined && out.length > 0xffff) {
    throw new RangeError(`UDP datagram must be at most 65535 bytes, got ${out.length}`);
  }
  view.setUint16(0, checkUint("sport", fields.sport, 16));
  view.setUint16(2, checkUint("dport", fields.dport, 16));
  view.setUint16(4, checkUint("length", fields.length ?? out.length, 16));
  out.set(payload, 8);
  let checksum: number;
  if (fields.checksum === undefined) {
    checksum = internetChecksum(pseudoHeader(addresses.src, addresses.dst, IPPROTO.udp, out.length), out);
    if (checksum === 0) checksum = 0xffff;
  } else {
    checksum = checkUint("checksum", fields.checksum, 16);
  }
  view.setUint16(6, checksum);
  return out;
}
