/**
 * One line of knockd.conf as knockd's `parseconfig()` sees it: blank or a comment (skipped), a `[section]`
 * header, or a directive split at the first `=`.
 *
 * @module
 */
import type { Span } from "../span.ts";
import { asciiUpper, isCSpace } from "../_ctext.ts";
import type { Chunk } from "./_chunks.ts";

/** A `[name]` header: first character `[`, last character `]`. */
export interface HeaderLine {
  readonly kind: "header";
  /** The name between the brackets, untrimmed (knockd does not trim it). */
  readonly name: string;
  readonly nameSpan: Span;
  /** The whole trimmed line. */
  readonly span: Span;
  /** knockd's line number (its count of `fgets()` calls). */
  readonly knockdLine: number;
}

/** A `key = value` line, or a line without `=` (only valid for `UseSyslog`). */
export interface DirectiveLine {
  readonly kind: "directive";
  /** The key as written, trimmed. */
  readonly key: string;
  /** The key upper-cased, as knockd compares it. */
  readonly upper: string;
  readonly keySpan: Span;
  /** The trimmed value; absent when the line has no `=`. */
  readonly value?: string;
  readonly valueSpan?: Span;
  /** The whole trimmed line. */
  readonly span: Span;
  /** knockd's line number (its count of `fgets()` calls). */
  readonly knockdLine: number;
}

/**
 * Classifies one `fgets()` chunk.
 *
 * @param chunk The chunk.
 * @returns The header or directive, or `undefined` for a blank line or a `#` comment.
 */
export function readLine(chunk: Chunk): HeaderLine | DirectiveLine | undefined {
  const line = chunk.text;
  // Trimmed bounds, inlined (this runs once per line: no tuples, closures or spreads here).
  let s = 0;
  let e = line.length;
  while (s < e && isCSpace(line.charCodeAt(s))) s++;
  while (e > s && isCSpace(line.charCodeAt(e - 1))) e--;
  if (s === e || line.charCodeAt(s) === 0x23 /* # */) return undefined;
  const { line: lineNo, lineStart, offset, knockdLine } = chunk;
  const base = offset - lineStart + 1; // column of the chunk's first code unit
  const span: Span = { line: lineNo, column: base + s, endColumn: base + e, offset: offset + s };
  if (line.charCodeAt(s) === 0x5b && e - s >= 2 && line.charCodeAt(e - 1) === 0x5d) {
    const nameSpan: Span = {
      line: lineNo,
      column: base + s + 1,
      endColumn: base + e - 1,
      offset: offset + s + 1,
    };
    return { kind: "header", name: line.slice(s + 1, e - 1), nameSpan, span, knockdLine };
  }
  const eq = line.indexOf("=", s);
  let ke = e;
  if (eq !== -1 && eq < e) {
    ke = eq;
    while (ke > s && isCSpace(line.charCodeAt(ke - 1))) ke--;
  }
  const key = line.slice(s, ke);
  const upper = asciiUpper(key);
  const keySpan: Span = { line: lineNo, column: base + s, endColumn: base + ke, offset: offset + s };
  if (eq === -1 || eq >= e) return { kind: "directive", key, upper, keySpan, span, knockdLine };
  let vs = eq + 1;
  while (vs < e && isCSpace(line.charCodeAt(vs))) vs++;
  const valueSpan: Span = { line: lineNo, column: base + vs, endColumn: base + e, offset: offset + vs };
  return { kind: "directive", key, upper, keySpan, value: line.slice(vs, e), valueSpan, span, knockdLine };
}

/** knockd's message for a line it cannot use. */
export function syntaxError(knockdLine: number): string {
  return `config: line ${knockdLine}: syntax error`;
}
