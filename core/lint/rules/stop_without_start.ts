/**
 * KT214: a stop command on a door without a start command.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective } from "../_directives.ts";

/** Metadata of KT214. */
export const info: RuleInfo = {
  code: "KT214",
  severity: "warning",
  name: "stop-without-start",
  summary: "knockd only runs Stop_Command after a Start_Command, so without one it never runs",
  explanation: `The stop command is run by the same child process that ran the start command, after
Cmd_Timeout seconds. When a door has no Start_Command (or Command), no child is started and the stop
command is never run. Often the start command was misspelt or commented out.

Example:
  [closeSSH]
      sequence     = 9000,8000,7000
      stop_command = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

Fix: rename it to "start_command" if it should run when the sequence is knocked, or add the start command.`,
};

/**
 * Reports stop commands of doors that have no start command at all.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const s = door.section;
    if (
      lastDirective(s, KEYS.startCommand) !== undefined || lastDirective(s, KEYS.startCommand6) !== undefined
    ) {
      continue;
    }
    for (const keys of [KEYS.stopCommand, KEYS.stopCommand6]) {
      const d = lastDirective(s, keys);
      if (d === undefined || (d.value ?? "") === "") continue;
      out.push(finding(
        info,
        `"${d.key}" of door "${door.name}" never runs, because the door has no start command`,
        d.keySpan,
      ));
    }
  }
  return out;
}
