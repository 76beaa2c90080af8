/**
 * `--verify PORT`: after the knock, TCP connection attempts until the port opens or `--wait` runs out.
 *
 * @module
 */
import type { Io } from "../runtime.ts";
import type { KnockNet } from "./net.ts";
import { endpoint } from "./output.ts";

/**
 * Tries `address`:`port` until it opens or `waitSeconds` have passed, at most one second per attempt,
 * refusals paced 200 ms apart; prints the outcome.
 *
 * @param address The target.
 * @param port The port to try.
 * @param waitSeconds How long to keep trying.
 * @param io Output.
 * @param net Probes, clock, sleep.
 * @returns 0 when it opened, else 1.
 */
export async function verify(
  address: Uint8Array,
  port: number,
  waitSeconds: number,
  io: Io,
  net: KnockNet,
): Promise<number> {
  const start = net.now();
  const deadline = start + waitSeconds * 1000;
  let last = "no attempt";
  for (;;) {
    const left = deadline - net.now();
    const result = await net.probe(address, port, Math.max(1, Math.min(1000, left)));
    if (result.state === "open") {
      const seconds = ((net.now() - start) / 1000).toFixed(1);
      io.stdout(`${endpoint(address, port)} is open (after ${seconds} s)\n`);
      return 0;
    }
    last = result.state === "timeout" ? "no answer" : result.reason;
    if (net.now() >= deadline) break;
    // A refusal comes back at once: pace the retries instead of spinning.
    if (result.state === "closed") await net.sleep(Math.min(200, Math.max(0, deadline - net.now())));
    if (net.now() >= deadline) break;
  }
  io.stdout(`${endpoint(address, port)} did not open within ${waitSeconds} s (last attempt: ${last})\n`);
  return 1;
}
