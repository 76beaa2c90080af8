/**
 * A test that cannot run here says so: `Deno.test({ ignore: reason !== undefined, ... })`, reported as
 * "ignored", never a body that returns early and is reported "ok" having checked nothing. The check looks at
 * the top-level statements of every `Deno.test` and `t.step` body in `tests/` and flags an `if (...) return;`
 * or an `if (...) { ...; return; }` among them.
 *
 * @module
 */
import { lineAt, maskSource, matchBracket } from "./_source.ts";
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const TEST_SKIP = "test-skip";

const TEST_CALL = /(?<![\w$])(?:Deno\s*\.\s*test|[\w$]+\s*\.\s*step)\s*\(/g;
/** The `{` that opens a function body: after `=>`, or after a parameter list and an optional return type. */
const BODY = /(?:=>|\))\s*(?::[^{};=]*?)?\{/g;
/** A `return` with no value: followed by `;`, `}`, or the end of its line. */
const BARE_RETURN = /^return(?:\s*[;}]|[ \t]*(?:\n|$))/;

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** Offsets (in `masked`) of the early-return `if`s among the top-level statements of the body at `open`. */
function earlyReturns(masked: string, open: number, close: number): number[] {
  const found: number[] = [];
  let depth = 0;
  let statementStart = true;
  for (let i = open + 1; i < close - 1; i++) {
    const ch = masked[i]!;
    if (ch === "(" || ch === "[" || ch === "{") {
      depth++;
      statementStart = false;
      continue;
    }
    if (ch === ")" || ch === "]" || ch === "}") {
      depth--;
      statementStart = depth === 0 && ch === "}";
      continue;
    }
    if (depth !== 0) continue;
    if (ch === ";") {
      statementStart = true;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (statementStart && masked.startsWith("if", i) && !/[\w$]/.test(masked[i + 2] ?? "")) {
      const paren = skipSpace(masked, i + 2);
      if (masked[paren] === "(") {
        const after = skipSpace(masked, matchBracket(masked, paren));
        if (BARE_RETURN.test(masked.slice(after, after + 12))) found.push(i);
        else if (masked[after] === "{") {
          const end = matchBracket(masked, after);
          if (/(?:^|[;{}\s])return\s*;?\s*$/.test(masked.slice(after + 1, end - 1))) found.push(i);
        }
      }
    }
    statementStart = false;
  }
  return found;
}

/**
 * Finds the tests in `tests/` whose body skips itself with an early `return` instead of `ignore:`.
 *
 * @param files The repository's files (only `tests/**\/*_test.ts` are read).
 * @returns One violation per early return.
 */
export function checkTestSkips(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!file.path.startsWith("tests/") || !file.path.endsWith("_test.ts")) continue;
    const masked = maskSource(file.text);
    for (const call of masked.matchAll(TEST_CALL)) {
      const open = call.index + call[0].length - 1;
      const close = matchBracket(masked, open);
      BODY.lastIndex = open;
      const body = BODY.exec(masked);
      if (body === null || body.index >= close) continue;
      const brace = body.index + body[0].length - 1;
      for (const at of earlyReturns(masked, brace, matchBracket(masked, brace))) {
        violations.push({
          rule: TEST_SKIP,
          file: file.path,
          line: lineAt(masked, at),
          message: "the test returns early and would be reported ok having checked nothing: " +
            "use `ignore:` with the reason instead",
        });
      }
    }
  }
  return violations;
}
