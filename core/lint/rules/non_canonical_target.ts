/**
 * KT103: a `Target` that can never equal a packet's destination address.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";
import { judgeTarget } from "../_ip.ts";

/** Metadata of KT103. */
export const info: RuleInfo = {
  code: "KT103",
  severity: "error",
  name: "non-canonical-target",
  summary: "knockd compares Target as text, so only the canonical address form can ever match",
  explanation: `knockd turns each packet's destination address into text with inet_ntoa/inet_ntop and compares
that string with Target. It never parses Target. So the door only opens if Target is written exactly as
those functions print addresses: a dotted quad without leading zeros ("10.0.0.1"), or IPv6 in compressed
lowercase form ("fd77::1", not "FD77:0:0::1"), without a "%scope" suffix and without anything after it
(there are no inline comments). A host name is put into the capture filter, but the string comparison
never matches it; a name that does not resolve makes knockd refuse to start ("pcap_compile: unknown host").

Example:
  target = 010.0.0.1        -> never matches
  target = FD77:0:0::1      -> never matches

Fix: write the address in canonical form ("10.0.0.1", "fd77::1").`,
};

/**
 * Reports Target values that are not canonical IP address text.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const d = lastDirective(door.section, KEYS.target);
    if (d === undefined) continue;
    const value = d.value ?? "";
    const span = valueSpanOf(d);
    const verdict = judgeTarget(value);
    switch (verdict.kind) {
      case "canonical":
        break;
      case "non-canonical":
        out.push(finding(
          info,
          `Target "${value}" is not in canonical form (${verdict.detail}); knockd compares text, so write "${verdict.canonical}"`,
          span,
        ));
        break;
      case "hostname":
        out.push(finding(
          info,
          `Target "${value}" is a host name; knockd compares the destination address as text, so it never matches`,
          span,
        ));
        break;
      case "invalid":
        out.push(finding(
          info,
          value === ""
            ? `Target is empty, so door "${door.name}" never matches`
            : `Target "${value}" is not an IP address, so door "${door.name}" never matches`,
          span,
        ));
        break;
    }
  }
  return out;
}
