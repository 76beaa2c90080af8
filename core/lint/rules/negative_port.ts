/**
 * KT203: a negative port that wraps around to a high port.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { readStep, writtenSequence } from "../_steps.ts";

/** Metadata of KT203. */
export const info: RuleInfo = {
  code: "KT203",
  severity: "warning",
  name: "negative-port",
  summary: "a negative port is accepted and wraps around to 65536 minus its value",
  explanation: `knockd only rejects ports above 65535. A negative number passes that check and is then stored
in a 16-bit unsigned field, so "-1" becomes port 65535 and "-100" becomes 65436. This is almost certainly
a typo (a stray "-" or a range written by mistake).

Example:
  sequence = 7000,-1,9000     -> knocks 7000, 65535, 9000

Fix: write the intended port as a positive number.`,
};

/**
 * Reports negative ports.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    for (const step of writtenSequence(door)) {
      const r = readStep(step);
      if (!r.atoi.negative || r.atoi.value === 0) continue;
      out.push(finding(info, `Port "${r.portText.trim()}" wraps around to ${step.port}`, r.trimmedSpan));
    }
  }
  return out;
}
