/**
 * nftables for the doors that open in the kernel (knocktool's `Nft_Set` directives, core/config/nft.ts): the
 * element command of an opening, the `nft` commands that create a door's set, the kernel's tables and sets as
 * libnftables lists them, and the check that a config's sets exist as its doors need them. Pure: libnftables
 * is reached from `cli/` (ffi/nftables.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addElementsCommand, nftElement } from "./mod.ts";
 *
 * const ref = { family: "inet", table: "filter", set: "knock_ports4" } as const;
 * assert.equal(
 *   addElementsCommand(ref, [nftElement("192.0.2.7", 22)], 90_000),
 *   "add element inet filter knock_ports4 { 192.0.2.7 . 22 timeout 1m30s }\n" +
 *     "delete element inet filter knock_ports4 { 192.0.2.7 . 22 }\n" +
 *     "add element inet filter knock_ports4 { 192.0.2.7 . 22 timeout 1m30s }\n",
 * );
 * ```
 *
 * @module
 */
export {
  addElementsCommand,
  addSetShellCommand,
  addTableShellCommand,
  deleteSetShellCommand,
  keyTypeText,
  nftDuration,
  nftElement,
  nftSetName,
  setKeyType,
} from "./commands.ts";
export {
  type NftListing,
  type NftRuleset,
  type NftSetFact,
  type NftTableFact,
  parseNftListing,
} from "./ruleset.ts";
export {
  checkNftSets,
  fixCommands,
  NFT_FIREWALL_CODES,
  type NftFacts,
  type NftProblem,
  type NftRequirement,
  nftRequirements,
  type NftTrials,
  problemText,
  requirementKey,
  sampleElement,
} from "./check.ts";
