/**
 * Address lists of access.conf (`SOURCE`, `DESTINATION`): `ANY` or comma-separated addresses/CIDRs. Pure.
 *
 * @module
 */
import { tryParseIP } from "../address.ts";

/** One network. */
export interface Network {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The address, 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  /** The prefix length. */
  readonly prefix: number;
}

/** `ANY`, or networks. */
export type AddressList = "any" | readonly Network[];

/**
 * Parses `ANY` or `addr[/prefix][,addr[/prefix]...]` (fwknop also allows a dotted netmask: `/255.255.255.0`).
 *
 * @returns The list, or the item that is not an address.
 */
export function parseAddressList(text: string): { ok: true; list: AddressList } | { ok: false; bad: string } {
  if (/^any$/i.test(text.trim())) return { ok: true, list: "any" };
  const out: Network[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (/^any$/i.test(item)) return { ok: true, list: "any" };
    const [addr, mask] = item.split("/", 2) as [string, string | undefined];
    const ip = tryParseIP(addr);
    if (ip === undefined) return { ok: false, bad: item };
    const max = ip.family === 4 ? 32 : 128;
    let prefix = max;
    if (mask !== undefined) {
      if (/^\d{1,3}$/.test(mask)) prefix = Number(mask);
      else {
        const m = ip.family === 4 ? tryParseIP(mask) : undefined;
        if (m === undefined || m.family !== 4) return { ok: false, bad: item };
        const bits = [...m.bytes].map((b) => b.toString(2).padStart(8, "0")).join("");
        if (!/^1*0*$/.test(bits)) return { ok: false, bad: item };
        prefix = bits.indexOf("0") < 0 ? 32 : bits.indexOf("0");
      }
      if (prefix > max) return { ok: false, bad: item };
    }
    out.push({ family: ip.family, bytes: ip.bytes, prefix });
  }
  return { ok: true, list: out };
}

/** Whether `address` (canonical text) is in the list. */
export function inAddressList(list: AddressList, address: string): boolean {
  if (list === "any") return true;
  const ip = tryParseIP(address);
  if (ip === undefined) return false;
  return list.some((n) => {
    if (n.family !== ip.family) return false;
    for (let bit = 0; bit < n.prefix; bit++) {
      const byte = bit >> 3;
      const m = 0x80 >> (bit & 7);
      if ((n.bytes[byte]! & m) !== (ip.bytes[byte]! & m)) return false;
    }
    return true;
  });
}
