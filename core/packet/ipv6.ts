/**
 * IPv6 fixed header encoder (RFC 8200 §3). Extension headers are not built here: pass them as
 * the start of `payload` with the matching `nextHeader`.
 *
 * @module
 */
import { checkAddress, checkUint } from "./_validate.ts";

/** Every IPv6 header field; optional ones default as documented. */
export interface IPv6Fields {
  /** Source address, 16 bytes. */
  readonly src: Uint8Array;
  /** Destination address, 16 bytes. */
  readonly dst: Uint8Array;
  /** Next header (6 TCP, 17 UDP, 58 ICMPv6, ...). */
  readonly nextHeader: number;
  /** Traffic class byte, default 0. */
  readonly trafficClass?: number;
  /** Flow label, 20 bits, default 0. */
  readonly flowLabel?: number;
  /** Hop limit, default 64. */
  readonly hopLimit?: number;
  /** Version nibble override, default 6. */
  readonly version?: number;
  /** Payload length override; default the payload's length. */
  readonly payloadLength?: number;
}

/**
 * Encodes an IPv6 packet: the 40-byte header followed by `payload`.
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeIPv6(fields: IPv6Fields, payload: Uint8Array = new Uint8Array()): Uint8Array {
  checkAddress("src", fields.src, 16);
  checkAddress("dst", fields.dst, 16);
  if (fields.payloadLength === undefined && payload.length > 0xffff) {
    throw new RangeError(
      `IPv6 payload must be at most 65535 bytes without a jumbogram, got ${payload.length}`,
    );
  }
  const out = new Uint8Array(40 + payload.length);
  const view = new DataView(out.buffer);
  const version = checkUint("version", fields.version ?? 6, 4);
  const trafficClass = checkUint("trafficClass", fields.trafficClass ?? 0, 8);
  const flowLabel = checkUint("flowLabel", fields.flowLabel ?? 0, 20);
  view.setUint32(0, ((version << 28) | (trafficClass << 20) | flowLabel) >>> 0);
  view.setUint16(4, checkUint("payloadLength", fields.payloadLength ?? payload.length, 16));
  out[6] = checkUint("nextHeader", fields.nextHeader, 8);
  out[7] = checkUint("hopLimit", fields.hopLimit ?? 64, 8);
  out.set(fields.src, 8);
  out.set(fields.dst, 24);
  out.set(payload, 40);
  return out;
}
