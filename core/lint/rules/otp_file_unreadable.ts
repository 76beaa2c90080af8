/**
 * KT101: the one-time sequences file cannot be read.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { otpReferences } from "../_otp.ts";

/** Metadata of KT101. */
export const info: RuleInfo = {
  code: "KT101",
  severity: "error",
  name: "otp-file-unreadable",
  summary: "knockd stops with an error when a One_Time_Sequences file cannot be opened",
  explanation: `knockd opens the file named by One_Time_Sequences while it reads the config (mode "r+", so it
must be readable and writable). If it cannot, it prints "<path>: <reason>" and refuses to start; on a
reload (SIGHUP) the daemon exits.

Example:
  [opencloseSSH]
      one_time_sequences = /etc/knockd/ssh.otp     <- file does not exist

Fix: create the file (one sequence per line, each line starting with a space), or correct the path.
Relative paths are resolved from knockd's working directory.`,
};

/**
 * Reports every One_Time_Sequences file the injected reader could not read.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, directive, path } of otpReferences(ctx.config.doors)) {
    const facts = ctx.readFile(path);
    if (facts?.kind !== "error") continue;
    out.push(
      finding(
        info,
        `One-time sequences file "${path}" of door "${door.name}" cannot be read: ${facts.message}`,
        valueSpanOf(directive),
      ),
    );
  }
  return out;
}
