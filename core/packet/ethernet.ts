/**
 * Ethernet II frame encoder (for AF_PACKET sending and LINKTYPE_ETHERNET pcap files),
 * optionally with one 802.1Q VLAN tag.
 *
 * @module
 */
import { checkUint } from "./_validate.ts";

/** EtherType values. */
export const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, vlan: 0x8100, ipv6: 0x86dd } as const;

/** The fields of an Ethernet II header. */
export interface EthernetFields {
  /** Destination MAC, 6 bytes. */
  readonly dst: Uint8Array;
  /** Source MAC, 6 bytes. */
  readonly src: Uint8Array;
  /** EtherType of the payload (0x0800 IPv4, 0x86dd IPv6). */
  readonly etherType: number;
  /** An 802.1Q tag: VLAN id 0..4095 and priority 0..7 (default 0). */
  readonly vlan?: { readonly id: number; readonly priority?: number };
}

/**
 * Encodes an Ethernet II frame around `payload` (no FCS, no padding to 60 bytes: the kernel pads).
 *
 * @throws {RangeError} naming the field, when a value is out of range.
 */
export function encodeEthernet(fields: EthernetFields, payload: Uint8Array): Uint8Array {
  for (const [name, mac] of [["dst", fields.dst], ["src", fields.src]] as const) {
    if (mac.length !== 6) {
      throw new RangeError(`"${name}" must be a 6-byte MAC address, got ${mac.length} bytes`);
    }
  }
  const tagLength = fields.vlan === undefined ? 0 : 4;
  const out = new Uint8Array(14 + tagLength + payload.length);
  const view = new DataView(out.buffer);
  out.set(fields.dst, 0);
  out.set(fields.src, 6);
  if (fields.vlan !== undefined) {
    view.setUint16(12, ETHERTYPE.vlan);
    const tci = (checkUint("vlan priority", fields.vlan.priority ?? 0, 3) << 13) |
      checkUint("vlan id", fields.vlan.id, 12);
    view.setUint16(14, tci);
  }
  view.setUint16(12 + tagLength, checkUint("etherType", fields.etherType, 16));
  out.set(payload, 14 + tagLength);
  return out;
}
