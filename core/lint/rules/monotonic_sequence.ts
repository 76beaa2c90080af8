/**
 * KT208: a sequence in ascending or descending port order.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import type { SequenceStep } from "../../config/types.ts";
import { finding, type LintContext } from "../_context.ts";
import { otpReferences } from "../_otp.ts";
import { doorStrict } from "../../config/extensions.ts";
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

The lines of a one-time sequences file are checked too (each becomes the door's sequence in its turn);
that finding is reported once per file, at the first such line. Doors with knocktool's "Strict = yes" are
not reported: there a SYN to any other port fails the attempt, so a scan cannot open them.

Example:
  sequence = 7000,8000,9000

Fix: mix the order, e.g. "sequence = 8000,7000,9000" or "sequence = 2222,5555:udp,3333".`,
};

/** `"ascending"` or `"descending"` when every step has the same protocol and the ports strictly move one way. */
function orderOf(steps: readonly SequenceStep[]): "ascending" | "descending" | undefined {
  if (steps.length < 2) return undefined;
  const proto = steps[0]!.protocol;
  let up = true;
  let down = true;
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]!.protocol !== proto) return undefined;
    const a = steps[i - 1]!.port;
    const b = steps[i]!.port;
    if (!(b > a)) up = false;
    if (!(b < a)) down = false;
  }
  return up ? "ascending" : down ? "descending" : undefined;
}

function message(steps: readonly SequenceStep[], order: "ascending" | "descending", door: string): string {
  const scan = order === "ascending" ? "from low to high" : "from high to low";
  const proto = steps[0]!.protocol.toUpperCase();
  return `Sequence "${
    sequenceText(steps)
  }" of door "${door}" is in ${order} order; a ${proto} port scan ${scan} opens it`;
}

/**
 * Reports strictly ascending or descending single-protocol sequences: the door's `Sequence`, and the first
 * such line of each one-time sequences file (each line is the door's sequence in its turn).
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    if (doorStrict(door)) continue;
    const steps = writtenSequence(door);
    const order = orderOf(steps);
    if (order !== undefined) out.push(finding(info, message(steps, order, door.name), sequenceSpan(door)));
  }
  for (const { door, path } of otpReferences(ctx.config.doors, { firstPerPath: true })) {
    if (doorStrict(door)) continue;
    const bad = (ctx.otpFile(path)?.entries ?? []).flatMap((e) => {
      const o = orderOf(e.steps);
      return o === undefined ? [] : [{ entry: e, order: o }];
    });
    const first = bad[0];
    if (first === undefined) continue;
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more line${bad.length === 2 ? "" : "s"})` : "";
    out.push(
      finding(info, message(first.entry.steps, first.order, door.name) + more, first.entry.span, {
        file: path,
      }),
    );
  }
  return out;
}
