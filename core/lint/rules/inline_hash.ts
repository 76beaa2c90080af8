/**
 * KT206: a `#` inside a value, which knockd does not treat as a comment.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext, subSpan } from "../_context.ts";
import { KEYS } from "../_directives.ts";
import { isCSpace } from "../_number.ts";

/** Metadata of KT206. */
export const info: RuleInfo = {
  code: "KT206",
  severity: "warning",
  name: "inline-hash",
  summary: "knockd has no inline comments: a # after a value is part of the value",
  explanation: `knockd only skips lines whose first non-blank character is "#". Later in a line, "#" is
ordinary text and stays in the value. Consequences depend on the directive:
  - Sequence: works by accident, because atoi() stops at the "#" ("7000,8000 # note" is 7000,8000),
    but "7000 # ,8000" is only port 7000.
  - Target, LogFile, PidFile, One_Time_Sequences, Interface: the comment becomes part of the address,
    path or name, which then does not exist or never matches.
  - Commands: the text goes to /bin/sh, which happens to treat a word starting with "#" as a comment.
    Only that form is reported for commands, since "#" inside a word is legitimate shell.

Example:
  logfile = /var/log/knockd.log   # rotated weekly

Fix: put the comment on its own line, starting with "#".`,
};

const COMMAND_KEYS: readonly string[] = [
  ...KEYS.startCommand,
  ...KEYS.startCommand6,
  ...KEYS.stopCommand,
  ...KEYS.stopCommand6,
];

/**
 * Reports `#` characters inside directive values.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const section of ctx.config.sections) {
    for (const d of section.directives) {
      const value = d.value;
      if (value === undefined || d.valueSpan === undefined) continue;
      const isCommand = COMMAND_KEYS.includes(d.normalizedKey);
      let at = -1;
      for (let i = value.indexOf("#"); i !== -1; i = value.indexOf("#", i + 1)) {
        if (!isCommand || i === 0 || isCSpace(value[i - 1])) {
          at = i;
          break;
        }
      }
      if (at === -1) continue;
      const comment = value.slice(at);
      out.push(finding(
        info,
        `"#" does not start a comment here; "${comment}" is part of the value of "${d.key}"`,
        subSpan(d.valueSpan, at, value.length),
      ));
    }
  }
  return out;
}
