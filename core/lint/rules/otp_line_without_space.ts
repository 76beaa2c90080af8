/**
 * KT207: one-time sequence lines that do not start with a blank.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { otpReferences } from "../_otp.ts";

/** Metadata of KT207. */
export const info: RuleInfo = {
  code: "KT207",
  severity: "warning",
  name: "otp-line-without-space",
  summary: "knockd marks a used one-time sequence by overwriting the line's first character with #",
  explanation: `After a one-time sequence is used, knockd writes "#" over the first byte of its line. With a
leading space (" 1111,2222") the line becomes "#1111,2222", as intended. Without one, the first digit is
destroyed: "3333,4444" becomes "#333,4444". The line is still marked used, but the file no longer shows
which sequence it was, and tools that hand out the sequences to clients get out of step with it. This is
why the knockd manual says to leave a space at the beginning of each line.

Reported once per file, at the first such line, with the number of other such lines.

Fix: start every line of the one-time sequences file with a space.`,
};

/**
 * Reports the first valid line without a leading blank in each one-time sequences file.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { path } of otpReferences(ctx.config.doors, { firstPerPath: true })) {
    const bad = ctx.otpFile(path)?.entries.filter((e) => e.startsWithNonSpace) ?? [];
    const first = bad[0];
    if (first === undefined) continue;
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more line${bad.length === 2 ? "" : "s"})` : "";
    out.push(finding(
      info,
      `One-time sequence on line ${first.line} does not start with a space; knockd overwrites its first digit with "#" when it is used${more}`,
      { line: first.line, column: 1, endColumn: 2, offset: first.span.offset - (first.span.column - 1) },
      { file: path },
    ));
  }
  return out;
}
