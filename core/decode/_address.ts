/**
 * Canonical text forms for IP addresses read straight out of a packet buffer.
 *
 * The forms match glibc `inet_ntoa`/`inet_ntop`, which is what knockd hands to `%IP%` and compares `Target`
 * against: dotted quad for IPv4; RFC 5952 for IPv6 (lowercase, no leading zeros, the longest run of two or
 * more zero groups compressed to `::`, the first run on a tie), with the glibc addition that the
 * IPv4-mapped (`::ffff:a.b.c.d`) and the deprecated IPv4-compatible (`::a.b.c.d`) forms print their last
 * 32 bits as a dotted quad.
 *
 * Engineer C writes `formatIPv6` in `core/packet/address.ts` as well; the two should be merged later.
 *
 * @module
 */

/**
 * Formats the IPv4 address stored at `offset` in `view` as a dotted quad.
 *
 * @param view The packet buffer.
 * @param offset Byte offset of the 4-byte address; the caller has checked the bounds.
 * @returns The address such as `10.0.0.2`.
 */
export function formatIPv4At(view: DataView, offset: number): string {
  return `${view.getUint8(offset)}.${view.getUint8(offset + 1)}.${view.getUint8(offset + 2)}.${
    view.getUint8(offset + 3)
  }`;
}

/**
 * Formats the IPv6 address stored at `offset` in `view` in canonical (RFC 5952, glibc) form.
 *
 * @param view The packet buffer.
 * @param offset Byte offset of the 16-byte address; the caller has checked the bounds.
 * @returns The address such as `fd00:200::2`.
 */
export function formatIPv6At(view: DataView, offset: number): string {
  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (view.getUint16(offset + i * 2) === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;

  // glibc: ::a.b.c.d (first 96 bits zero, word 6 non-zero) and ::ffff:a.b.c.d.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && view.getUint16(offset + 10) === 0xffff))) {
    const prefix = bestLen === 5 ? "::ffff:" : "::";
    return prefix + formatIPv4At(view, offset + 12);
  }

  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(":")) out += ":";
    out += view.getUint16(offset + i * 2).toString(16);
  }
  return out;
}
