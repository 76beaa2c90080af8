/**
 * KT231: a TOTP door's step is under 10 seconds.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { lastDirective, valueSpanOf } from "../_directives.ts";
import { TOTP_KEYS } from "../../config/totp.ts";
import { totpDoors } from "../_totp.ts";

/** Shortest step without a warning, seconds. */
export const MIN_TOTP_STEP = 10;

/** Metadata of KT231. */
export const info: RuleInfo = {
  code: "KT231",
  severity: "warning",
  name: "totp-short-step",
  summary: "a TOTP step under 10 seconds leaves people and clock drift too little time",
  explanation: `A TOTP door's sequence changes every TOTP_Step seconds. Someone typing the ports that
"knocktool knock --show" printed into another client, a knock that crosses the step boundary, or clocks a few
seconds apart all need the step to be longer than the time a sequence takes to send; under 10 seconds
knocks fail for no visible reason (TOTP_Skew helps, but every extra step accepted is a sequence an
eavesdropper can replay within that time). serve still runs such a door.

Example:
  [openSSH]
      TOTP_Secret = ...
      TOTP_Step   = 5

Fix: keep the default 30 s, or at least "TOTP_Step = 10".`,
};

/**
 * Reports TOTP steps under {@linkcode MIN_TOTP_STEP}.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, totp } of totpDoors(ctx.config.doors)) {
    if (totp.stepSeconds >= MIN_TOTP_STEP) continue;
    const d = lastDirective(door.section, [TOTP_KEYS.step]);
    if (d === undefined) continue;
    out.push(finding(
      info,
      `Door "${door.name}" changes its sequence every ${totp.stepSeconds} s; use at least ${MIN_TOTP_STEP} s`,
      valueSpanOf(d),
    ));
  }
  return out;
}
