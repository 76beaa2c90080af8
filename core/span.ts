/**
 * Source positions shared by the config parser, lint rules and diagnostics.
 *
 * @module
 */

/**
 * A half-open range of source text. Lines and columns are 1-based and count
 * UTF-16 code units, like editors and SARIF (`columnKind: "utf16CodeUnits"`).
 * `endColumn` is exclusive, so a one-character token at column 5 has
 * `column: 5, endColumn: 6`. A span never crosses a line.
 */
export interface Span {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column of the first code unit. */
  readonly column: number;
  /** 1-based column just past the last code unit (exclusive). */
  readonly endColumn: number;
  /** 0-based offset of the first code unit from the start of the text. */
  readonly offset: number;
}

/** A value read from the source together with where it was written. */
export interface Located<T> {
  /** The value as read. */
  readonly value: T;
  /** Where it was written. */
  readonly span: Span;
}
