/**
 * serve's check of the nftables sets a config's doors add to, at start and on reload (called by the loader,
 * ./load.ts): every table and set must exist with the door's key type and the `timeout` flag, and accept
 * the door's element command (tried without committing it); otherwise the config is refused, with lint's
 * findings (KT301, KT302, as `lint --check-firewall` reports them) and the `nft` commands that create what
 * is missing. A dry run (`--dry-run`) adds nothing to the kernel and checks nothing.
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import { checkNftSets, fixCommands, NFT_FIREWALL_CODES, nftRequirements } from "../../core/nft/mod.ts";
import { readNftFacts } from "../nftables.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";

/**
 * Checks a config's nftables sets through the platform's libnftables.
 *
 * @param config The parsed, checked config.
 * @param settings The command line (the config's path for the lines; `--dry-run`).
 * @param platform The runtime.
 * @returns The lines that refuse the config (none when every set is as its doors need it).
 */
export function nftLoadErrors(
  config: Config,
  settings: Pick<ServeSettings, "configPath" | "dryRun">,
  platform: Pick<ServePlatform, "nftables">,
): string[] {
  if (settings.dryRun) return [];
  const requirements = nftRequirements(config);
  if (requirements.length === 0) return [];
  const path = settings.configPath;
  const facts = readNftFacts(() => platform.nftables(), requirements);
  if (!facts.ok) {
    return [
      `${path}: error[${NFT_FIREWALL_CODES.unreadable}]: nftables doors need libnftables: ${facts.reason}`,
    ];
  }
  const problems = checkNftSets(requirements, facts.ruleset, facts.trials);
  const lines = problems.map((p) => {
    const d = p.requirement.directive;
    const span = d.valueSpan ?? d.span;
    const code = p.kind === "missing" ? NFT_FIREWALL_CODES.missing : NFT_FIREWALL_CODES.mismatch;
    return `${path}:${span.line}:${span.column}: error[${code}]: ${p.message}`;
  });
  const commands = fixCommands(problems);
  if (commands.length === 0) return lines;
  const deletes = commands.some((c) => c.startsWith("nft delete "));
  lines.push(
    `these nft commands create the sets the doors need${
      deletes ? " (a set is deleted only once the rules that use it are)" : ""
    }:`,
    ...commands.map((c) => `  ${c}`),
  );
  return lines;
}
