/**
 * KT209: a knock on a port that real services use.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { portLabel, readStep, writtenSequence } from "../_steps.ts";

/** Well-known service ports above 1023 that see everyday traffic. */
const SERVICES: ReadonlyMap<number, string> = new Map([
  [1080, "socks"],
  [1194, "openvpn"],
  [1433, "mssql"],
  [1521, "oracle"],
  [1723, "pptp"],
  [1883, "mqtt"],
  [2049, "nfs"],
  [2375, "docker"],
  [2376, "docker"],
  [3306, "mysql"],
  [3389, "rdp"],
  [5060, "sip"],
  [5432, "postgresql"],
  [5900, "vnc"],
  [6379, "redis"],
  [6443, "kubernetes"],
  [8080, "http-alt"],
  [8443, "https-alt"],
  [9200, "elasticsearch"],
  [11211, "memcached"],
  [25565, "minecraft"],
  [27017, "mongodb"],
  [51820, "wireguard"],
]);

/** Names for the most common ports below 1024, for friendlier messages. */
const LOW_NAMES: ReadonlyMap<number, string> = new Map([
  [21, "ftp"],
  [22, "ssh"],
  [23, "telnet"],
  [25, "smtp"],
  [53, "dns"],
  [80, "http"],
  [110, "pop3"],
  [123, "ntp"],
  [143, "imap"],
  [443, "https"],
  [445, "smb"],
  [587, "submission"],
  [993, "imaps"],
  [995, "pop3s"],
]);

/** Metadata of KT209. */
export const info: RuleInfo = {
  code: "KT209",
  severity: "warning",
  name: "well-known-port",
  summary: "ordinary traffic to a service port advances or breaks the knock sequence",
  explanation:
    `Every packet to a port in a sequence goes through knockd's matching. If a knock port is one that
real services use (below 1024, or a well-known service port such as 3306 mysql, 3389 rdp, 8080), then the
knocking client's own ordinary traffic to that port (a browser, a mail client, a DNS lookup) counts as a
knock: out of order it silently invalidates the attempt (jvinet/knock issue #25, "problematic ports"), and
scanners probe these ports first. Also, a door whose sequence contains the very port it protects (e.g. 22)
is knocked by every SSH connection attempt.

Port 0 is reported by KT201 (port-zero) instead.

Example:
  sequence = 80,7000,9000

Fix: use unassigned high ports (e.g. between 10000 and 60000) that no service on the path uses.`,
};

/**
 * Reports knocks on ports below 1024 or on well-known service ports.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const reported = new Set<number>();
    for (const step of writtenSequence(door)) {
      const port = step.port;
      if (port === 0 || reported.has(port)) continue;
      const service = port < 1024 ? (LOW_NAMES.get(port) ?? "a system port below 1024") : SERVICES.get(port);
      if (service === undefined) continue;
      reported.add(port);
      const what = port < 1024 && !LOW_NAMES.has(port) ? service : `the ${service} port`;
      out.push(finding(
        info,
        `Port ${
          portLabel(step)
        } is ${what}; ordinary traffic to it breaks or advances knocks on door "${door.name}"`,
        readStep(step).trimmedSpan,
      ));
    }
  }
  return out;
}
