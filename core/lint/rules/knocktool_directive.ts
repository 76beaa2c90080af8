/**
 * KT223: a knocktool door directive (Strict, Cooldown, the Nft_* directives), which knockd itself rejects.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { KNOCKTOOL_EXTENSIONS } from "../../config/extensions.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";

/** Metadata of KT223. */
export const info: RuleInfo = {
  code: "KT223",
  severity: "warning",
  name: "knocktool-directive",
  summary: "knockd refuses a file with knocktool's own directives (Strict, Cooldown, Nft_Set, ...)",
  explanation: `knocktool serve, knocktool knock -c and knocktool lint accept door directives that knockd does
not know:

  Strict = yes      a TCP SYN or UDP packet from a source in progress to any other port of the door's
                    addresses invalidates its attempt, so a sequential port scan cannot open the door
  Cooldown = 30     after the door opens for a source, it does not open again for that source within
                    30 seconds (stops one-knock UDP doors from firing on every packet)
  Nft_Set, Nft_Set_6, Nft_Port, Nft_Timeout
                    the door adds the source to an nftables set with a timeout the kernel enforces

knockd itself treats them like any unknown key: it prints "config: line N: syntax error" and exits with
status 1. This warning says which line would make knockd refuse the file, so a config shared between
knockd and knocktool stays loadable by both only without them.

Example:
  [openSSH]
      sequence = 7000,8000,9000
      Strict   = yes        <- knockd: "config: line 3: syntax error"

Fix: nothing, when only knocktool reads the file; otherwise keep a copy without these lines for knockd.`,
};

const KEYS: ReadonlySet<string> = new Set(
  KNOCKTOOL_EXTENSIONS.filter((e) => e.scope === "door").map((e) => e.key.toUpperCase()),
);

/**
 * Reports every line of a door that uses one of knocktool's own directives.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    for (const d of door.section.directives) {
      if (!KEYS.has(d.normalizedKey) || d.value === undefined) continue;
      out.push({
        ...finding(
          info,
          `"${d.key}" is a knocktool directive: knockd would refuse this file at line ${d.span.line}`,
          d.keySpan,
        ),
        knockd: `config: line ${d.span.line}: syntax error`,
      });
    }
  }
  return out;
}
