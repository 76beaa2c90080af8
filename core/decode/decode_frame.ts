/**
 * Frame decoder: link layer → IPv4/IPv6 → TCP/UDP → {@linkcode Knock}.
 *
 * @module
 */
import type { Knock } from "../knock.ts";
import { formatIPv4At, formatIPv6At } from "../address.ts";
import { LinkType } from "./link_type.ts";
import type { DecodeReason, DecodeResult } from "./types.ts";

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const MAX_VLAN_TAGS = 8;
const MAX_IPV6_EXT_HEADERS = 8;

const PROTO_TCP = 6;
const PROTO_UDP = 17;

function fail(reason: DecodeReason): DecodeResult {
  return { ok: false, reason };
}

/**
 * Where a decoded packet's transport payload lies in the frame, filled in by {@linkcode decodeFrame} when given
 * (one object reused for every frame: no allocation). `length` is what the IP (and UDP) length fields claim;
 * the capture may hold less (`captured` says how much of it is there).
 */
export interface PayloadSlot {
  /** Offset of the payload's first byte in the frame. */
  offset: number;
  /** The payload's length as the headers give it. */
  length: number;
  /** How many of those bytes the capture holds. */
  captured: number;
}

/**
 * Decodes one captured frame into a {@linkcode Knock}, or says why it is not one. Never throws.
 *
 * Link types: Ethernet (with any number up to 8 of 802.1Q / 802.1ad tags), Linux cooked SLL and SLL2 (VLAN
 * tags after the cooked header are followed too), raw IP (`DLT_RAW`, `LINKTYPE_RAW`, `DLT_IPV4`,
 * `DLT_IPV6`). IPv4 and IPv6 work on every link type.
 *
 * Length policy: the IP length field (IPv4 total length, IPv6 payload length) marks the end of the packet, so
 * Ethernet padding after it is ignored. A capture cut shorter than the IP length (a small snaplen) is accepted
 * as long as the fixed transport header (TCP 20 bytes, UDP 8 bytes) is captured; TCP options need not be. A
 * transport header that the IP length field says does not fit is rejected (`l4-exceeds-ip-length`).
 * An IPv6 payload length of 0 with a hop-by-hop header (a jumbogram) means "up to the end of the capture".
 *
 * Fragments: only a fragment with offset 0 carries the ports; it decodes like a whole packet. Later fragments
 * give `fragment-not-first`.
 *
 * The only allocations are a `DataView` (not when the same view of a buffer comes again with the same
 * length), the address strings (the destination's only when it differs from the last frame's) and the
 * returned objects.
 *
 * @example Decode an Ethernet frame
 * ```ts ignore
 * const result = decodeFrame(LinkType.ETHERNET, bytes, Date.now());
 * if (result.ok) console.log(result.knock.dport);
 * ```
 *
 * @param linktype The `pcap_datalink()` value of the capture.
 * @param bytes The captured bytes (`caplen` of them), starting at the link header.
 * @param tsMs The capture time in milliseconds since the epoch.
 * @param payload Filled in with where the TCP or UDP payload lies, for a knock (left as it was otherwise).
 * @returns `{ ok: true, knock }` or `{ ok: false, reason }`.
 */
