/**
 * Hand-built frames for the decoder tests. Deliberately independent of `core/packet` (test-only encoders).
 *
 * @module
 */

/** Concatenates byte arrays. */
export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Parses a dotted quad. */
export function v4(text: string): number[] {
  return text.split(".").map(Number);
}

/** Parses an IPv6 address (hex groups with at most one `::`, no embedded IPv4). */
export function v6(text: string): number[] {
  const [head = "", tail] = text.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) throw new Error(`Bad IPv6 address "${text}"`);
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

/** TCP header options. */
export interface TcpOptions {
  sport?: number;
  dport?: number;
  seq?: number;
  flags?: number;
  /** Data offset in 32-bit words; the header gets padded to match when larger than 5. */
  dataOffset?: number;
  payload?: number[];
}

/** A TCP segment; `flags` may include NS (0x100). */
export function tcp(o: TcpOptions = {}): Uint8Array {
  const doff = o.dataOffset ?? 5;
  const flags = o.flags ?? 0x02;
  const header = [
    ...u16(o.sport ?? 40000),
    ...u16(o.dport ?? 7000),
    ...u32(o.seq ?? 0x11223344),
    ...u32(0),
    ((doff & 0x0f) << 4) | ((flags >> 8) & 0x01),
    flags & 0xff,
    ...u16(64240),
    ...u16(0),
    ...u16(0),
  ];
  const optionBytes = Math.max(0, doff * 4 - 20);
  return cat(header, new Array(optionBytes).fill(1), o.payload ?? []);
}

/** A UDP datagram. */
export function udp(sport = 40001, dport = 8000, payload: number[] = [0x61, 0x62]): Uint8Array {
  return cat([...u16(sport), ...u16(dport), ...u16(8 + payload.length), ...u16(0)], payload);
}

/** IPv4 header options. */
export interface IPv4Options {
  src?: string;
  dst?: string;
  protocol?: number;
  /** Extra option words (IHL = 5 + optionWords). */
  optionWords?: number;
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** Overrides the computed total length. */
  totalLength?: number;
  /** Overrides the IHL nibble. */
  ihl?: number;
  version?: number;
}

/** An IPv4 packet around `payload`. */
export function ipv4(payload: Uint8Array, o: IPv4Options = {}): Uint8Array {
  const words = o.optionWords ?? 0;
  const headerLen = 20 + words * 4;
  const frag = ((o.moreFragments ? 1 : 0) << 13) | (o.fragmentOffset ?? 0);
  const header = [
    ((o.version ?? 4) << 4) | (o.ihl ?? 5 + words),
    0,
    ...u16(o.totalLength ?? headerLen + payload.length),
    ...u16(0x1234),
    ...u16(frag),
    64,
    o.protocol ?? 6,
    ...u16(0),
    ...v4(o.src ?? "10.200.1.2"),
    ...v4(o.dst ?? "10.200.1.1"),
    // NOP options then EOL-padded
    ...new Array(words * 4).fill(1),
  ];
  return cat(header, payload);
}

/** IPv6 header options. */
export interface IPv6Options {
  src?: string;
  dst?: string;
  next?: number;
  payloadLength?: number;
  version?: number;
}

/** An IPv6 packet; `payload` includes any extension headers. */
export function ipv6(payload: Uint8Array, o: IPv6Options = {}): Uint8Array {
  return cat(
    [(o.version ?? 6) << 4, 0, 0, 0, ...u16(o.payloadLength ?? payload.length), o.next ?? 6, 64],
    v6(o.src ?? "fd00:200::2"),
    v6(o.dst ?? "fd00:200::1"),
    payload,
  );
}

/** An extension header of the 8-octet-unit kind (hop-by-hop, routing, destination options, ...). */
export function extHeader(next: number, lenField = 0): Uint8Array {
  const len = (lenField + 1) * 8;
  const bytes = new Uint8Array(len);
  bytes[0] = next;
  bytes[1] = lenField;
  if (len > 2) bytes[2] = 1; // PadN-ish filler
  return bytes;
}

/** An authentication header (length in 4-octet units minus 2). */
export function ahHeader(next: number, lenField = 4): Uint8Array {
  const bytes = new Uint8Array((lenField + 2) * 4);
  bytes[0] = next;
  bytes[1] = lenField;
  return bytes;
}

/** A fragment header; `offset` in 8-octet units. */
export function fragHeader(next: number, offset: number, more: boolean): Uint8Array {
  return new Uint8Array([next, 0, ...u16((offset << 3) | (more ? 1 : 0)), ...u32(0xabcdef01)]);
}

/** An Ethernet frame with optional VLAN tags, each `[tpid, vid]`. */
export function ethernet(ethertype: number, payload: Uint8Array, tags: [number, number][] = []): Uint8Array {
  const macs = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  const tagBytes = tags.flatMap(([tpid, vid]) => [...u16(tpid), ...u16(vid)]);
  return cat(macs, tagBytes, u16(ethertype), payload);
}

/** A Linux cooked (SLL v1) frame. */
export function sll(protocol: number, payload: Uint8Array): Uint8Array {
  return cat([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0], u16(protocol), payload);
}

/** A Linux cooked v2 (SLL2) frame. */
export function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  return cat(u16(protocol), [0, 0], u32(2), [0, 1, 0, 6], [2, 0, 0, 0, 0, 2, 0, 0], payload);
}

/** Pads a frame with zeros up to `length` (Ethernet minimum frame padding). */
export function pad(frame: Uint8Array, length: number): Uint8Array {
  return frame.length >= length ? frame : cat(frame, new Array(length - frame.length).fill(0));
}
