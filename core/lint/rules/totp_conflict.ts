/**
 * KT137: a TOTP door that also has a sequence, two secrets, or TOTP directives without a secret.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { isTotpDoor, TOTP_KEYS } from "../../config/totp.ts";

/** Metadata of KT137. */
export const info: RuleInfo = {
  code: "KT137",
  severity: "error",
  name: "totp-door-conflict",
  summary: "a TOTP door has no Sequence and one secret; TOTP lines need a secret",
  explanation: `A TOTP door (knocktool's own, docs/totp.md) derives a new knock sequence at every time step
from its secret (TOTP_Secret, or TOTP_Secret_File). It therefore cannot also have a Sequence or
One_Time_Sequences line (which one would the door use?), it takes exactly one of TOTP_Secret and
TOTP_Secret_File, and the other TOTP_ directives mean nothing in a door without a secret.

Example:
  [openSSH]
      sequence    = 7000,8000,9000
      TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP        <- and a sequence

Fix: keep either the sequence or the TOTP lines; keep one of TOTP_Secret and TOTP_Secret_File.`,
};

const KEYS: ReadonlySet<string> = new Set(Object.values(TOTP_KEYS));

/**
 * Reports the conflicting lines of TOTP doors.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const ds = door.section.directives;
    if (!isTotpDoor(door)) {
      for (const d of ds) {
        if (!KEYS.has(d.normalizedKey)) continue;
        out.push(finding(
          info,
          `Door "${door.name}" has "${d.key}" but no TOTP_Secret or TOTP_Secret_File; the line does nothing`,
          d.keySpan,
        ));
      }
      continue;
    }
    for (const d of ds) {
      if (d.normalizedKey === "SEQUENCE" || d.normalizedKey === "ONE_TIME_SEQUENCES") {
        out.push(finding(
          info,
          `Door "${door.name}" is a TOTP door (its sequence comes from its secret) and cannot have "${d.key}"`,
          d.keySpan,
        ));
      }
    }
    const secrets = ds.filter((d) => d.normalizedKey === TOTP_KEYS.secret);
    const files = ds.filter((d) => d.normalizedKey === TOTP_KEYS.secretFile);
    if (secrets.length > 0 && files.length > 0) {
      out.push(finding(
        info,
        `Door "${door.name}" has both TOTP_Secret and TOTP_Secret_File; keep one`,
        files[files.length - 1]!.keySpan,
      ));
    }
  }
  return out;
}
