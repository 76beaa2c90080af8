/**
 * KT204: `[Options]`, `[OPTIONS]` or `[ options ]`, which knockd treats as a door.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";

/** Metadata of KT204. */
export const info: RuleInfo = {
  code: "KT204",
  severity: "warning",
  name: "options-section-case",
  summary: "only the exact section name [options] holds global options; any other spelling is a door",
  explanation: `knockd compares the section name with "options" case-sensitively and does not trim it. So
"[Options]", "[OPTIONS]" and "[ options ]" each start a door with that name. The directives that follow
(LogFile, Interface, PidFile) are then rejected as syntax errors, or, if only UseSyslog follows, the
section silently becomes a door without a sequence.

Example:
  [Options]
      UseSyslog

Fix: write the header exactly as "[options]".`,
};

/**
 * Reports sections whose name is "options" in another case or with blanks.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const section of ctx.config.sections) {
    if (section.isOptions || section.name.trim().toLowerCase() !== "options") continue;
    out.push(finding(
      info,
      `Section "[${section.name}]" is a door, not the global options; write "[options]"`,
      section.nameSpan,
    ));
  }
  return out;
}
