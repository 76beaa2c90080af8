/**
 * KT216: TCPFlags on a door whose knocks are all UDP.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, valueSpanOf } from "../_directives.ts";

/** Metadata of KT216. */
export const info: RuleInfo = {
  code: "KT216",
  severity: "warning",
  name: "tcpflags-on-udp",
  summary: "TCPFlags has no effect on UDP knocks",
  explanation:
    `TCPFlags only filters TCP packets; UDP knocks ignore it. On a door whose knocks are all UDP the
line does nothing, which usually means the sequence was meant to be TCP (":udp" added by mistake) or the
line was copied from another door.

Example:
  sequence = 7000:udp,8000:udp
  tcpflags = syn

Fix: delete the TCPFlags line, or drop ":udp" from the knocks that should be TCP.`,
};

/**
 * Reports TCPFlags lines on doors whose sequence is all UDP.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const steps = ctx.sequenceOf(door);
    if (steps.length === 0 || !steps.every((s) => s.protocol === "udp")) continue;
    for (const d of door.section.directives) {
      if (!(KEYS.tcpFlags as readonly string[]).includes(d.normalizedKey)) continue;
      out.push(finding(
        info,
        `"${d.key}" has no effect: every knock of door "${door.name}" is UDP`,
        valueSpanOf(d),
      ));
    }
  }
  return out;
}
