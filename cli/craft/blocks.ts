/**
 * CIDR blocks for craft's `--src`/`--dst` (`10.8.0.0/16`) and the random addresses drawn from them
 * (`--rand-source`, `--rand-dest`).
 *
 * @module
 */
import { type Rng, tryParseIP } from "../../core/packet/mod.ts";
import { parseIntField, UsageError } from "./values.ts";

/** A CIDR block: the addresses that share the first `prefix` bits of `base`. */
export interface Block {
  readonly base: Uint8Array;
  readonly prefix: number;
}

/** Parses `ADDR/PREFIX`, or returns `undefined` when `text` has no `/`. */
export function parseBlock(name: string, text: string): Block | undefined {
  const slash = text.indexOf("/");
  if (slash === -1) return undefined;
  const address = tryParseIP(text.slice(0, slash));
  if (address === undefined) {
    throw new UsageError(`${name}: "${text}" is not a CIDR block such as 10.0.0.0/24`);
  }
  const bits = address.bytes.length * 8;
  const prefix = parseIntField(`${name} prefix`, text.slice(slash + 1), 0, bits);
  return { base: address.bytes, prefix };
}

/** A random address in `block` (the host bits drawn from `rng`, the network bits kept). */
export function randomAddress(block: Block, rng: Rng): Uint8Array {
  const out = block.base.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, block.prefix - i * 8));
    if (keep === 8) continue;
    const mask = (0xff << (8 - keep)) & 0xff;
    out[i] = (out[i]! & mask) | (rng.int(0, 255) & ~mask & 0xff);
  }
  return out;
}
