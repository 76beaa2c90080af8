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

/** Keys of every prefix of `steps`: `keys[k]` identifies the first `k + 1` knocks (ports and protocols). */
function prefixKeys(steps: readonly SequenceStep[]): string[] {
  const keys: string[] = [];
  let key = "";
  for (const s of steps) {
    key += `${s.port}${s.protocol === "udp" ? "u" : "t"},`;
    keys.push(key);
  }
  return keys;
}

/**
 * Reports doors whose sequence equals or is a prefix of another door's.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Only doors that share their first knock with another door can collide; most doors don't.
  // Keyed by a number (port and protocol), not a string: no allocation per door.
  const firstKey = (step: SequenceStep): number => step.port * 2 + (step.protocol === "udp" ? 1 : 0);
  const firstCount = new Map<number, number>();
  for (const door of ctx.config.doors) {
    const first = writtenSequence(door)[0];
    if (first === undefined) continue;
    const k = firstKey(first);
    firstCount.set(k, (firstCount.get(k) ?? 0) + 1);
  }
  const doors = ctx.config.doors.filter((door) => {
    const first = writtenSequence(door)[0];
    return first !== undefined && (firstCount.get(firstKey(first)) ?? 0) > 1;
  });
  const keysOf = new Map<Door, string[]>(doors.map((door) => [door, prefixKeys(writtenSequence(door))]));
  const byKey = new Map<string, Door>();
  const index = new Map<Door, number>();
  doors.forEach((door, i) => {
    index.set(door, i);
    const keys = keysOf.get(door)!;
    const key = keys[keys.length - 1]!;
    if (!byKey.has(key)) byKey.set(key, door);
  });
  const line = (door: Door): number => door.section.span.line;
  doors.forEach((door, i) => {
    const keys = keysOf.get(door)!;
    const same = byKey.get(keys[keys.length - 1]!);
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
    for (let len = 1; len < keys.length; len++) {
      const short = byKey.get(keys[len - 1]!);
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
