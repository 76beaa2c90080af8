/**
 * The repository stands alone: no file points into the sibling `shared` folder of the development machine
 * (reference notes a user who clones the repository does not have). The text looked for is built here from
 * two halves, so that this file does not match itself.
 *
 * @module
 */
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const SHARED_PATHS = "shared-paths";

/** The forbidden path prefix: two dots, a slash, `shared`, a slash. */
export const SHARED_PREFIX: string = ["..", "shared", ""].join("/");

/**
 * Finds every line of every file that contains {@linkcode SHARED_PREFIX}.
 *
 * @param files The repository's files (any kind of text).
 * @returns One violation per line.
 */
export function checkSharedPaths(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!file.text.includes(SHARED_PREFIX)) continue;
    file.text.split("\n").forEach((text, i) => {
      if (!text.includes(SHARED_PREFIX)) return;
      violations.push({
        rule: SHARED_PATHS,
        file: file.path,
        line: i + 1,
        message:
          `points at "${SHARED_PREFIX}...", which is not in the repository: put what is needed in docs/`,
      });
    });
  }
  return violations;
}
