/**
 * KT208: a sequence in ascending or descending port order.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { sequenceSpan, sequenceText, writtenSequence } from "../_steps.ts";

/** Metadata of KT208. */
export const info: RuleInfo = {
  code: "KT208",
  severity: "warning",
  name: "monotonic-sequence",
  summary: "a sequence in ascending or descending order is opened by an ordinary port scan",
  explanation: `knockd's capture filter only passes packets to ports that appear in some door's sequence.
Every other port is invisible to it, so it cannot break an attempt. A scanner that walks the ports from
low to high therefore "knocks" 7000, 8000, 9000 in order and opens a door with that sequence; a scan from
high to low opens a descending one. This was verified with knockd 0.8 (a scan of 6990-9010 opened the
default 7000,8000,9000 door) and matches jvinet/knock issue #71.

Reported when all knocks use the same protocol, there are at least two, and each port is strictly
greater (or strictly smaller) than the one before. A repeated port ("7000,7000,8000") is not reported:
a scan sends each port once, so it cannot satisfy the repeat.

Example:
  sequence = 7000,8000,9000

Fix: mix the order, e.g. "sequence = 8000,7000,9000" or "sequence = 2222,5555:udp,3333".`,
};

/**
 * Reports strictly ascending or descending single-protocol sequences.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const steps = writtenSequence(door);
    if (steps.length < 2) continue;
    const proto = steps[0]!.protocol;
    if (!steps.every((s) => s.protocol === proto)) continue;
    let up = true;
    let down = true;
    for (let i = 1; i < steps.length; i++) {
      const a = steps[i - 1]!.port;
      const b = steps[i]!.port;
      if (!(b > a)) up = false;
      if (!(b < a)) down = false;
    }
    if (!up && !down) continue;
    const order = up ? "ascending" : "descending";
    const scan = up ? "from low to high" : "from high to low";
    out.push(finding(
      info,
      `Sequence "${
        sequenceText(steps)
      }" of door "${door.name}" is in ${order} order; a ${proto.toUpperCase()} port scan ${scan} opens it`,
      sequenceSpan(door),
    ));
  }
  return out;
}
