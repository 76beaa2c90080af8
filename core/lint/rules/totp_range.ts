/**
 * KT138: a TOTP door's port range holds fewer ports than its sequence has knocks.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { lastDirective, valueSpanOf } from "../_directives.ts";
import { totpCandidates } from "../../totp/derive.ts";
import { TOTP_KEYS } from "../../config/totp.ts";
import { totpDoors } from "../_totp.ts";

/** Metadata of KT138. */
export const info: RuleInfo = {
  code: "KT138",
  severity: "error",
  name: "totp-range-too-small",
  summary: "a TOTP door's port range must hold at least as many usable ports as it has knocks",
  explanation: `A TOTP door draws its knocks from TOTP_Ports, on distinct ports, never using ports below 1024,
the ports in its TOTP_Exclude line, or the ports servers commonly listen on (docs/totp.md lists them). When
what is left holds fewer ports than TOTP_Length, no sequence can be drawn, and serve refuses the config. (A
range only a little larger works, but an attacker has few sequences to try: keep thousands of ports.)

Example:
  [openSSH]
      TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
      TOTP_Length = 4
      TOTP_Ports  = 8000-8002        <- 3 ports, and 8000 is reserved

Fix: widen the range, e.g. "TOTP_Ports = 20000-40000".`,
};

/**
 * Reports TOTP doors whose range is too small for their length.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, totp } of totpDoors(ctx.config.doors)) {
    const n = totpCandidates(totp.low, totp.high, totp.exclude).length;
    if (n >= totp.length) continue;
    const where = lastDirective(door.section, [TOTP_KEYS.ports]) ??
      lastDirective(door.section, [TOTP_KEYS.exclude]);
    out.push(finding(
      info,
      `Door "${door.name}" draws ${totp.length} knocks from ${totp.low}-${totp.high}, which leaves ${n} usable port${
        n === 1 ? "" : "s"
      }`,
      where === undefined ? door.section.span : valueSpanOf(where),
    ));
  }
  return out;
}
