/**
 * KT224: an interface named twice in the `Interface` list.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { interfaceList } from "../_interfaces.ts";

/** Metadata of KT224. */
export const info: RuleInfo = {
  code: "KT224",
  severity: "warning",
  name: "duplicate-interface",
  summary: "an interface named twice in an Interface list is listed by mistake",
  explanation: `knocktool's Interface takes a comma-separated list of interfaces to capture on. Naming the
same interface twice ("eth0,eth0") adds nothing, since it is one interface, and it usually means another
name was meant (a second interface that was mistyped or copied). knockd itself takes the whole
value as one interface name, so it refuses any list.

Example:
  [options]
      Interface = eth0,eth0

Fix: name each interface once ("Interface = eth0", or "Interface = eth0,wlan0").`,
};

/**
 * Reports every later mention of an interface already named in the `Interface` list.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const list = interfaceList(ctx.config);
  if (list === undefined) return [];
  const out: Diagnostic[] = [];
  const seen = new Map<string, number>();
  for (const m of list.members) {
    if (m.name === "") continue;
    const first = seen.get(m.name);
    if (first === undefined) {
      seen.set(m.name, m.span.column);
      continue;
    }
    out.push(finding(
      info,
      `Interface "${m.name}" is named twice (first at column ${first}); name each interface once`,
      m.span,
    ));
  }
  return out;
}
