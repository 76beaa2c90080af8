/**
 * The public API is documented: `deno doc --lint mod.ts ffi/mod.ts` reports no problem. This module reads
 * that command's output (run with `NO_COLOR=1`) into violations; running it is {@linkcode runDocLint}'s job
 * in `repo.ts`.
 *
 * @module
 */
import type { Violation } from "./types.ts";

/** The rule's name. */
export const DOC_LINT = "doc-lint";

/** The entry points whose documentation is linted. */
export const DOC_ENTRY_POINTS: readonly string[] = ["mod.ts", "ffi/mod.ts"];

const PROBLEM = /^error\[([\w-]+)\]: (.*)$/;
const LOCATION = /^\s*--> (.+):(\d+):\d+\s*$/;

/**
 * Turns the output of `deno doc --lint` into one violation per problem.
 *
 * @param output Standard output and standard error of the command, without colours.
 * @param code Its exit code.
 * @param root The absolute path of the repository root with a trailing slash, stripped from file names.
 * @returns The problems; a failure that names no problem (the command itself failed) is one violation
 *   carrying the whole output.
 */
export function parseDocLint(output: string, code: number, root: string): Violation[] {
  const violations: Violation[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const problem = PROBLEM.exec(lines[i]!);
    if (problem === null) continue;
    const location = LOCATION.exec(lines[i + 1] ?? "");
    const path = location?.[1];
    const file = path === undefined ? "mod.ts" : path.startsWith(root) ? path.slice(root.length) : path;
    violations.push({
      rule: DOC_LINT,
      file,
      ...(location?.[2] === undefined ? {} : { line: Number(location[2]) }),
      message: `${problem[1]}: ${problem[2]}`,
    });
  }
  if (code !== 0 && violations.length === 0) {
    violations.push({ rule: DOC_LINT, file: "mod.ts", message: `deno doc --lint failed:\n${output}` });
  }
  return violations;
}
