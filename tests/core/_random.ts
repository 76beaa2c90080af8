/**
 * Seeded random numbers for the fuzz and property tests: floats in `[0, 1)` drawn from the library's
 * own generator, so every run and every failure reproduces from its seed.
 *
 * @module
 */
import { createRng } from "../../core/packet/rng.ts";

/** A `Math.random`-shaped function (floats in `[0, 1)`) seeded with `seed`, from {@linkcode createRng}. */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.nextU32() / 2 ** 32;
}
