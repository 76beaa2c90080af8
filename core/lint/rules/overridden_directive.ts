/**
 * KT222: a directive that a later line of the same setting silently replaces.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { Directive } from "../../config/types.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS } from "../_directives.ts";

/** Metadata of KT222. */
export const info: RuleInfo = {
  code: "KT222",
  severity: "warning",
  name: "overridden-directive",
  summary: "a later line of the same setting silently replaces this one",
  explanation: `For every setting except TCPFlags, knockd keeps only the last line: a second Sequence replaces
the first (so does One_Time_Sequences, and the other way round), Command replaces Start_Command, Timeout
replaces Seq_Timeout, and in [options] a later LogFile, PidFile or Interface wins, even across several
[options] sections. The earlier line is dead, which usually means a copy-and-paste slip: the door has
another sequence or command than the one you were looking at.

Example:
  [openSSH]
      sequence = 7000,8000,9000
      command  = /usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
      sequence = 2222,3333          <- this one is used

Fix: delete the line that is not meant, or split the section into two doors.`,
};

const DOOR_GROUPS: readonly (readonly string[])[] = [
  [...KEYS.sequence, ...KEYS.oneTimeSequences],
  KEYS.seqTimeout,
  KEYS.cmdTimeout,
  KEYS.startCommand,
  KEYS.startCommand6,
  KEYS.stopCommand,
  KEYS.stopCommand6,
  KEYS.target,
];
const OPTION_GROUPS: readonly (readonly string[])[] = [KEYS.logFile, KEYS.pidFile, KEYS.interface];

function report(
  directives: readonly Directive[],
  groups: readonly (readonly string[])[],
  out: Diagnostic[],
): void {
  for (const group of groups) {
    let later: Directive | undefined;
    for (let i = directives.length - 1; i >= 0; i--) {
      const d = directives[i]!;
      if (!group.includes(d.normalizedKey)) continue;
      if (later !== undefined) {
        out.push(finding(
          info,
          `"${d.key}" is replaced by "${later.key}" on line ${later.span.line}; knockd uses only the last one`,
          d.span,
        ));
      } else {
        later = d;
      }
    }
  }
}

/**
 * Reports directives overridden by a later one of the same setting.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) report(door.section.directives, DOOR_GROUPS, out);
  const optionDirectives = ctx.config.sections.filter((s) => s.isOptions).flatMap((s) => s.directives);
  report(optionDirectives, OPTION_GROUPS, out);
  return out;
}