export function decodeFrame(
  linktype: number,
  bytes: Uint8Array,
  tsMs: number,
  payload?: PayloadSlot,
): DecodeResult {
  slot = payload;
  // A capture reader hands the same view of its buffer while frames keep their length: so is the DataView.
  let view = lastView;
  if (bytes !== lastBytes || view.byteLength !== bytes.byteLength) {
    view = lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    lastBytes = bytes;
  }
  switch (linktype) {
    case LinkType.ETHERNET:
      if (view.byteLength < 14) return fail("truncated-ethernet");
      return decodeEthertype(view, tsMs, view.getUint16(12), 14);
    case LinkType.LINUX_SLL:
      if (view.byteLength < 16) return fail("truncated-sll");
      return decodeEthertype(view, tsMs, view.getUint16(14), 16);
    case LinkType.LINUX_SLL2:
      if (view.byteLength < 20) return fail("truncated-sll2");
      return decodeEthertype(view, tsMs, view.getUint16(0), 20);
    case LinkType.RAW:
    case LinkType.RAW_OPENBSD:
    case LinkType.LINKTYPE_RAW: {
      if (view.byteLength < 1) return fail("truncated-ipv4");
      const version = view.getUint8(0) >> 4;
      if (version === 4) return decodeIPv4(view, tsMs, 0);
      if (version === 6) return decodeIPv6(view, tsMs, 0);
      return fail("not-ip");
    }
    case LinkType.IPV4:
      return decodeIPv4(view, tsMs, 0);
    case LinkType.IPV6:
      return decodeIPv6(view, tsMs, 0);
    default:
      return fail("unsupported-linktype");
  }
}

/** The payload slot of the call in progress (decodeFrame is synchronous and not re-entrant). */
let slot: PayloadSlot | undefined;
/** The last frame and its DataView (reused when the next frame is the same view with the same length). */
let lastBytes: Uint8Array | undefined;
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
/** The last IPv4 destination, as a 32-bit integer and as text (packets to one host share the string). */
let lastDst4 = -1;
let lastDstText = "";

/** The IPv4 destination at `offset` as text, reusing the last one's string when the address repeats. */
function ipv4Dst(view: DataView, offset: number): string {
  const value = view.getUint32(offset);
  if (value !== lastDst4) {
    lastDstText = formatIPv4At(view, offset);
    lastDst4 = value;
  }
  return lastDstText;
}

function decodeEthertype(view: DataView, tsMs: number, ethertype: number, offset: number): DecodeResult {
  let type = ethertype;
  let off = offset;
  for (let tags = 0;; tags++) {
    if (type === ETHERTYPE_IPV4) return decodeIPv4(view, tsMs, off);
    if (type === ETHERTYPE_IPV6) return decodeIPv6(view, tsMs, off);
    if (type !== ETHERTYPE_VLAN && type !== ETHERTYPE_QINQ && type !== ETHERTYPE_QINQ_OLD) {
      return fail("not-ip");
    }
    if (tags === MAX_VLAN_TAGS) return fail("vlan-too-deep");
    // A tag is 2 bytes of TCI followed by the inner ethertype.
    if (view.byteLength < off + 4) return fail("truncated-vlan");
    type = view.getUint16(off + 2);
    off += 4;
  }
}

function decodeIPv4(view: DataView, tsMs: number, off: number): DecodeResult {
  const captured = view.byteLength;
  if (captured < off + 20) return fail("truncated-ipv4");
  const versionIhl = view.getUint8(off);
  if (versionIhl >> 4 !== 4) return fail("ipv4-bad-version");
  const headerLen = (versionIhl & 0x0f) * 4;
  if (headerLen < 20) return fail("ipv4-bad-header-length");
  if (captured < off + headerLen) return fail("truncated-ipv4");
  const totalLen = view.getUint16(off + 2);
  if (totalLen < headerLen) return fail("ipv4-bad-total-length");
  if ((view.getUint16(off + 6) & 0x1fff) !== 0) return fail("fragment-not-first");
  const protocol = view.getUint8(off + 9);
  if (protocol !== PROTO_TCP && protocol !== PROTO_UDP) return fail("not-tcp-udp");
  return decodeTransport(
    view,
    tsMs,
    protocol,
    off + headerLen,
    off + totalLen,
    4,
    formatIPv4At(view, off + 12),
    ipv4Dst(view, off + 16),
  );
}

