/**
 * Whether this machine can run namespace tests and benchmarks, and why not.
 *
 * @module
 */
import { hasCommand, run } from "./exec.ts";
import { randomHex } from "./topology.ts";

/**
 * Why the namespace tests cannot run here, or undefined when they can. Checks Linux, root, `ip` with netns
 * support, and every program in `needs`. Prints the reason (so a skipped run says why).
 *
 * @param needs Programs the caller needs besides `ip` (e.g. `knock`, `nft`, `knockd`).
 * @param label Printed before the reason.
 * @returns The reason, or undefined.
 */
export async function whySkip(
  needs: readonly string[] = [],
  label = "skipping e2e tests",
): Promise<string | undefined> {
  const reason = await skipReason(needs);
  if (reason !== undefined) {
    // deno-lint-ignore no-console
    console.log(`${label}: ${reason}`);
  }
  return reason;
}

async function skipReason(needs: readonly string[]): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "not Linux (network namespaces are Linux only)";
  if (Deno.uid() !== 0) return "not root (network namespaces, nftables and capture need root)";
  if (!(await hasCommand("ip"))) return "iproute2 (ip) is not installed; run tests/setup.sh as root";
  for (const name of needs) {
    if (!(await hasCommand(name))) return `"${name}" is not installed; run tests/setup.sh as root`;
  }
  const probe = `kt-e-probe-${randomHex(6)}`;
  const added = await run(["ip", "netns", "add", probe], { check: false, timeoutMs: 10_000 });
  if (added.code !== 0) return `cannot create a network namespace: ${added.stderr.trim()}`;
  await run(["ip", "netns", "del", probe], { check: false, timeoutMs: 10_000 });
  return undefined;
}
