/**
 * Building spans from offsets, for the parsers.
 *
 * @module
 */
import type { Span } from "./span.ts";

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
