/**
 * KT202: a number followed by text that knockd ignores (`5s`, `7000x`, `9000:tcp:junk`).
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext, subSpan } from "../_context.ts";
import { KEYS, lastDirective } from "../_directives.ts";
import { isCSpace, readAtoi } from "../_number.ts";
import { readStep, writtenSequence } from "../_steps.ts";

/** Metadata of KT202. */
export const info: RuleInfo = {
  code: "KT202",
  severity: "warning",
  name: "number-trailing-garbage",
  summary: "knockd reads numbers with atoi() and silently drops whatever follows the digits",
  explanation: `Ports, Seq_Timeout and Cmd_Timeout are read with atoi(), which stops at the first character
that is not a digit and ignores the rest. "seq_timeout = 5m" is 5 seconds, not 5 minutes; "7000x" is port
7000. In a sequence item, anything after a second ":" is ignored too ("9000:tcp:junk" is 9000/TCP).
The value works, but not the way it reads.

Text starting with "#" is reported by KT206 (inline-hash) instead.

Example:
  cmd_timeout = 30s
  sequence    = 7000,8000x,9000

Fix: write plain numbers: "cmd_timeout = 30", "sequence = 7000,8000,9000".`,
};

/**
 * Reports ports and timeouts with ignored trailing text.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    for (const step of writtenSequence(door)) {
      const r = readStep(step);
      if (r.trailing !== undefined && !r.trailing.text.startsWith("#")) {
        out.push(finding(
          info,
          `Port "${r.portText.trim()}" is read as ${step.port}; knockd ignores "${r.trailing.text}"`,
          subSpan(step.span, r.trailing.start, r.trailing.end),
        ));
      }
      if (r.afterProtocol !== undefined && !r.afterProtocol.text.trimStart().startsWith("#")) {
        out.push(finding(
          info,
          `Text ":${r.afterProtocol.text}" after the protocol is ignored`,
          subSpan(step.span, r.afterProtocol.start, r.afterProtocol.end),
        ));
      }
    }
    for (
      const [label, keys] of [["Seq_Timeout", KEYS.seqTimeout], ["Cmd_Timeout", KEYS.cmdTimeout]] as const
    ) {
      const d = lastDirective(door.section, keys);
      if (d === undefined || d.value === undefined || d.valueSpan === undefined) continue;
      const text = d.value;
      const reading = readAtoi(text);
      if (!reading.hasDigits) continue;
      let s = reading.end;
      while (s < text.length && isCSpace(text[s])) s++;
      if (s >= text.length || text[s] === "#") continue;
      out.push(finding(
        info,
        `${label} "${text}" is read as ${reading.value} seconds; knockd ignores "${text.slice(s)}"`,
        subSpan(d.valueSpan, s, text.length),
      ));
    }
  }
  return out;
}
