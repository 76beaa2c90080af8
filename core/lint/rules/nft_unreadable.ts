/**
 * KT303 (`lint --check-firewall`): the nftables ruleset could not be read, so the doors' sets were not
 * checked.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { NFT_FIREWALL_CODES } from "../../nft/check.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";

/** Metadata of KT303. */
export const info: RuleInfo = {
  code: NFT_FIREWALL_CODES.unreadable,
  severity: "warning",
  name: "nft-unreadable",
  summary: "lint --check-firewall could not read the nftables ruleset: the sets were not checked",
  explanation: `"knocktool lint --check-firewall" reads the kernel's nftables tables and sets through
libnftables (Debian's libnftables1) to check the sets named by Nft_Set and Nft_Set_6. Reading them needs
CAP_NET_ADMIN (root, or "sudo"). When libnftables is not installed or the ruleset cannot be read, the check
is skipped with this warning (an error with --strict); knocktool serve, which needs the sets, refuses to
start in that case.

Example:
  $ knocktool lint --check-firewall /etc/knockd.conf        <- as an ordinary user

Fix: run the check as root (sudo knocktool lint --check-firewall ...), or install libnftables1.`,
};

/**
 * Reports once that the ruleset could not be read, at the first door's set.
 *
 * @param ctx The lint context.
 * @returns The finding (none without `--check-firewall`, or when the ruleset was read).
 */
export function check(ctx: LintContext): Diagnostic[] {
  const nft = ctx.nftables();
  if (nft === undefined || nft.facts.ok) return [];
  const first = nft.requirements[0]!;
  return [finding(
    info,
    `The nftables sets were not checked: ${nft.facts.reason}`,
    first.directive.keySpan,
  )];
}
