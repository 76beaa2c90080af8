/**
 * KT205: `UseSyslog` written inside a door.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS } from "../_directives.ts";

/** Metadata of KT205. */
export const info: RuleInfo = {
  code: "KT205",
  severity: "warning",
  name: "usesyslog-in-door",
  summary: "UseSyslog inside a door turns on syslog for the whole daemon, not for that door",
  explanation: `knockd accepts a bare "UseSyslog" line in any section, including doors, and it always sets the
global syslog switch. Written in a door it looks like a per-door setting, which does not exist.

Example:
  [openSSH]
      sequence = 7000,8000,9000
      UseSyslog

Fix: move "UseSyslog" to the [options] section.`,
};

/**
 * Reports UseSyslog lines inside doors (except doors named like "options", see KT204).
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    if (door.section.name.trim().toLowerCase() === "options") continue;
    for (const d of door.section.directives) {
      if (!(KEYS.useSyslog as readonly string[]).includes(d.normalizedKey)) continue;
      out.push(finding(
        info,
        `"${d.key}" in door "${door.name}" turns on syslog for the whole daemon; move it to [options]`,
        d.keySpan,
      ));
    }
  }
  return out;
}
