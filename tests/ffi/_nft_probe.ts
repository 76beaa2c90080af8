/**
 * Run by tests/ffi/nftables_test.ts inside a fresh network namespace (root), whose nftables ruleset is its
 * own: `deno run -A _nft_probe.ts`. Drives one libnftables context through the binding and prints one JSON
 * line with what each step returned.
 *
 * @module
 */
import { NftContext } from "../../ffi/nftables.ts";

const steps: Record<string, unknown> = {};
const nft = NftContext.open();
steps.table = nft.run("add table inet kt");
steps.set = nft.run("add set inet kt s { type ipv4_addr; flags timeout; }");
steps.add = nft.run("add element inet kt s { 192.0.2.1 timeout 40s }");
steps.dry = nft.run("add element inet kt s { 192.0.2.2 timeout 40s }", { dryRun: true });
steps.missing = nft.run("add element inet kt nosuch { 192.0.2.3 }");
steps.syntax = nft.run("add element inet kt set { 192.0.2.3 }");
steps.json = nft.run("list set inet kt s", { json: true });
steps.terse = nft.run("list set inet kt s", { terse: true });
steps.text = nft.run("list set inet kt s");
nft.close();
nft.close();
try {
  nft.run("list tables");
  steps.afterClose = "ran";
} catch (error) {
  steps.afterClose = (error as Error).message;
}
// deno-lint-ignore no-console
console.log(JSON.stringify(steps));
