/**
 * KT144: a door with `Nft_Set` or `Nft_Set_6` and no timeout for its elements.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import { NFT_KEYS } from "../../config/nft.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";

/** Metadata of KT144. */
export const info: RuleInfo = {
  code: "KT144",
  severity: "error",
  name: "nft-no-timeout",
  summary: "a door with Nft_Set needs Nft_Timeout or a positive Cmd_Timeout line for its elements",
  explanation: `A door with Nft_Set or Nft_Set_6 adds the knocking address to an nftables set with an element
timeout: the kernel removes it when the timeout has passed, even if knocktool has been killed. The timeout
is the door's Nft_Timeout, or else its own Cmd_Timeout line. knockd's implicit Cmd_Timeout of 10 seconds is
not used: a door that nobody closes must say how long it stays open. A Cmd_Timeout of 0 or below cannot be
one either (an element without a timeout never expires).

Example:
  [openSSH]
      sequence = 7113,4091,9277
      tcpflags = syn
      Nft_Set  = inet filter knock_ssh4        <- open for how long?

Fix: add "Nft_Timeout = 30" (seconds; or "90s", "5m", "1h"), or a positive "Cmd_Timeout = 30".`,
};

/**
 * Reports doors with an nftables set and no timeout source.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const ext = door.extensions;
    const set = lastDirective(door.section, [NFT_KEYS.set, NFT_KEYS.set6]);
    if (ext === undefined || set === undefined || ext.has(NFT_KEYS.timeout)) continue;
    const cmd = lastDirective(door.section, KEYS.cmdTimeout);
    if (cmd === undefined) {
      out.push(finding(
        info,
        `Door "${door.name}" adds to an nftables set but has no Nft_Timeout or Cmd_Timeout line: how long its elements stay is not said`,
        set.keySpan,
      ));
    } else if (door.cmdTimeout.value <= 0) {
      out.push(finding(
        info,
        `Cmd_Timeout "${
          cmd.value ?? ""
        }" of door "${door.name}" is not a positive number of seconds, so it cannot be its nftables element timeout`,
        valueSpanOf(cmd),
      ));
    }
  }
  return out;
}
