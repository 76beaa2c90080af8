/**
 * KT219: two doors with the same name.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { Door } from "../../config/types.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";

/** Metadata of KT219. */
export const info: RuleInfo = {
  code: "KT219",
  severity: "warning",
  name: "duplicate-door-name",
  summary: "doors with the same name work independently but cannot be told apart in the logs",
  explanation: `knockd allows two sections with the same name and makes them separate doors. Its log lines
("<ip>: <door>: OPEN SESAME", "running command") only name the door, so you cannot tell which of them
fired. Usually the second section was copied from the first and not renamed.

Example:
  [openSSH]
      sequence = 7000,8000,9000
  [openSSH]
      sequence = 9000,8000,7000

Fix: give each door a unique name, e.g. "openSSH" and "closeSSH".`,
};

/**
 * Reports every door whose name was already used by an earlier door.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, Door>();
  for (const door of ctx.config.doors) {
    const earlier = first.get(door.name);
    if (earlier === undefined) {
      first.set(door.name, door);
      continue;
    }
    out.push(finding(
      info,
      `Door name "${door.name}" is already used on line ${earlier.section.span.line}; knockd's logs cannot tell them apart`,
      door.section.nameSpan,
    ));
  }
  return out;
}
