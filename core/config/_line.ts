/**
 * One line of knockd.conf as knockd's `parseconfig()` sees it: blank or a comment (skipped), a `[section]`
 * header, or a directive split at the first `=`.
 *
 * @module
 */
import type { Span } from "../span.ts";
import { asciiUpper, trimBounds } from "../_ctext.ts";
import { spanAt } from "../_spans.ts";
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
  const [s, e] = trimBounds(line);
  if (s === e || line.charCodeAt(s) === 0x23 /* # */) return undefined;
  const at = (from: number, to: number): Span =>
    spanAt(chunk.line, chunk.lineStart, chunk.offset + from, to - from);
  const span = at(s, e);
  const knockdLine = chunk.knockdLine;
  if (line.charCodeAt(s) === 0x5b && e - s >= 2 && line.charCodeAt(e - 1) === 0x5d) {
    return { kind: "header", name: line.slice(s + 1, e - 1), nameSpan: at(s + 1, e - 1), span, knockdLine };
  }
  const eq = line.indexOf("=", s);
  const hasValue = eq !== -1 && eq < e;
  const [ks, ke] = hasValue ? trimBounds(line, s, eq) : [s, e];
  const key = line.slice(ks, ke);
  const base = {
    kind: "directive",
    key,
    upper: asciiUpper(key),
    keySpan: at(ks, ke),
    span,
    knockdLine,
  } as const;
  if (!hasValue) return base;
  const [vs, ve] = trimBounds(line, eq + 1, e);
  return { ...base, value: line.slice(vs, ve), valueSpan: at(vs, ve) };
}

/** knockd's message for a line it cannot use. */
export function syntaxError(knockdLine: number): string {
  return `config: line ${knockdLine}: syntax error`;
}
