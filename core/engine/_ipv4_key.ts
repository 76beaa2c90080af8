/**
 * IPv4 addresses as 32-bit integers for the attempt table: parsing the canonical dotted quad the decoder
 * produces, and formatting it back (the round trip is exact, so events carry the text the packet had).
 *
 * @module
 */

/**
 * The address `text` as an unsigned 32-bit integer, or -1 when it is not a canonical dotted quad (four
 * decimal numbers 0–255 without leading zeros), which the table then keys by text instead.
 */
export function ipv4Key(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

/** The dotted quad of `key` (an unsigned 32-bit integer). */
export function ipv4Text(key: number): string {
  return `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
}
