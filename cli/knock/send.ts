/**
 * Sending the hits in order: a plain connect or datagram, or a raw packet with the hit's TCP flags; a
 * failed hit is reported and the rest still go out; the delay after every hit.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import { TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { buildPacket, type Rng } from "../../core/packet/mod.ts";
import type { Io } from "../runtime.ts";
import { sanitize } from "../_text.ts";
import { PROGRAM_NAME } from "../version.ts";
import type { KnockNet } from "./net.ts";
import { endpoint, hitLine } from "./output.ts";
import type { Hit } from "./plan.ts";

const SYN_ONLY = TCP_FLAG_BITS.syn;

function rawSyn(source: Uint8Array, address: Uint8Array, hit: Hit, rng: Rng): Uint8Array {
  return buildPacket(
    {
      src: source,
      dst: address,
      transport: { protocol: "tcp", dport: hit.port, flags: hit.flags ?? SYN_ONLY },
    },
    rng,
  );
}

/**
 * Sends every hit to `address`, waiting `delay` ms after each.
 *
 * @param hits The hits in order.
 * @param address The target.
 * @param verbose Print each hit before it goes out.
 * @param delay Milliseconds after every hit.
 * @param rng For the fields of raw packets.
 * @param io Output.
 * @param net The network.
 * @returns How many hits failed.
 */
export async function sendHits(
  hits: readonly Hit[],
  address: Uint8Array,
  verbose: boolean,
  delay: number,
  rng: Rng,
  io: Io,
  net: KnockNet,
): Promise<number> {
  let source: Uint8Array | undefined;
  let failed = 0;
  for (const hit of hits) {
    const raw = hit.protocol === "tcp" && hit.flags !== undefined;
    if (verbose) io.stdout(hitLine(hit, address));
    try {
      if (raw) {
        source ??= net.sourceFor(address);
        net.raw(rawSyn(source, address, hit, rng), address);
      } else if (hit.protocol === "tcp") {
        net.tcp(address, hit.port);
      } else {
        net.udp(address, hit.port);
      }
    } catch (error) {
      failed++;
      io.stderr(
        `${PROGRAM_NAME} knock: ${hit.protocol} ${endpoint(address, hit.port)}: ${
          sanitize(errorMessage(error))
        }\n`,
      );
    }
    if (delay > 0) await net.sleep(delay);
  }
  return failed;
}
