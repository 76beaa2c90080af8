/**
 * KT302 (`lint --check-firewall`): a door's nftables set cannot take its elements as they must be.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { checkNftSets, NFT_FIREWALL_CODES, problemText } from "../../nft/check.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";

/** Metadata of KT302. */
export const info: RuleInfo = {
  code: NFT_FIREWALL_CODES.mismatch,
  severity: "error",
  name: "nft-set-mismatch",
  summary: "a door's nftables set has the wrong type, no timeout flag, or refuses its elements",
  explanation: `Checked with "knocktool lint --check-firewall" (as root, or with CAP_NET_ADMIN), and by
knocktool serve at start and on every reload, which refuses the config. The set named by Nft_Set must have
the type "ipv4_addr" ("ipv6_addr" for Nft_Set_6; with Nft_Port, "ipv4_addr . inet_service" or
"ipv6_addr . inet_service"), the "timeout" flag (or its elements could not expire by themselves), and must not
be "constant". Last, libnftables is asked to add a sample element the door's way without committing it (a
dry run): a name that is an nft keyword, for instance, is refused there.

A set's type and flags cannot be changed in place: the finding gives the commands that delete it and create
it again, which works once no rule uses it (delete those rules first, or change /etc/nftables.conf and load
it again).

Example:
  set knock_ssh4 { type ipv4_addr; }        <- no "flags timeout"

Fix: give the set the type and "flags timeout" the finding names.`,
};

/**
 * Reports the doors' sets that exist but cannot take the doors' elements.
 *
 * @param ctx The lint context.
 * @returns The findings (none without `--check-firewall`).
 */
export function check(ctx: LintContext): Diagnostic[] {
  const nft = ctx.nftables();
  if (nft === undefined || !nft.facts.ok) return [];
  return checkNftSets(nft.requirements, nft.facts.ruleset, nft.facts.trials)
    .filter((p) => p.kind === "mismatch")
    .map((p) => finding(info, problemText(p), valueSpanOf(p.requirement.directive)));
}
