/**
 * KT108: an empty `Interface`, or an empty name in an `Interface` list.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { interfaceList } from "../_interfaces.ts";

/** Metadata of KT108. */
export const info: RuleInfo = {
  code: "KT108",
  severity: "error",
  name: "empty-interface",
  summary: "an empty Interface, or an empty name in an Interface list, names no interface to listen on",
  explanation: `Interface names the network interface the daemon captures knocks on (default eth0); knocktool
also takes a comma-separated list ("eth0,wlan0"). "Interface =" with nothing after the "=" does not mean the
default: knockd hands the empty name to libpcap, which picks some device of its own, and knocktool serve
would listen nowhere, so it refuses the file. An empty item in a list ("eth0,", "eth0,,wlan0") is refused
for the same reason: it is almost always a typo for a missing name.

The -i option of serve (and of knockd) replaces the Interface line.

Example:
  [options]
      Interface = eth0,

Fix: name the interface ("Interface = eth0"), or delete the line to use eth0.`,
};

/**
 * Reports an empty `Interface` value and empty members of an `Interface` list.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const list = interfaceList(ctx.config);
  if (list === undefined) return [];
  const key = list.directive.key;
  if (list.members.length === 1 && list.members[0]!.name === "") {
    return [finding(info, `"${key}" is empty, so there is no interface to listen on`, list.directive.span)];
  }
  return list.members.filter((m) => m.name === "").map((m) =>
    finding(
      info,
      `"${key}" lists an empty name here; separate interface names with single commas`,
      m.span,
    )
  );
}
