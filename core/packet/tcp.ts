/**
 * TCP segment encoder (RFC 9293) with all nine flags, options padded automatically and the
 * checksum over the IPv4 or IPv6 pseudo-header.
 *
 * @module
 */
export { TCP_FLAG_BITS } from "../config/flags.ts";
import { checkInt, checkUint } from "./_validate.ts";
import { encodeTlvOption, MAX_OPTIONS_LENGTH, padOptions } from "./_options.ts";
import { internetChecksum, pseudoHeader } from "./checksum.ts";
import { IPPROTO } from "./ipv4.ts";

/** All nine flag bits. */
export const TCP_FLAGS_MASK = 0x1ff;

/** A TCP option. Options are concatenated in order and padded with EOL (0) bytes. */
export type TcpOption =
  /** End of option list (kind 0). */
  | { readonly type: "eol" }
  /** No operation (kind 1). */
  | { readonly type: "nop" }
  /** Maximum segment size (kind 2, length 4). */
  | { readonly type: "mss"; readonly value: number }
  /** Window scale (kind 3, length 3); RFC 7323 caps the shift at 14 but any byte is encoded. */
  | { readonly type: "wscale"; readonly shift: number }
  /** SACK permitted (kind 4, length 2). */
  | { readonly type: "sackPermitted" }
  /** SACK (kind 5), one `[left, right]` pair of 32-bit edges per block. */
  | { readonly type: "sack"; readonly blocks: readonly (readonly [number, number])[] }
  /** Timestamps (kind 8, length 10): TSval and TSecr. */
  | { readonly type: "timestamp"; readonly value: number; readonly echo: number }
  /** Any type-length-value option: `kind`, a length byte `2 + data.length`, `data`. */
  | { readonly type: "raw"; readonly kind: number; readonly data: Uint8Array }
  /** Bytes copied verbatim (for deliberately malformed options). */
  | { readonly type: "bytes"; readonly bytes: Uint8Array };

/** Largest TCP options area (data offset 15 × 4 − 20). */
export const MAX_TCP_OPTIONS_LENGTH = MAX_OPTIONS_LENGTH;

/** Every TCP header field; optional ones default as documented. */
export interface TcpFields {
  /** Source port. */
  readonly sport: number;
  /** Destination port. */
  readonly dport: number;
  /** Sequence number, default 0. */
  readonly seq?: number;
  /** Acknowledgment number, default 0. */
  readonly ack?: number;
  /** Flag bits, FIN=0x01 … CWR=0x80, NS=0x100 (see {@linkcode TCP_FLAG_BITS}); default 0. */
  readonly flags?: number;
  /** Window, default 64240. */
  readonly window?: number;
  /** Urgent pointer, default 0. */
  readonly urgentPointer?: number;
  /** Options, padded automatically to a multiple of 4 bytes. */
  readonly options?: readonly TcpOption[];
  /** The 3 reserved bits between data offset and NS, default 0. */
  readonly reserved?: number;
  /** Data offset override in 32-bit words (0..15); default computed from the options. */
  readonly dataOffset?: number;
  /** Checksum override (a deliberately wrong value); default computed. */
  readonly checksum?: number;
  /** Segment data. */
  readonly payload?: Uint8Array;
}

/** The addresses of the enclosing IP header, needed for the pseudo-header: 4 or 16 bytes each. */
export interface PseudoAddresses {
  /** Source address of the IP header. */
  readonly src: Uint8Array;
  /** Destination address of the IP header. */
  readonly dst: Uint8Array;
}

/** Default TCP window: 64240, what Linux offers in a SYN for a 1460-byte MSS (not a tool fingerprint). */
export const DEFAULT_TCP_WINDOW = 64240;

/** Encodes TCP options, padded with EOL bytes to a multiple of 4; at most 40 bytes. */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const option of options) {
    switch (option.type) {
      case "eol":
        parts.push(Uint8Array.of(0));
        break;
      case "nop":
        parts.push(Uint8Array.of(1));
        break;
      case "mss": {
        const value = checkUint("mss", option.value, 16);
        parts.push(Uint8Array.of(2, 4, value >>> 8, value & 0xff));
        break;
      }
      case "wscale":
        parts.push(Uint8Array.of(3, 3, checkUint("wscale", option.shift, 8)));
        break;
      case "sackPermitted":
        parts.push(Uint8Array.of(4, 2));
        break;
      case "sack": {
        const out = new Uint8Array(2 + 8 * option.blocks.length);
        checkInt("sack length", out.length, 2, MAX_TCP_OPTIONS_LENGTH);
        out[0] = 5;
        out[1] = out.length;
        const view = new DataView(out.buffer);
        option.blocks.forEach(([left, right], i) => {
          view.setUint32(2 + 8 * i, checkUint("sack left edge", left, 32));
          view.setUint32(6 + 8 * i, checkUint("sack right edge", right, 32));
        });
        parts.push(out);
        break;
      }
      case "timestamp": {
        const out = new Uint8Array(10);
        out[0] = 8;
        out[1] = 10;
        const view = new DataView(out.buffer);
        view.setUint32(2, checkUint("timestamp value", option.value, 32));
        view.setUint32(6, checkUint("timestamp echo", option.echo, 32));
        parts.push(out);
        break;
      }
      case "raw":
        parts.push(encodeTlvOption(option.kind, option.data));
        break;
      case "bytes":
        parts.push(option.bytes);
        break;
    }
  }
  return padOptions(parts);
}

/**
 * Encodes a TCP segment (header, options, payload) with its checksum computed over the
 * pseudo-header of `addresses` (IPv4 when 4-byte addresses, IPv6 when 16-byte) unless overridden.
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeTcp(fields: TcpFields, addresses: PseudoAddresses): Uint8Array {
  const options = encodeTcpOptions(fields.options ?? []);
  const payload = fields.payload ?? new Uint8Array();
  const headerLength = 20 + options.length;
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, checkUint("sport", fields.sport, 16));
  view.setUint16(2, checkUint("dport", fields.dport, 16));
  view.setUint32(4, checkUint("seq", fields.seq ?? 0, 32));
  view.setUint32(8, checkUint("ack", fields.ack ?? 0, 32));
  const flags = checkUint("flags", fields.flags ?? 0, 9);
  const dataOffset = checkUint("dataOffset", fields.dataOffset ?? headerLength / 4, 4);
  out[12] = (dataOffset << 4) | (checkUint("reserved", fields.reserved ?? 0, 3) << 1) | (flags >>> 8);
  out[13] = flags & 0xff;
  view.setUint16(14, checkUint("window", fields.window ?? DEFAULT_TCP_WINDOW, 16));
  view.setUint16(18, checkUint("urgentPointer", fields.urgentPointer ?? 0, 16));
  out.set(options, 20);
  out.set(payload, headerLength);
  const checksum = fields.checksum === undefined
    ? internetChecksum(pseudoHeader(addresses.src, addresses.dst, IPPROTO.tcp, out.length), out)
    : checkUint("checksum", fields.checksum, 16);
  view.setUint16(16, checksum);
  return out;
}
