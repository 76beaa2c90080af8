/**
 * One way to turn a caught value into text: `errorMessage(error)` from `core/error_message.ts`, not
 * `error instanceof Error ? error.message : String(error)` written out again. `ffi/` is exempt: it imports
 * nothing from `core/` or `cli/` by rule, and a copy of the helper there would be the second helper this rule
 * is against, so a binding spells the expression out.
 *
 * @module
 */
import { lineAt, maskSource } from "./_source.ts";
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const ERROR_MESSAGE = "error-message";

/** The module of the helper. */
export const HELPER = "core/error_message.ts";

const INLINE = /\binstanceof\s+Error\s*\?\s*[\w$.]+\s*\.\s*message\b/g;

/**
 * Finds every inline `x instanceof Error ? x.message : ...` in TypeScript files, outside the helper and
 * `ffi/`.
 *
 * @param files The repository's files.
 * @returns One violation per occurrence.
 */
export function checkErrorMessages(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!file.path.endsWith(".ts") || file.path === HELPER || file.path.startsWith("ffi/")) continue;
    const code = maskSource(file.text);
    for (const match of code.matchAll(INLINE)) {
      violations.push({
        rule: ERROR_MESSAGE,
        file: file.path,
        line: lineAt(code, match.index),
        message: `builds an error message inline: use errorMessage() from ${HELPER}`,
      });
    }
  }
  return violations;
}
