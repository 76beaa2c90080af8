/**
 * KT232: a TOTP door's secret file is readable (or writable) by its group or others.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { secretFacts, totpDoors } from "../_totp.ts";

/** Metadata of KT232. */
export const info: RuleInfo = {
  code: "KT232",
  severity: "warning",
  name: "totp-secret-readable",
  summary: "a TOTP secret file that group or others can read gives them every sequence",
  explanation: `Whoever reads a TOTP door's secret computes its sequences, at any time; whoever can write it
chooses them. The secret file should be readable by the daemon's user alone.

Example: -rw-r--r-- /etc/knocktool/ssh.totp

Fix: "chmod 600 /etc/knocktool/ssh.totp" (and root as its owner).`,
};

/**
 * Reports secret files with any group or other permission bit for reading or writing.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, totp } of totpDoors(ctx.config.doors)) {
    if (totp.secret.kind !== "file") continue;
    const facts = secretFacts(totp, ctx.readFile);
    const mode = facts?.ok === true ? facts.mode : undefined;
    if (mode === undefined || (mode & 0o066) === 0) continue;
    out.push(finding(
      info,
      `The secret file "${totp.secret.path}" of door "${door.name}" has mode 0${
        (mode & 0o7777).toString(8).padStart(3, "0")
      }; others can read or change every sequence`,
      valueSpanOf(totp.secretDirective),
    ));
  }
  return out;
}
