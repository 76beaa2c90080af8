/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) message encoders. ICMPv6 checksums cover the IPv6
 * pseudo-header; ICMP checksums cover the message only.
 *
 * @module
 */
import { checkUint } from "./_validate.ts";
import { internetChecksum, pseudoHeader } from "./checksum.ts";
import { IPPROTO } from "./ipv4.ts";
import type { PseudoAddresses } from "./tcp.ts";

/** Common ICMP types. */
export const ICMP_TYPE = {
  echoReply: 0,
  destinationUnreachable: 3,
  echoRequest: 8,
  timeExceeded: 11,
} as const;
/** Common ICMPv6 types. */
export const ICMPV6_TYPE = { destinationUnreachable: 1, echoRequest: 128, echoReply: 129 } as const;

/** The fields of an ICMP or ICMPv6 message. */
export interface IcmpFields {
  /** Message type (8 echo request, 128 ICMPv6 echo request, ...). */
  readonly type: number;
  /** Code, default 0. */
  readonly code?: number;
  /** Echo identifier (bytes 4–5), default 0. Ignored when `rest` is given. */
  readonly id?: number;
  /** Echo sequence number (bytes 6–7), default 0. Ignored when `rest` is given. */
  readonly seq?: number;
  /** The 4 bytes after the checksum verbatim (gateway, MTU, unused, ...), instead of `id`/`seq`. */
  readonly rest?: Uint8Array;
  /** Checksum override (a deliberately wrong value); default computed. */
  readonly checksum?: number;
  /** Message body after the first 8 bytes. */
  readonly payload?: Uint8Array;
}

function encodeMessage(fields: IcmpFields): Uint8Array {
  const payload = fields.payload ?? new Uint8Array();
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = checkUint("type", fields.type, 8);
  out[1] = checkUint("code", fields.code ?? 0, 8);
  if (fields.rest !== undefined) {
    if (fields.rest.length !== 4) throw new RangeError(`"rest" must be 4 bytes, got ${fields.rest.length}`);
    out.set(fields.rest, 4);
  } else {
    view.setUint16(4, checkUint("id", fields.id ?? 0, 16));
    view.setUint16(6, checkUint("seq", fields.seq ?? 0, 16));
  }
  out.set(payload, 8);
  return out;
}

/**
 * Encodes an ICMP (IPv4) message with its checksum.
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeIcmp(fields: IcmpFields): Uint8Array {
  const out = encodeMessage(fields);
  const checksum = fields.checksum === undefined
    ? internetChecksum(out)
    : checkUint("checksum", fields.checksum, 16);
  new DataView(out.buffer).setUint16(2, checksum);
  return out;
}

/**
 * Encodes an ICMPv6 message with its checksum over the IPv6 pseudo-header of `addresses`.
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeIcmpv6(fields: IcmpFields, addresses: PseudoAddresses): Uint8Array {
  const out = encodeMessage(fields);
  if (addresses.src.length !== 16 || addresses.dst.length !== 16) {
    throw new RangeError(
      `ICMPv6 needs 16-byte IPv6 addresses, got ${addresses.src.length} and ${addresses.dst.length}`,
    );
  }
  const checksum = fields.checksum === undefined
    ? internetChecksum(pseudoHeader(addresses.src, addresses.dst, IPPROTO.icmpv6, out.length), out)
    : checkUint("checksum", fields.checksum, 16);
  new DataView(out.buffer).setUint16(2, checksum);
  return out;
}
