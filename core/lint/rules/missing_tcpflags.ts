/**
 * KT217: a door with TCP knocks and no TCPFlags.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS } from "../_directives.ts";

/** Metadata of KT217. */
export const info: RuleInfo = {
  code: "KT217",
  severity: "warning",
  name: "missing-tcpflags",
  summary: "without TCPFlags, any TCP packet (ACK, RST, FIN) on a knock port counts as a knock",
  explanation: `A door without TCPFlags accepts every TCP packet to its ports as a knock, whatever its flags:
ACK and RST segments of unrelated connections, FIN packets, retransmissions. Such stray packets from the
client's address advance or silently break its attempt (jvinet/knock issue #25), and anyone can knock with
packets a firewall would treat as part of an existing connection. The knock client sends one SYN per TCP
knock, so "tcpflags = syn" costs nothing: knockd then ignores every other packet to those ports (they are
dropped by the capture filter and never invalidate an attempt). This is what knockd's own example
configuration uses.

Only doors with at least one TCP knock are reported.

Example:
  [openSSH]
      sequence = 7000,8000,9000

Fix: add "tcpflags = syn" to the door.`,
};

/**
 * Reports doors with TCP knocks that have no TCPFlags line.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    if (!ctx.sequenceOf(door).some((s) => s.protocol === "tcp")) continue;
    if (door.section.directives.some((d) => (KEYS.tcpFlags as readonly string[]).includes(d.normalizedKey))) {
      continue;
    }
    out.push(finding(
      info,
      `Door "${door.name}" has no TCPFlags, so any TCP packet to its ports counts as a knock; add "tcpflags = syn"`,
      door.section.nameSpan,
    ));
  }
  return out;
}
