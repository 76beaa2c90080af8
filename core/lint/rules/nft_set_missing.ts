/**
 * KT301 (`lint --check-firewall`): a table or set a door adds to does not exist in the kernel.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { checkNftSets, NFT_FIREWALL_CODES, problemText } from "../../nft/check.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";

/** Metadata of KT301. */
export const info: RuleInfo = {
  code: NFT_FIREWALL_CODES.missing,
  severity: "error",
  name: "nft-set-missing",
  summary: "a door's nftables table or set does not exist (lint --check-firewall)",
  explanation: `Checked with "knocktool lint --check-firewall" (as root, or with CAP_NET_ADMIN), and by
knocktool serve at start and on every reload, which refuses the config: the table and the set named by each
Nft_Set and Nft_Set_6 must exist in the kernel, or no opening could add to them. The finding gives the nft
commands that create them: a set of the door's key type ("ipv4_addr", "ipv6_addr", or with Nft_Port
"ipv4_addr . inet_service") with the "timeout" flag. A rule of the firewall must then use the set, e.g.
  tcp dport 22 ip saddr @knock_ssh4 accept

Example:
  [openSSH]
      Nft_Set = inet filter knock_ssh4     <- "nft list set inet filter knock_ssh4": No such file or directory

Fix: run the commands given (or add the set to /etc/nftables.conf), or correct the names.`,
};

/**
 * Reports the doors' tables and sets that the kernel does not hold.
 *
 * @param ctx The lint context.
 * @returns The findings (none without `--check-firewall`).
 */
export function check(ctx: LintContext): Diagnostic[] {
  const nft = ctx.nftables();
  if (nft === undefined || !nft.facts.ok) return [];
  return checkNftSets(nft.requirements, nft.facts.ruleset, nft.facts.trials)
    .filter((p) => p.kind === "missing")
    .map((p) => finding(info, problemText(p), valueSpanOf(p.requirement.directive)));
}
