/**
 * One concept per file, and a file a reader can hold in mind: no source file over 450 lines outside `tests/`
 * and `bench/` (test files and benchmarks are lists of cases and may run longer).
 *
 * @module
 */
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const FILE_SIZE = "file-size";

/** The most lines a source file may have. */
export const MAX_LINES = 450;

/** The extensions of source files. */
const SOURCE = /\.(?:ts|tsx|js|mjs|sh)$/;

/**
 * The number of lines of a text, as `wc -l` counts them plus an unterminated last line.
 *
 * @param text The text.
 * @returns Its line count.
 */
export function countLines(text: string): number {
  if (text === "") return 0;
  let lines = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return text.endsWith("\n") ? lines : lines + 1;
}

/**
 * Finds the source files over {@linkcode MAX_LINES} lines outside `tests/` and `bench/`.
 *
 * @param files The repository's files.
 * @param max The limit (default {@linkcode MAX_LINES}).
 * @returns One violation per file that is too long.
 */
export function checkFileSize(files: readonly SourceFile[], max: number = MAX_LINES): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!SOURCE.test(file.path) || file.path.startsWith("tests/") || file.path.startsWith("bench/")) continue;
    const lines = countLines(file.text);
    if (lines > max) {
      violations.push({
        rule: FILE_SIZE,
        file: file.path,
        message: `${lines} lines, over the limit of ${max}: split it into files that each hold one concept`,
      });
    }
  }
  return violations;
}
