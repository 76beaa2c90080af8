/**
 * KT211: a sequence equal to, or a prefix of, another door's sequence.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { Door, SequenceStep } from "../../config/types.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { sequenceSpan, writtenSequence } from "../_steps.ts";

/** Metadata of KT211. */
export const info: RuleInfo = {
  code: "KT211",
  severity: "warning",
  name: "duplicate-sequence",
  summary: "two doors with the same sequence, or one a prefix of the other, open together",
  explanation:
    `When a knock matches the first port of several doors, knockd starts an attempt for each of them
and advances them in parallel. So if two doors have the same sequence (same ports and protocols), one
knock opens both. If door A's sequence is the beginning of door B's, knocking B opens A on the way. Worse,
when A's attempt completes and is removed while it is the oldest attempt, a knockd 0.8 bug drops every
other attempt in progress, so B may never open at all.

Reported at the later of the two doors, naming the other one and its line.

Example:
  [openSSH]   sequence = 7000,8000
  [openHTTP]  sequence = 7000,8000,9000     -> knocking openHTTP also opens openSSH

Fix: give each door its own sequence, starting with a different first knock.`,
};

function keyOf(steps: readonly SequenceStep[], length: number): string {
  let key = "";
  for (let i = 0; i < length; i++) {
    const s = steps[i]!;
    key += `${s.port}${s.protocol === "udp" ? "u" : "t"},`;
  }
  return key;
}

/**
 * Reports doors whose sequence equals or is a prefix of another door's.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const doors = ctx.config.doors;
  const byKey = new Map<string, Door>();
  const index = new Map<Door, number>();
  doors.forEach((door, i) => {
    index.set(door, i);
    const steps = writtenSequence(door);
    if (steps.length === 0) return;
    const key = keyOf(steps, steps.length);
    if (!byKey.has(key)) byKey.set(key, door);
  });
  const line = (door: Door): number => door.section.span.line;
  doors.forEach((door, i) => {
    const steps = writtenSequence(door);
    if (steps.length === 0) return;
    const same = byKey.get(keyOf(steps, steps.length));
    if (same !== undefined && same !== door) {
      out.push(finding(
        info,
        `Sequence of door "${door.name}" is the same as door "${same.name}" (line ${
          line(same)
        }); one knock opens both`,
        sequenceSpan(door),
      ));
    }
    // Shorter doors whose whole sequence is a prefix of this one.
    for (let len = 1; len < steps.length; len++) {
      const short = byKey.get(keyOf(steps, len));
      if (short === undefined) continue;
      if (index.get(short)! < i) {
        out.push(finding(
          info,
          `Door "${short.name}" (line ${
            line(short)
          }) uses the first ${len} knocks of this sequence, so knocking door "${door.name}" opens it too`,
          sequenceSpan(door),
        ));
      } else {
        out.push(finding(
          info,
          `Sequence of door "${short.name}" is the start of door "${door.name}" (line ${
            line(door)
          }), so knocking "${door.name}" opens "${short.name}" too`,
          sequenceSpan(short),
        ));
      }
    }
  });
  return out;
}
