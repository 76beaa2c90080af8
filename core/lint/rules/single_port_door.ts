/**
 * KT210: a door opened by a single knock.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { portLabel, readStep, writtenSequence } from "../_steps.ts";
import { doorCooldownMs } from "../../config/extensions.ts";

/** Metadata of KT210. */
export const info: RuleInfo = {
  code: "KT210",
  severity: "warning",
  name: "single-port-door",
  summary: "a one-knock door is opened by any single packet to that port, e.g. from a port scan",
  explanation:
    `A sequence of one port is a door that opens on one packet. Any scan that touches the port opens
it. For a UDP port it is worse: every single UDP packet to the port completes the sequence again and
runs the start command again (verified: 4000 packets ran the command 4000 times; jvinet/knock issue #86),
which can exhaust processes or fill the firewall with duplicate rules. knocktool's own "Cooldown = SECONDS"
directive stops the repeats (one opening per source per cool-down); the finding then only says that a single
packet opens the door.

Example:
  [openSSH]
      sequence = 7000

Fix: use a sequence of at least three knocks in a non-monotonic order, e.g. "8271,4011:udp,6109".`,
};

/**
 * Reports doors whose written sequence has exactly one (real) port.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const steps = writtenSequence(door);
    const step = steps[0];
    if (steps.length !== 1 || step === undefined) continue;
    const r = readStep(step);
    if (r.empty || r.garbage) continue; // KT201 already says it.
    const message = step.protocol === "udp" && doorCooldownMs(door) === 0
      ? `Door "${door.name}" has a single UDP knock; every UDP packet to port ${
        portLabel(step)
      } opens it and runs its command again`
      : `Door "${door.name}" has a single knock; any one packet to port ${
        portLabel(step, step.protocol === "udp" ? "/udp" : "")
      }, such as from a port scan, opens it`;
    out.push(finding(info, message, r.trimmedSpan));
  }
  return out;
}
