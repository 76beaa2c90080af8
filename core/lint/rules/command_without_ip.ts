/**
 * KT215: a start or stop command that does not use `%IP%`.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";

/** Metadata of KT215. */
export const info: RuleInfo = {
  code: "KT215",
  severity: "warning",
  name: "command-without-ip",
  summary: "a command without %IP% opens for everyone, or cannot close the client's own rule",
  explanation: `knockd replaces "%IP%" (exactly that, upper case) in the commands with the knocking client's
address. A start command that does not use it cannot limit the opening to that client: a rule such as
"iptables -A INPUT -p tcp --dport 22 -j ACCEPT" opens the port to the whole internet as soon as anyone
knocks. A stop command without "%IP%" when the start command has it cannot remove the rule that was
added for that client. "%ip%" or "%Ip%" are not replaced at all.

Example:
  start_command = /usr/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT

Fix: add "-s %IP%" (or the equivalent for your firewall) to both the start and the stop command.`,
};

const PAIRS = [
  [KEYS.startCommand, KEYS.stopCommand],
  [KEYS.startCommand6, KEYS.stopCommand6],
] as const;

/**
 * Reports start commands without `%IP%`, and stop commands without it when their start command has it.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    for (const [startKeys, stopKeys] of PAIRS) {
      const start = lastDirective(door.section, startKeys);
      const stop = lastDirective(door.section, stopKeys);
      const startText = start?.value ?? "";
      const stopText = stop?.value ?? "";
      if (start !== undefined && startText !== "" && !startText.includes("%IP%")) {
        out.push(finding(info, messageFor(start.key, startText, true), valueSpanOf(start)));
      }
      if (
        stop !== undefined && stopText !== "" && !stopText.includes("%IP%") && startText.includes("%IP%")
      ) {
        out.push(finding(info, messageFor(stop.key, stopText, false), valueSpanOf(stop)));
      }
    }
  }
  return out;
}

function messageFor(key: string, text: string, isStart: boolean): string {
  const m = /%ip%/i.exec(text);
  if (m !== null) return `"${key}" uses "${m[0]}", which knockd does not replace; only "%IP%" is`;
  return isStart
    ? `"${key}" does not use "%IP%", so it opens for everyone, not only the knocking client`
    : `"${key}" does not use "%IP%", so it cannot remove the rule the start command added for the client`;
}
