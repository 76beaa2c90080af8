/**
 * KT240: `Nft_Port` or `Nft_Timeout` in a door without `Nft_Set` or `Nft_Set_6`.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { NFT_KEYS } from "../../config/nft.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { lastDirective } from "../_directives.ts";

/** Metadata of KT240. */
export const info: RuleInfo = {
  code: "KT240",
  severity: "warning",
  name: "nft-directive-without-set",
  summary: "Nft_Port and Nft_Timeout do nothing in a door without Nft_Set or Nft_Set_6",
  explanation: `Nft_Port (per-port elements) and Nft_Timeout (the element timeout) say how a door adds to its
nftables sets, which Nft_Set (IPv4) and Nft_Set_6 (IPv6) name. In a door with neither, they are ignored: the
door opens only through its commands, if it has any.

Example:
  [openSSH]
      sequence    = 7113,4091,9277
      Nft_Timeout = 30        <- no set to add to

Fix: name the set ("Nft_Set = inet filter knock_ssh4"), or remove the line.`,
};

/**
 * Reports the nftables directives of doors that name no set.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    if (lastDirective(door.section, [NFT_KEYS.set, NFT_KEYS.set6]) !== undefined) continue;
    for (const key of [NFT_KEYS.port, NFT_KEYS.timeout]) {
      const d = lastDirective(door.section, [key]);
      if (d === undefined) continue;
      out.push(finding(
        info,
        `"${d.key}" does nothing: door "${door.name}" has no Nft_Set or Nft_Set_6`,
        d.keySpan,
      ));
    }
  }
  return out;
}
