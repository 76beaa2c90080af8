import assert from "node:assert/strict";
import {
  ALL_PORTS,
  rangeCount,
  rangeTerms,
  toRanges,
  unionRanges,
  widenRanges,
} from "../../../core/filter/_port_ranges.ts";
import { createRng } from "../../../core/packet/mod.ts";

Deno.test("toRanges: sorted, repeats dropped, neighbours joined", () => {
  assert.deepEqual(toRanges([9000, 7001, 7000, 7002, 7000, 0, 65535, 65534]), [
    [0, 0],
    [7000, 7002],
    [9000, 9000],
    [65534, 65535],
  ]);
  assert.deepEqual(toRanges([]), []);
});

Deno.test("unionRanges: overlapping and adjacent ranges of several lists become one", () => {
  assert.deepEqual(unionRanges([[[10, 20], [40, 50]], [[21, 25], [45, 60]], [[100, 100]]]), [
    [10, 25],
    [40, 60],
    [100, 100],
  ]);
  assert.deepEqual(unionRanges([[[5, 5]], ALL_PORTS]), [[0, 65535]]);
});

Deno.test("widenRanges: closes the smallest gaps over all lists first, keeps every port", () => {
  const tcp = toRanges([1, 3, 100, 200]);
  const udp = toRanges([50, 52, 1000]);
  // Gaps: tcp 2, 97, 100; udp 2, 948. Closing three: both gaps of 2, then tcp's 97.
  assert.deepEqual(widenRanges([tcp, udp], 4), [[[1, 100], [200, 200]], [[50, 52], [1000, 1000]]]);
  assert.deepEqual(widenRanges([tcp, udp], 2), [[[1, 200]], [[50, 1000]]]);
  // Nothing to do: copies.
  assert.deepEqual(widenRanges([tcp, udp], 7), [tcp, udp]);
  // A list never disappears, even below the number of lists.
  assert.deepEqual(widenRanges([tcp, [], udp], 1), [[[1, 200]], [], [[50, 1000]]]);
});

Deno.test("widenRanges: random lists stay supersets, sorted and disjoint, within the bound", () => {
  const rng = createRng(7);
  for (let trial = 0; trial < 200; trial++) {
    const lists = Array.from(
      { length: rng.int(1, 3) },
      () => toRanges(Array.from({ length: rng.int(0, 60) }, () => rng.int(0, rng.int(0, 1) ? 300 : 65535))),
    );
    const max = rng.int(1, 40);
    const widened = widenRanges(lists, max);
    const nonEmpty = lists.filter((l) => l.length > 0).length;
    assert.ok(rangeCount(widened) <= Math.max(max, nonEmpty), `${rangeCount(widened)} > ${max}`);
    widened.forEach((list, l) => {
      for (let i = 0; i + 1 < list.length; i++) assert.ok(list[i]![1] + 1 < list[i + 1]![0], "disjoint");
      for (const [low, high] of lists[l]!) {
        assert.ok(list.some(([a, b]) => a <= low && high <= b), `${low}-${high} kept in list ${l}`);
      }
    });
  }
});

Deno.test("rangeTerms: single ports in one list, then each range; every port is the protocol alone", () => {
  assert.equal(rangeTerms("tcp", [[7000, 7000], [8000, 8000]]), "tcp dst port 7000 or 8000");
  assert.equal(
    rangeTerms("udp", [[10, 12], [7000, 7000], [9000, 9001], [9005, 9005]]),
    "udp dst port 7000 or 9005 or udp dst portrange 10-12 or udp dst portrange 9000-9001",
  );
  assert.equal(rangeTerms("tcp", ALL_PORTS), "tcp");
});
