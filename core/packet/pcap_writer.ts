/**
 * Classic libpcap file writer (the `.pcap` format tcpdump reads), as pure byte building:
 * a 24-byte global header, then one 16-byte record header plus data per packet.
 * Little-endian, version 2.4, microsecond or nanosecond timestamps.
 *
 * @module
 */
import { checkInt, checkUint, concatBytes } from "./_validate.ts";

/** Link-layer header types (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  /** Ethernet II frames. */
  ethernet: 1,
  /** Raw IPv4 or IPv6 datagrams, no link-layer header. */
  raw: 101,
} as const;

/** File-level settings. */
export interface PcapWriterOptions {
  /** Link-layer type, default {@linkcode LINKTYPE}.raw (101). */
  readonly linkType?: number;
  /** Snapshot length; longer packets are truncated, `originalLength` kept. Default 262144. */
  readonly snapLength?: number;
  /** Timestamp resolution, default "micro" (magic 0xa1b2c3d4; "nano" uses 0xa1b23c4d). */
  readonly precision?: "micro" | "nano";
}

/** One captured packet. */
export interface PcapPacket {
  /** Timestamp in milliseconds since the Unix epoch, fractions allowed. */
  readonly timeMs: number;
  /** Packet bytes, starting with the link-layer header of the file's link type. */
  readonly data: Uint8Array;
  /** Length on the wire if larger than `data` (default `data.length`). */
  readonly originalLength?: number;
}

const DEFAULT_SNAP_LENGTH = 262144;

/** The 24-byte global header. */
export function encodePcapHeader(options: PcapWriterOptions = {}): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, options.precision === "nano" ? 0xa1b23c4d : 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // thiszone and sigfigs stay 0.
  view.setUint32(16, checkInt("snapLength", options.snapLength ?? DEFAULT_SNAP_LENGTH, 1, 0x7fffffff), true);
  view.setUint32(20, checkUint("linkType", options.linkType ?? LINKTYPE.raw, 32), true);
  return out;
}

/** One record: the 16-byte record header and the (possibly truncated) data. */
export function encodePcapRecord(packet: PcapPacket, options: PcapWriterOptions = {}): Uint8Array {
  if (!Number.isFinite(packet.timeMs) || packet.timeMs < 0 || packet.timeMs >= 2 ** 32 * 1000) {
    throw new RangeError(
      `"timeMs" must be 0 up to 2**32 seconds in milliseconds, got ${String(packet.timeMs)}`,
    );
  }
  const snapLength = options.snapLength ?? DEFAULT_SNAP_LENGTH;
  const captured = Math.min(packet.data.length, snapLength);
  const originalLength = checkInt(
    "originalLength",
    packet.originalLength ?? packet.data.length,
    packet.data.length,
    0xffffffff,
  );
  const perSecond = options.precision === "nano" ? 1e9 : 1e6;
  let seconds = Math.floor(packet.timeMs / 1000);
  let fraction = Math.round((packet.timeMs - seconds * 1000) * (perSecond / 1000));
  if (fraction >= perSecond) {
    seconds += 1;
    fraction -= perSecond;
  }
  const out = new Uint8Array(16 + captured);
  const view = new DataView(out.buffer);
  view.setUint32(0, seconds, true);
  view.setUint32(4, fraction, true);
  view.setUint32(8, captured, true);
  view.setUint32(12, originalLength, true);
  out.set(packet.data.subarray(0, captured), 16);
  return out;
}

/**
 * A whole pcap file: global header followed by every packet in order.
 *
 * @example
 * ```ts
 * import { encodePcap, LINKTYPE } from "./pcap_writer.ts";
 * const file = encodePcap([{ timeMs: 1_700_000_000_000, data: new Uint8Array(20) }], { linkType: LINKTYPE.raw });
 * file.length; // 24 + 16 + 20
 * ```
 */
export function encodePcap(packets: Iterable<PcapPacket>, options: PcapWriterOptions = {}): Uint8Array {
  const parts = [encodePcapHeader(options)];
  for (const packet of packets) parts.push(encodePcapRecord(packet, options));
  return concatBytes(parts);
}
