/**
 * KT220: an empty Stop_Command_6 while IPv6 clients do get a start command.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective } from "../_directives.ts";

/** Metadata of KT220. */
export const info: RuleInfo = {
  code: "KT220",
  severity: "warning",
  name: "ipv6-never-closed",
  summary: "an empty Stop_Command_6 leaves IPv6 clients' openings open forever",
  explanation: `For IPv6 clients knockd uses Start_Command_6 and Stop_Command_6, each falling back to the IPv4
command when it is absent. "stop_command_6 =" (empty) means "run nothing" when closing. That is right when
IPv6 clients get no start command either ("start_command_6 =" empty too), but when they do get one
(their own Start_Command_6, or the Start_Command fallback), what it opens for them is never closed, while
IPv4 clients are closed by Stop_Command. (A door without any Stop_Command closes nothing for anyone, which
is a deliberate design and is not reported.)

Example:
  start_command  = /usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
  stop_command   = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
  stop_command_6 =

Fix: write a Stop_Command_6 that undoes Start_Command_6, or also set "start_command_6 =" to do nothing
for IPv6 clients.`,
};

/**
 * Reports empty Stop_Command_6 values on doors whose IPv6 start command is not empty.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const stop6 = lastDirective(door.section, KEYS.stopCommand6);
    if (stop6 === undefined || (stop6.value ?? "") !== "") continue;
    const start6 = lastDirective(door.section, KEYS.startCommand6) ??
      lastDirective(door.section, KEYS.startCommand);
    if (start6 === undefined || (start6.value ?? "") === "") continue;
    // Without an IPv4 stop command nothing is ever closed, for IPv4 either: a deliberate design, not this slip.
    if ((lastDirective(door.section, KEYS.stopCommand)?.value ?? "") === "") continue;
    out.push(finding(
      info,
      `"${stop6.key}" of door "${door.name}" is empty, so what "${start6.key}" opens for IPv6 clients is never closed`,
      stop6.span,
    ));
  }
  return out;
}
