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
  summary: "knockd refuses a config whose one-time sequences file has no valid line left",
  explanation: `knockd takes the first line of the One_Time_Sequences file that is not empty, does not start
with "#" and parses as a sequence. When there is none (an empty file such as /dev/null, only comments, or
every line already used and marked with "#"), it prints "no more sequences left in the one time sequences
file for door <name> --> disabling the door" and "config: no more sequences left in the one time sequences
file <path>", and exits with status 1: at start, and on a reload (SIGHUP). knocktool serve refuses such a
config too (on a reload it keeps the old one). Using up the last sequence while the daemon runs disables the
door instead.

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
    out.push({
      ...finding(
        info,
        `One-time sequences file "${path}" of door "${door.name}" has no valid sequence left`,
        valueSpanOf(directive),
      ),
      knockd: `config: no more sequences left in the one time sequences file ${path}`,
    });
  }
  return out;
}
