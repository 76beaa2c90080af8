/**
 * KT213: a Cmd_Timeout of zero or below on a door with a stop command.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";
import { readAtoi } from "../_number.ts";

/** Metadata of KT213. */
export const info: RuleInfo = {
  code: "KT213",
  severity: "warning",
  name: "cmd-timeout",
  summary: "a negative Cmd_Timeout never runs the stop command; zero runs it at once",
  explanation:
    `After the start command, knockd's child process calls sleep(Cmd_Timeout) and then runs the stop
command. sleep() takes an unsigned number, so a negative Cmd_Timeout becomes about 136 years: the stop
command never runs and the door stays open. Cmd_Timeout 0 (or a value that is not a number, since it is
read with atoi()) runs the stop command immediately after the start command, so the door is open only for
an instant, which is only right with a conntrack "ESTABLISHED" rule that keeps the connection alive.

Only doors with a stop command are reported: without one, Cmd_Timeout is unused.

Example:
  cmd_timeout  = -10
  stop_command = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

Fix: use a positive number of seconds (the default is 10).`,
};

/**
 * Reports zero or negative Cmd_Timeout values on doors with a stop command.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const d = lastDirective(door.section, KEYS.cmdTimeout);
    if (d === undefined) continue;
    const hasStop = [KEYS.stopCommand, KEYS.stopCommand6].some((keys) =>
      (lastDirective(door.section, keys)?.value ?? "") !== ""
    );
    if (!hasStop) continue;
    const t = door.cmdTimeout.value;
    const text = d.value ?? "";
    if (t < 0) {
      out.push(finding(
        info,
        `Cmd_Timeout "${text}" is negative, so the stop command of door "${door.name}" never runs`,
        valueSpanOf(d),
      ));
    } else if (t === 0) {
      const why = readAtoi(text).hasDigits
        ? `Cmd_Timeout "${text}"`
        : `Cmd_Timeout "${text}" is not a number and`;
      out.push(finding(
        info,
        `${why} runs the stop command of door "${door.name}" right after the start command`,
        valueSpanOf(d),
      ));
    }
  }
  return out;
}
