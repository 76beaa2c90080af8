/**
 * KT230: a TOTP door's secret is shorter than 128 bits.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { secretFacts, totpDoors } from "../_totp.ts";

/** Shortest secret without a warning, bytes (RFC 4226 section 4, R6: at least 128 bits). */
export const MIN_TOTP_SECRET_BYTES = 16;

/** Metadata of KT230. */
export const info: RuleInfo = {
  code: "KT230",
  severity: "warning",
  name: "totp-short-secret",
  summary: "a TOTP secret should have at least 128 bits (RFC 4226 asks for 128, recommends 160)",
  explanation: `Whoever knows a TOTP door's secret can compute every sequence. Someone who sniffed one knock
sequence (or many) can try every secret offline against it; a secret of fewer than 128 bits (16 bytes, 26
base32 characters) makes that search shorter than RFC 4226 allows. Authenticator apps' usual 80-bit secrets
(16 base32 characters) are too short here.

Example:
  [openSSH]
      TOTP_Secret = JBSWY3DPEHPK3PXP        <- 10 bytes

Fix: use 20 random bytes or more, e.g. "head -c 20 /dev/urandom | base32".`,
};

/**
 * Reports TOTP secrets under {@linkcode MIN_TOTP_SECRET_BYTES}.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { door, totp } of totpDoors(ctx.config.doors)) {
    const facts = secretFacts(totp, ctx.readFile);
    if (facts === undefined || !facts.ok || facts.bytes.length >= MIN_TOTP_SECRET_BYTES) continue;
    out.push(finding(
      info,
      `The secret of door "${door.name}" has ${facts.bytes.length * 8} bits; use at least ${
        MIN_TOTP_SECRET_BYTES * 8
      } (${MIN_TOTP_SECRET_BYTES} bytes)`,
      valueSpanOf(totp.secretDirective),
    ));
  }
  return out;
}
