import assert from "node:assert/strict";
import { createRng } from "../../../core/packet/rng.ts";

Deno.test("createRng: the same seed gives the same sequence", () => {
  const a = createRng(12345), b = createRng(12345);
  const seqA = Array.from({ length: 1000 }, () => a.nextU32());
  const seqB = Array.from({ length: 1000 }, () => b.nextU32());
  assert.deepEqual(seqA, seqB);
  assert.deepEqual(createRng(9).bytes(33), createRng(9).bytes(33));
});

Deno.test("createRng: pinned first outputs (changing the generator changes --seed results)", () => {
  const rng = createRng(1);
  assert.deepEqual(Array.from({ length: 4 }, () => rng.nextU32()), PINNED_SEED_1);
});

// Recorded from this implementation (xoshiro128** seeded by splitmix32) when it was written.
const PINNED_SEED_1 = [2442144158, 3238099751, 3819917871, 2104621829];

Deno.test("createRng: different seeds, including ones differing only above 32 bits, differ", () => {
  const first = (seed: number): number[] => {
    const rng = createRng(seed);
    return Array.from({ length: 8 }, () => rng.nextU32());
  };
  assert.notDeepEqual(first(1), first(2));
  assert.notDeepEqual(first(1), first(1 + 2 ** 32));
  assert.notDeepEqual(first(0), first(-1));
  assert.notDeepEqual(first(0), first(Number.MAX_SAFE_INTEGER));
});

Deno.test("createRng: outputs are 32-bit unsigned and roughly uniform", () => {
  const rng = createRng(77);
  const buckets = new Array<number>(16).fill(0);
  for (let i = 0; i < 16000; i++) {
    const x = rng.nextU32();
    assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
    buckets[x >>> 28]!++;
  }
  for (const count of buckets) assert.ok(count > 800 && count < 1200, `bucket ${count}`);
});

Deno.test("Rng.int: stays inside inclusive bounds and reaches both ends", () => {
  const rng = createRng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const x = rng.int(-2, 2);
    assert.ok(x >= -2 && x <= 2);
    seen.add(x);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
  assert.equal(rng.int(5, 5), 5);
  const full = rng.int(0, 0xffffffff);
  assert.ok(full >= 0 && full <= 0xffffffff);
  assert.throws(() => rng.int(3, 2), /Random range .* got 3\.\.2/);
  assert.throws(() => rng.int(0, 2 ** 32), /Random range/);
});

Deno.test("Rng.bytes: length and validation", () => {
  const rng = createRng(4);
  assert.equal(rng.bytes(0).length, 0);
  assert.equal(rng.bytes(7).length, 7);
  assert.ok(rng.bytes(64).some((b) => b !== 0));
  assert.throws(() => rng.bytes(-1), /"length" must be a non-negative integer, got -1/);
});

Deno.test("createRng: rejects seeds that are not safe integers", () => {
  assert.throws(() => createRng(1.5), /"seed" must be a safe integer, got 1\.5/);
  assert.throws(() => createRng(Number.NaN), /"seed" must be a safe integer, got NaN/);
  assert.throws(() => createRng(2 ** 60), /"seed" must be a safe integer/);
});
