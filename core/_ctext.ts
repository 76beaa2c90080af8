/**
 * C-library text helpers with the exact semantics knockd relies on (`isspace`, `toupper` in the C locale,
 * `atoi`, byte-bounded strings), shared by the config parser, the TCP flag parser and the lint rules.
 *
 * @module
 */

/** `isspace()` in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Start and end (exclusive) of `text` without leading and trailing C whitespace. */
export function trimBounds(text: string, start = 0, end: number = text.length): [number, number] {
  let s = start;
  let e = end;
  while (s < e && isCSpace(text.charCodeAt(s))) s++;
  while (e > s && isCSpace(text.charCodeAt(e - 1))) e--;
  return [s, e];
}

/** `trim()` with C `isspace()` (unlike `String.prototype.trim`, which also strips U+00A0 and friends). */
export function cTrim(text: string): string {
  const [s, e] = trimBounds(text);
  return s === 0 && e === text.length ? text : text.slice(s, e);
}

/** `toupper()` in the C locale: only ASCII `a`-`z` change, the length never changes. */
export function asciiUpper(text: string): string {
  let lower = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Outside ASCII, `toUpperCase` would change letters `toupper()` keeps (é, ß): only map a-z.
    if (c >= 0x80) return text.replace(/[a-z]+/g, (m) => m.toUpperCase());
    if (c >= 0x61 && c <= 0x7a) lower = true;
  }
  // All ASCII: `toUpperCase` changes exactly a-z, as `toupper()` does.
  return lower ? text.toUpperCase() : text;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * glibc `atoi()`: `(int) strtol(s, NULL, 10)`. Skips leading C whitespace,
 * takes an optional sign and the longest run of digits; garbage gives 0.
 * `strtol` clamps to the 64-bit `long` range and the cast keeps the low 32
 * bits, so `99999999999` gives 1215752191 and `4294967296` gives 0.
 */
export function atoi(text: string): number {
  let i = 0;
  const n = text.length;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    i++;
  }
  const digitsStart = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  const digits = i - digitsStart;
  if (digits === 0) return 0;
  if (digits <= 15) {
    const value = Number(text.slice(digitsStart, i));
    return (negative ? -value : value) | 0;
  }
  // Long numbers: strtol saturates; skip leading zeros before deciding.
  let first = digitsStart;
  while (first < i - 1 && text.charCodeAt(first) === 0x30) first++;
  let big: bigint;
  if (i - first > 19) {
    big = negative ? INT64_MIN : INT64_MAX;
  } else {
    big = BigInt(text.slice(first, i));
    if (negative) big = -big;
    if (big > INT64_MAX) big = INT64_MAX;
    if (big < INT64_MIN) big = INT64_MIN;
  }
  return Number(BigInt.asIntN(32, big));
}

/** UTF-8 length of a string as the file had it (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes (never splits a character). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    let units = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size = 4;
        units = 2;
      }
    }
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return text;
}
