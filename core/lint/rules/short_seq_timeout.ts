/**
 * KT212: a Seq_Timeout too short for the number of knocks.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";
import { sequenceSpan } from "../_steps.ts";

/** Metadata of KT212. */
export const info: RuleInfo = {
  code: "KT212",
  severity: "warning",
  name: "short-seq-timeout",
  summary: "knockd counts whole seconds, so the real window is up to one second shorter than Seq_Timeout",
  explanation: `Seq_Timeout is the total time for the whole sequence, measured from the first knock, and
knockd compares whole seconds: an attempt times out when floor(now) - floor(first knock) >= Seq_Timeout.
So the usable window is between Seq_Timeout - 1 and Seq_Timeout seconds. With "seq_timeout = 1" a sequence
only works when all knocks land within the same wall-clock second: it fails at random.

Reported when the door has at least two knocks and 1 <= Seq_Timeout < max(2, number of knocks), i.e. when
the client cannot count on one second per knock. (0 and below are reported by KT105 as an error.)

Example:
  sequence    = 7000,8000,9000,6000
  seq_timeout = 2

Fix: allow at least one second per knock, e.g. "seq_timeout = 5" for four knocks.`,
};

/**
 * Reports multi-knock doors with a short (but positive) Seq_Timeout.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const n = ctx.sequenceOf(door).length;
    const t = door.seqTimeout.value;
    if (n < 2 || t < 1 || t >= Math.max(2, n)) continue;
    const d = lastDirective(door.section, KEYS.seqTimeout);
    const written = d?.value ?? "";
    const label = d === undefined
      ? `Default Seq_Timeout ${t}`
      : written === String(t)
      ? `Seq_Timeout ${t}`
      : `Seq_Timeout "${written}" (read as ${t})`;
    out.push(finding(
      info,
      `${label} is short for ${n} knocks on door "${door.name}": knockd counts whole seconds, so the window can be ${
        t - 1
      } s`,
      d !== undefined ? valueSpanOf(d) : sequenceSpan(door),
    ));
  }
  return out;
}
