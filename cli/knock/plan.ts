/**
 * Pure planning of a knock: which hits go out in which order, decoys included.
 *
 * @module
 */
import type { Rng } from "../../core/packet/rng.ts";

/** One packet of a knock. */
export interface Hit {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
  /** TCP flag bits to send through the raw sender; absent for an ordinary connect SYN. */
  readonly flags?: number;
  /** True for a decoy knock. */
  readonly decoy?: boolean;
}

/** Lowest port a decoy uses (well-known service ports are left alone). */
export const DECOY_MIN_PORT = 1024;

/**
 * Interleaves `count` decoys on random ports (1024..65535) that are not in `avoid`, each at a
 * random position; the real hits keep their order. A decoy's protocol is drawn from the
 * protocols of the real hits.
 *
 * @throws {RangeError} when fewer than `count` ports are free.
 */
export function interleaveDecoys(
  hits: readonly Hit[],
  count: number,
  avoid: ReadonlySet<number>,
  rng: Rng,
): Hit[] {
  let free = 0;
  for (let p = DECOY_MIN_PORT; p <= 65535; p++) if (!avoid.has(p)) free++;
  if (count > free) throw new RangeError(`Only ${free} ports are free for decoys, ${count} requested`);
  const protocols = [...new Set(hits.map((h) => h.protocol))];
  if (protocols.length === 0) protocols.push("tcp");
  const out = [...hits];
  for (let i = 0; i < count; i++) {
    let port: number;
    do port = rng.int(DECOY_MIN_PORT, 65535); while (avoid.has(port));
    const protocol = protocols[rng.int(0, protocols.length - 1)]!;
    out.splice(rng.int(0, out.length), 0, { port, protocol, decoy: true });
  }
  return out;
}
