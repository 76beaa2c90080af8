/**
 * KT201: a sequence item that knockd silently reads as port 0.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext, subSpan } from "../_context.ts";
import { KEYS, lastDirective } from "../_directives.ts";
import { readStep, writtenSequence } from "../_steps.ts";

/** Metadata of KT201. */
export const info: RuleInfo = {
  code: "KT201",
  severity: "warning",
  name: "port-zero",
  summary: "an empty item, a trailing comma or a non-number in a sequence silently becomes port 0",
  explanation: `knockd reads each sequence item with atoi() and never checks for junk: "abc" becomes port 0,
an empty item between two commas becomes port 0, and a trailing comma adds a final port 0
("7000,8000," is the three-knock sequence 7000,8000,0). An empty "sequence =" is a one-knock door on TCP
port 0. The knock client cannot usefully knock on port 0, so the door effectively cannot be opened, or
opens on a sequence nobody intended.

Example:
  sequence = 7000,8000,

Fix: remove the stray comma or write the intended port number.`,
};

/**
 * Reports sequence items that knockd reads as port 0 without a "0" being written.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const steps = writtenSequence(door);
    steps.forEach((step, i) => {
      const r = readStep(step);
      if (r.garbage) {
        out.push(
          finding(
            info,
            `Port "${r.portText.trim()}" is not a number; knockd reads it as port 0`,
            r.trimmedSpan,
          ),
        );
      } else if (r.empty) {
        // An empty item has no width: point at the comma before it (or the whole line for "sequence =").
        const span = step.span.endColumn > step.span.column ? step.span : subSpan(step.span, -1, 0);
        if (steps.length === 1) {
          const d = lastDirective(door.section, KEYS.sequence);
          const message = `Sequence of door "${door.name}" is empty; knockd reads it as TCP port 0`;
          out.push(finding(info, message, d?.span ?? step.span));
        } else if (i === steps.length - 1) {
          out.push(finding(info, "Trailing comma adds port 0 to the sequence", span));
        } else {
          out.push(finding(info, "Empty item in the sequence is read as port 0", span));
        }
      }
    });
  }
  return out;
}
