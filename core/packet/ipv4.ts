/**
 * IPv4 header encoder (RFC 791) with options padded to a 4-byte boundary.
 *
 * @module
 */
import { checkAddress, checkInt, checkUint } from "./_validate.ts";
import { encodeTlvOption, MAX_OPTIONS_LENGTH, padOptions } from "./_options.ts";
import { internetChecksum } from "./checksum.ts";

/** An IPv4 option. Options are concatenated in order and padded with EOL (0) bytes. */
export type IPv4Option =
  /** End of option list (type 0, one byte). */
  | { readonly type: "eol" }
  /** No operation (type 1, one byte). */
  | { readonly type: "nop" }
  /**
   * Record route (7), loose (131) or strict (137) source route: `pointer` (default 4, the first
   * slot) and one 4-byte address per slot (use `0.0.0.0` for empty record-route slots).
   */
  | {
    readonly type: "rr" | "lsrr" | "ssrr";
    readonly addresses: readonly Uint8Array[];
    readonly pointer?: number;
  }
  /**
   * Internet timestamp (type 68): `pointer` (default 5), `overflow` and `flag` nibbles (flag 0:
   * timestamps only, 1: address+timestamp pairs, 3: prespecified addresses), then 32-bit `words`.
   */
  | {
    readonly type: "timestamp";
    readonly words: readonly number[];
    readonly flag?: number;
    readonly overflow?: number;
    readonly pointer?: number;
  }
  /** Router alert (RFC 2113, type 148, length 4), `value` default 0. */
  | { readonly type: "routerAlert"; readonly value?: number }
  /** Any type-length-value option: `kind` byte, a length byte computed as `2 + data.length`, `data`. */
  | { readonly type: "raw"; readonly kind: number; readonly data: Uint8Array }
  /** Bytes copied verbatim (for deliberately malformed options). */
  | { readonly type: "bytes"; readonly bytes: Uint8Array };

/** Largest IPv4 options area (IHL 15 × 4 − 20). */
export const MAX_IPV4_OPTIONS_LENGTH = MAX_OPTIONS_LENGTH;

/** IANA protocol numbers used by the encoders. */
export const IPPROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

/** Every IPv4 header field; optional ones default as documented. */
export interface IPv4Fields {
  /** Source address, 4 bytes. */
  readonly src: Uint8Array;
  /** Destination address, 4 bytes. */
  readonly dst: Uint8Array;
  /** Protocol of the payload (6 TCP, 17 UDP, 1 ICMP, ...). */
  readonly protocol: number;
  /** Type of service / DSCP+ECN byte, default 0. */
  readonly tos?: number;
  /** Identification, default 0. */
  readonly id?: number;
  /** Time to live, default 64. */
  readonly ttl?: number;
  /** Reserved ("evil") flag bit 0x8000, default false. */
  readonly rf?: boolean;
  /** Don't fragment, default false. */
  readonly df?: boolean;
  /** More fragments, default false. */
  readonly mf?: boolean;
  /** Fragment offset in 8-byte units, 0..8191, default 0. */
  readonly fragmentOffset?: number;
  /** Options, padded automatically. */
  readonly options?: readonly IPv4Option[];
  /** Version nibble override, default 4. */
  readonly version?: number;
  /** Header length override in 32-bit words (0..15); default computed. */
  readonly ihl?: number;
  /** Total length override; default header + payload. */
  readonly totalLength?: number;
  /** Header checksum override (a deliberately wrong value); default computed. */
  readonly checksum?: number;
}

/** Encodes IPv4 options, padded with EOL bytes to a multiple of 4; at most 40 bytes. */
export function encodeIPv4Options(options: readonly IPv4Option[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const option of options) {
    switch (option.type) {
      case "eol":
        parts.push(Uint8Array.of(0));
        break;
      case "nop":
        parts.push(Uint8Array.of(1));
        break;
      case "rr":
      case "lsrr":
      case "ssrr": {
        const kind = option.type === "rr" ? 7 : option.type === "lsrr" ? 131 : 137;
        const length = 3 + 4 * option.addresses.length;
        checkInt(`${option.type} length`, length, 3, MAX_IPV4_OPTIONS_LENGTH);
        const out = new Uint8Array(length);
        out[0] = kind;
        out[1] = length;
        out[2] = checkUint(`${option.type} pointer`, option.pointer ?? 4, 8);
        option.addresses.forEach((address, i) =>
          out.set(checkAddress(`${option.type} address`, address, 4), 3 + 4 * i)
        );
        parts.push(out);
        break;
      }
      case "timestamp": {
        const length = 4 + 4 * option.words.length;
        checkInt("timestamp length", length, 4, MAX_IPV4_OPTIONS_LENGTH);
        const out = new Uint8Array(length);
        out[0] = 68;
        out[1] = length;
        out[2] = checkUint("timestamp pointer", option.pointer ?? 5, 8);
        out[3] = (checkUint("timestamp overflow", option.overflow ?? 0, 4) << 4) |
          checkUint("timestamp flag", option.flag ?? 0, 4);
        const view = new DataView(out.buffer);
        option.words.forEach((word, i) => view.setUint32(4 + 4 * i, checkUint("timestamp word", word, 32)));
        parts.push(out);
        break;
      }
      case "routerAlert": {
        const value = checkUint("routerAlert value", option.value ?? 0, 16);
        parts.push(Uint8Array.of(148, 4, value >>> 8, value & 0xff));
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
 * Encodes an IPv4 datagram: header (with computed checksum unless overridden) followed by `payload`.
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeIPv4(fields: IPv4Fields, payload: Uint8Array = new Uint8Array()): Uint8Array {
  checkAddress("src", fields.src, 4);
  checkAddress("dst", fields.dst, 4);
  const options = encodeIPv4Options(fields.options ?? []);
  const headerLength = 20 + options.length;
  const totalLength = fields.totalLength ?? headerLength + payload.length;
  if (fields.totalLength === undefined && totalLength > 0xffff) {
    throw new RangeError(`IPv4 datagram must be at most 65535 bytes, got ${totalLength}`);
  }
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  const version = checkUint("version", fields.version ?? 4, 4);
  const ihl = checkUint("ihl", fields.ihl ?? headerLength / 4, 4);
  out[0] = (version << 4) | ihl;
  out[1] = checkUint("tos", fields.tos ?? 0, 8);
  view.setUint16(2, checkUint("totalLength", totalLength, 16));
  view.setUint16(4, checkUint("id", fields.id ?? 0, 16));
  const fragment = checkUint("fragmentOffset", fields.fragmentOffset ?? 0, 13) |
    (fields.rf === true ? 0x8000 : 0) | (fields.df === true ? 0x4000 : 0) | (fields.mf === true ? 0x2000 : 0);
  view.setUint16(6, fragment);
  out[8] = checkUint("ttl", fields.ttl ?? 64, 8);
  out[9] = checkUint("protocol", fields.protocol, 8);
  out.set(fields.src, 12);
  out.set(fields.dst, 16);
  out.set(options, 20);
  const checksum = fields.checksum === undefined
    ? internetChecksum(out.subarray(0, headerLength))
    : checkUint("checksum", fields.checksum, 16);
  view.setUint16(10, checksum);
  out.set(payload, headerLength);
  return out;
}
