/**
 * What every hygiene check takes and gives: files of the repository as plain data, and violations.
 *
 * @module
 */

/** One file of the repository. */
export interface SourceFile {
  /** The path relative to the repository root, with `/` separators (e.g. `core/engine/engine.ts`). */
  readonly path: string;
  /** The file's text. */
  readonly text: string;
}

/** One broken rule. */
export interface Violation {
  /** The rule's name (e.g. `core-purity`), the key of {@linkcode KnownViolation.rule}. */
  readonly rule: string;
  /**
   * What is wrong, as a path relative to the repository root; for a cycle, the files of the cycle joined
   * by ` -> `. The key of {@linkcode KnownViolation.file}.
   */
  readonly file: string;
  /** The 1-based line, when one line is to blame. */
  readonly line?: number;
  /** What is wrong there, in a sentence. */
  readonly message: string;
}

/** A violation that is known, and tolerated until someone fixes it. */
export interface KnownViolation {
  /** The rule. */
  readonly rule: string;
  /** The file (or cycle), exactly as {@linkcode Violation.file} gives it. */
  readonly file: string;
  /** What is wrong and who fixes it. */
  readonly why: string;
}

/**
 * Formats a violation as `file:line: [rule] message`.
 *
 * @param violation The violation.
 * @returns One line of text.
 */
export function formatViolation(violation: Violation): string {
  const where = violation.line === undefined ? violation.file : `${violation.file}:${violation.line}`;
  return `${where}: [${violation.rule}] ${violation.message}`;
}
