/**
 * A small seeded pseudo-random generator for the header fields a user leaves random
 * (IP id, ports, sequence numbers). Core code never calls `Math.random`: the caller injects
 * an {@linkcode Rng}, so `--seed N` reproduces a run bit for bit.
 *
 * The generator is xoshiro128** (Blackman and Vigna) seeded through splitmix32. It is fast and
 * statistically good; it is not cryptographically secure.
 *
 * @module
 */

/** A source of pseudo-random integers. */
export interface Rng {
  /** A uniformly distributed integer in `0..2**32-1`. */
  nextU32(): number;
  /** A uniformly distributed integer in `min..max` (inclusive, both integers, `max - min < 2**32`). */
  int(min: number, max: number): number;
  /** `length` random bytes. */
  bytes(length: number): Uint8Array;
}

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [state, (z ^ (z >>> 16)) >>> 0];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a generator from a seed. The same seed always yields the same sequence.
 *
 * @param seed A safe integer (negative values and values above 2**32 are accepted; all 53 bits count).
 * @throws {RangeError} when `seed` is not a safe integer.
 *
 * @example
 * ```ts
 * import { createRng } from "./rng.ts";
 * const a = createRng(42), b = createRng(42);
 * a.nextU32() === b.nextU32(); // true
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`"seed" must be a safe integer, got ${String(seed)}`);
  }
  const low = seed >>> 0; // two's complement low 32 bits for negatives too
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  let sm = (low ^ Math.imul(high, 0x27d4eb2d)) >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(sm);
    sm = next;
    s[i] = out;
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // the all-zero state is a fixed point

  function nextU32(): number {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  function int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min || max - min > 0xffffffff) {
      throw new RangeError(`Random range must be integers with 0 <= max - min < 2**32, got ${min}..${max}`);
    }
    const span = max - min + 1; // 1..2**32
    if (span === 2 ** 32) return min + nextU32();
    // Rejection sampling removes the modulo bias.
    const limit = 2 ** 32 - (2 ** 32 % span);
    let x = nextU32();
    while (x >= limit) x = nextU32();
    return min + (x % span);
  }

  function bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`"length" must be a non-negative integer, got ${String(length)}`);
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let x = nextU32();
      for (let j = i; j < i + 4 && j < length; j++) {
        out[j] = x & 0xff;
        x >>>= 8;
      }
    }
    return out;
  }

  return { nextU32, int, bytes };
}
