/**
 * Hostile input (issue 4), the small CI run of bench/fuzz_frames.ts: seeded random and mutated frames on
 * every supported link type (and unsupported ones) through `decodeFrame` and the engine. Nothing may throw,
 * every decoded knock is well formed, and the engine's table stays within its cap while being pushed past
 * it. The large run is `deno run -A bench/fuzz_frames.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { LinkType } from "../../core/decode/mod.ts";
import { FrameFuzzer, fuzz, templates } from "../../bench/fuzz_frames.ts";
import { decodeFrame } from "../../core/decode/mod.ts";

const CAP = 500;

for (const seed of [1, 20261125]) {
  Deno.test(`hostile input: 100k fuzzed frames (seed ${seed}) never throw and keep the table within ${CAP}`, () => {
    const { report, engine, fuzzer } = fuzz(seed, 100_000, CAP);
    const stats = engine.stats();
    assert.equal(report.frames, 100_000);
    // Each strategy produced frames, and both outcomes happened in numbers.
    assert.equal(fuzzer.strategies.size, 6, [...fuzzer.strategies.keys()].join(", "));
    assert.ok(report.decoded > 30_000, `only ${report.decoded} knocks decoded`);
    assert.ok(report.reasons.size >= 15, `only ${report.reasons.size} distinct decode failures`);
    // The engine was really exercised: the cap was reached (and evictions kept it there), doors opened,
    // attempts failed and timed out.
    assert.equal(report.maxAttemptsSeen, CAP);
    assert.ok(stats.attempts <= CAP);
    assert.ok(stats.evicted > 1000, `evicted ${stats.evicted}`);
    assert.ok(stats.opened > 0 && stats.failed > 0 && stats.timedOut > 0, JSON.stringify(stats));
  });
}

Deno.test("hostile input: the same seed replays the same frames", () => {
  const a = new FrameFuzzer(7);
  const b = new FrameFuzzer(7);
  for (let i = 0; i < 1000; i++) {
    const x = a.next();
    const y = b.next();
    assert.equal(x.linktype, y.linktype);
    assert.deepEqual(x.bytes, y.bytes);
  }
});

Deno.test("hostile input: the fuzz templates are valid knocks on every supported link type", () => {
  const seen = new Set<number>();
  for (const t of templates()) {
    const result = decodeFrame(t.linktype, t.frame, 1);
    assert.ok(result.ok, `template on linktype ${t.linktype} did not decode`);
    assert.equal(result.knock.family, t.family);
    assert.equal(result.knock.protocol, t.protocol);
    seen.add(t.linktype);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), Object.values(LinkType).sort((a, b) => a - b));
});
