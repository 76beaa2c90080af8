/**
 * Linux network namespaces for end-to-end tests, benchmarks and the demo: unique namespaces joined by veth
 * pairs with IPv4 and IPv6 addresses, commands run in a namespace, long-running processes with line-by-line
 * output capture, bounded polling, a TCP listener and probe, and a skip reason when the machine cannot run
 * them (not root, no `ip`).
 *
 * Every namespace a topology creates is deleted in `finally`, whatever the body does. The tests import this
 * through `tests/e2e/_netns.ts`; `bench/` and `tools/` import it from here.
 *
 * ```ts ignore
 * import { poll, whySkip, withTopology } from "./mod.ts";
 * const skip = await whySkip(["knock", "nft"]);
 * Deno.test({ name: "knock opens", ignore: skip !== undefined }, async () => {
 *   await withTopology({}, async (t) => {
 *     await using server = t.server.spawn(["knockd", "-v", "-i", t.serverIf, "-c", conf]);
 *     await server.waitForLine(/listening on/, 5000);
 *     await t.clients[0]!.ns.exec(["knock", t.serverV4, "7000", "8000", "9000"]);
 *     await server.waitForLine(/OPEN SESAME/, 5000);
 *   });
 * });
 * ```
 *
 * @module
 */
export { type ExecOptions, type ExecResult, hasCommand, poll, run } from "./exec.ts";
export { Spawned, type SpawnOptions } from "./spawned.ts";
export {
  type Client,
  Netns,
  randomHex,
  type Topology,
  type TopologyOptions,
  withTopology,
} from "./topology.ts";
export { whySkip } from "./skip.ts";
export { KNOCKTOOL, REPO_ROOT, type SpawnsIn, startServe } from "./knocktool.ts";
export { type ProbeResult, tcpListener, tcpProbe } from "./tcp.ts";