function decodeIPv6(view: DataView, tsMs: number, off: number): DecodeResult {
  const captured = view.byteLength;
  if (captured < off + 40) return fail("truncated-ipv6");
  if (view.getUint8(off) >> 4 !== 6) return fail("ipv6-bad-version");
  const payloadLen = view.getUint16(off + 4);
  let next = view.getUint8(off + 6);
  const claimedEnd = payloadLen === 0 && next === 0 ? captured : off + 40 + payloadLen;
  const walkEnd = Math.min(claimedEnd, captured);
  let pos = off + 40;
  for (let count = 0;; count++) {
    if (next === PROTO_TCP || next === PROTO_UDP) break;
    switch (next) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
      case 139: // HIP
      case 140: // shim6
      case 51: // authentication header
      case 44: // fragment
        break;
      case 50:
        return fail("ipv6-esp");
      case 59:
        return fail("ipv6-no-next-header");
      default:
        return fail("not-tcp-udp");
    }
    if (count === MAX_IPV6_EXT_HEADERS) return fail("ipv6-ext-header-chain-too-long");
    if (next === 44) {
      if (pos + 8 > walkEnd) return fail("truncated-ipv6-ext-header");
      if ((view.getUint16(pos + 2) & 0xfff8) !== 0) return fail("fragment-not-first");
      next = view.getUint8(pos);
      pos += 8;
      continue;
    }
    if (pos + 2 > walkEnd) return fail("truncated-ipv6-ext-header");
    const lenField = view.getUint8(pos + 1);
    const len = next === 51 ? (lenField + 2) * 4 : (lenField + 1) * 8;
    if (pos + len > walkEnd) return fail("truncated-ipv6-ext-header");
    next = view.getUint8(pos);
    pos += len;
  }
  return decodeTransport(
    view,
    tsMs,
    next,
    pos,
    claimedEnd,
    6,
    formatIPv6At(view, off + 8),
    formatIPv6At(view, off + 24),
  );
}

function decodeTransport(
  view: DataView,
  tsMs: number,
  protocol: number,
  l4: number,
  claimedEnd: number,
  family: 4 | 6,
  src: string,
  dst: string,
): DecodeResult {
  const captured = view.byteLength;
  if (protocol === PROTO_TCP) {
    if (l4 + 20 > claimedEnd) return fail("l4-exceeds-ip-length");
    if (l4 + 20 > captured) return fail("truncated-tcp");
    const offsetByte = view.getUint8(l4 + 12);
    const dataOffset = (offsetByte >> 4) * 4;
    if (dataOffset < 20 || l4 + dataOffset > claimedEnd) return fail("tcp-bad-data-offset");
    const knock: Knock = {
      family,
      src,
      dst,
      protocol: "tcp",
      sport: view.getUint16(l4),
      dport: view.getUint16(l4 + 2),
      flags: view.getUint8(l4 + 13) | ((offsetByte & 0x01) << 8),
      seq: view.getUint32(l4 + 4),
      timeMs: tsMs,
    };
    if (slot !== undefined) setSlot(slot, l4 + dataOffset, claimedEnd, captured);
    return { ok: true, knock };
  }
  if (l4 + 8 > claimedEnd) return fail("l4-exceeds-ip-length");
  if (l4 + 8 > captured) return fail("truncated-udp");
  const knock: Knock = {
    family,
    src,
    dst,
    protocol: "udp",
    sport: view.getUint16(l4),
    dport: view.getUint16(l4 + 2),
    flags: 0,
    seq: 0,
    timeMs: tsMs,
  };
  if (slot !== undefined) {
    const udpLength = view.getUint16(l4 + 4);
    const end = udpLength >= 8 ? Math.min(claimedEnd, l4 + udpLength) : claimedEnd;
    setSlot(slot, l4 + 8, end, captured);
  }
  return { ok: true, knock };
}

function setSlot(s: PayloadSlot, start: number, end: number, captured: number): void {
  s.offset = start;
  s.length = Math.max(0, end - start);
  s.captured = Math.max(0, Math.min(end, captured) - start);
}
