/**
 * KT102: the one-time sequences file has no usable sequence.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { otpReferences } from "../_otp.ts";

/** Metadata of KT102. */
export const info: RuleInfo = {
  code: "KT102",
  severity: "error",
  name: "otp-file-no-sequence",
  summary: "a one-time sequences file without a valid line disables the door",
  explanation: `knockd takes the first line of the One_Time_Sequences file that is not empty, does not start
with "#" and parses as a sequence. When there is none (an empty file, only comments, or every line already
used and marked with "#"), it logs "no more sequences left in the one time sequences file for door <name>
--> disabling the door", and nobody can open that door.

Example: a file whose lines all look like "#1111,2222,3333" (all used).

Fix: add fresh sequences to the file, one per line, each line starting with a space.`,
};

/**
 * Reports One_Time_Sequences files that were read but hold no valid sequence.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, directive, path } of otpReferences(ctx.config.doors)) {
    const otp = ctx.otpFile(path);
    if (otp === undefined || otp.entries.length > 0) continue;
    out.push(
      finding(
        info,
        `One-time sequences file "${path}" has no valid sequence left, so knockd disables door "${door.name}"`,
        valueSpanOf(directive),
      ),
    );
  }
  return out;
}
