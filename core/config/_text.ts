/**
 * C-library text helpers with the exact semantics knockd relies on
 * (`isspace`, `toupper` in the C locale, `atoi`, `fgets` chunking).
 *
 * @module
 */
import type { Span } from "../span.ts";

/** knockd reads with `fgets(line, PATH_MAX, fp)`: at most 4095 bytes per chunk, newline included. */
export const FGETS_MAX_BYTES = 4095;

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
  // Fast path: nothing to change.
  if (!/[a-z]/.test(text)) return text;
  return text.replace(/[a-z]+/g, (m) => m.toUpperCase());
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

/** One `fgets()` chunk of a text: a line, or a piece of a line longer than 4095 bytes. */
export interface Chunk {
  /** The chunk without its newline; cut at the first NUL (C string functions stop there). */
  readonly text: string;
  /** Offset of the chunk's first code unit in the whole text. */
  readonly offset: number;
  /** Physical (newline-separated) 1-based line number the chunk starts on. */
  readonly line: number;
  /** Offset where that physical line starts. */
  readonly lineStart: number;
  /** knockd's `linenum`: the 1-based count of `fgets()` calls so far. */
  readonly knockdLine: number;
}

/**
 * Splits `text` the way a loop of `fgets(buf, 4096, fp)` does: at `\n`
 * (kept out of the chunk), and after 4095 UTF-8 bytes when a line is longer.
 * Calls `visit` for each chunk; linear time, no recursion.
 */
export function forEachChunk(text: string, visit: (chunk: Chunk) => void): void {
  const n = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let knockdLine = 0;
  // A code unit is at most 3 UTF-8 bytes, so a piece this short can never exceed the limit.
  const safeUnits = Math.floor(FGETS_MAX_BYTES / 3);
  let nl = text.indexOf("\n");
  while (pos < n) {
    const start = pos;
    let end: number; // end of content (exclusive), before any newline
    let newline = false;
    // Search for the next newline only once per physical line (a long line has many chunks).
    if (nl !== -1 && nl < pos) nl = text.indexOf("\n", pos);
    const lineEnd = nl === -1 ? n : nl;
    if (lineEnd - pos + 1 <= safeUnits) {
      end = lineEnd;
      newline = nl !== -1;
      pos = newline ? nl + 1 : n;
    } else {
      let bytes = 0;
      let i = pos;
      for (;;) {
        if (i >= lineEnd) {
          // Reached the newline (or the end of the text).
          if (i < n && bytes + 1 <= FGETS_MAX_BYTES) {
            newline = true;
            end = i;
            pos = i + 1;
          } else {
            end = i;
            pos = i;
          }
          break;
        }
        const c = text.charCodeAt(i);
        let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        let units = 1;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < lineEnd) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            size = 4;
            units = 2;
          }
        }
        if (bytes + size > FGETS_MAX_BYTES) {
          end = i;
          pos = i;
          break;
        }
        bytes += size;
        i += units;
      }
    }
    knockdLine++;
    let content = text.slice(start, end);
    const nul = content.indexOf("\0");
    if (nul !== -1) content = content.slice(0, nul);
    visit({ text: content, offset: start, line, lineStart, knockdLine });
    if (newline) {
      line++;
      lineStart = pos;
    }
  }
}

/** A span on one line, from an absolute offset and a length. */
export function spanAt(line: number, lineStart: number, offset: number, length: number): Span {
  const column = offset - lineStart + 1;
  return { line, column, endColumn: column + length, offset };
}

/** A sub-span of `outer` starting `from` code units in, `length` long. */
export function subSpan(outer: Span, from: number, length: number): Span {
  const column = outer.column + from;
  return { line: outer.line, column, endColumn: column + length, offset: outer.offset + from };
}
