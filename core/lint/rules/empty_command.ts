/**
 * KT104: an empty start or stop command.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective } from "../_directives.ts";

/** Metadata of KT104. */
export const info: RuleInfo = {
  code: "KT104",
  severity: "error",
  name: "empty-command",
  summary: "an empty Start_Command or Stop_Command does nothing, so the door never opens or never closes",
  explanation: `knockd only runs a start command that is non-empty. "start_command =" (or "command =") with
nothing after the "=" replaces any earlier command with an empty one: the sequence is accepted, knockd logs
OPEN SESAME, and nothing happens. An empty "stop_command =" means the rule the start command added is never
removed.

Example:
  [openSSH]
      sequence      = 7000,8000,9000
      start_command =

Fix: write the command, or delete the line.

Not reported: an empty Start_Command_6 / Command_6. knockd documents "start_command_6 =" as the way to do
nothing for IPv6 clients (otherwise they fall back to Start_Command), so it is a deliberate choice. An empty
Stop_Command_6 is covered by KT220 (ipv6-never-closed) when IPv6 clients do get a start command.`,
};

const CHECKED = [
  ["Start_Command", KEYS.startCommand, "nothing runs when the door opens"],
  ["Stop_Command", KEYS.stopCommand, "the door is never closed again"],
] as const;

/**
 * Reports start and stop commands (IPv4) whose value is empty.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    for (const [, keys, effect] of CHECKED) {
      const d = lastDirective(door.section, keys);
      if (d === undefined || (d.value ?? "") !== "") continue;
      out.push(finding(info, `"${d.key}" of door "${door.name}" is empty, so ${effect}`, d.span));
    }
  }
  return out;
}
