/**
 * KT139: a TOTP door's secret file cannot be read, or does not hold a base32 secret.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { secretFacts, totpDoors } from "../_totp.ts";

/** Metadata of KT139. */
export const info: RuleInfo = {
  code: "KT139",
  severity: "error",
  name: "totp-secret-unreadable",
  summary: "a TOTP_Secret_File must be readable and hold a base32 secret",
  explanation: `TOTP_Secret_File names the file that holds a TOTP door's secret, in base32 (white space and
"-" between groups ignored), as e.g. "head -c 20 /dev/urandom | base32" makes it. Without it the door has no
sequence, and serve refuses the config.

Example:
  [openSSH]
      TOTP_Secret_File = /etc/knocktool/ssh.totp        <- No such file or directory

Fix: create the file (e.g. "head -c 20 /dev/urandom | base32 > /etc/knocktool/ssh.totp; chmod 600 ..."),
or correct the path.`,
};

/**
 * Reports secret files that cannot be read or hold no secret.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, totp } of totpDoors(ctx.config.doors)) {
    if (totp.secret.kind !== "file") continue;
    const facts = secretFacts(totp, ctx.readFile);
    if (facts === undefined || facts.ok) continue;
    out.push(finding(
      info,
      facts.reason === "unreadable"
        ? `Cannot read the secret file "${totp.secret.path}" of door "${door.name}": ${facts.message}`
        : `The secret file "${totp.secret.path}" of door "${door.name}" does not hold a base32 secret`,
      valueSpanOf(totp.secretDirective),
    ));
  }
  return out;
}
