import assert from "node:assert/strict";
import { captureLoop, type FrameHandler, type PcapHandle } from "../../ffi/mod.ts";

/**
 * A stand-in for a live handle whose ring never runs dry while `frames` remain (a sustained flood): savefiles
 * cannot be non-blocking, and a real flood belongs to bench/flood.ts. It records every `dispatch` count.
 */
class FloodedHandle {
  remaining: number;
  readonly counts: number[] = [];
  closed = false;

  constructor(frames: number) {
    this.remaining = frames;
  }

  setNonblock(_on: boolean): void {}

  selectableFd(): number {
    return -1;
  }

  dispatch(max: number, onFrame: FrameHandler): number {
    this.counts.push(max);
    const n = Math.min(max < 0 ? this.remaining : max, this.remaining);
    const bytes = new Uint8Array(40);
    for (let i = 0; i < n; i++) onFrame(1_764_000_000_000 + i, 40, 40, bytes);
    this.remaining -= n;
    return n;
  }
}

Deno.test("captureLoop() yields to the event loop during a flood and dispatches in bounded batches", async () => {
  const frames = 20_000;
  const fake = new FloodedHandle(frames);
  const controller = new AbortController();
  let seen = 0;
  let seenWhenTimerRan: number | undefined;
  setTimeout(() => seenWhenTimerRan = seen, 0);
  await captureLoop(
    fake as unknown as PcapHandle,
    () => {
      // ~50 µs of work per frame: 20k frames take about a second without a break.
      const until = performance.now() + 0.05;
      while (performance.now() < until) { /* busy */ }
      if (++seen === frames) controller.abort();
    },
    controller.signal,
    { maxDrainMs: 10, batch: 100 },
  );
  assert.equal(seen, frames);
  assert.ok(fake.counts.every((c) => c === 100), `dispatch counts ${[...new Set(fake.counts)]}`);
  // The timer ran after about 10 ms of draining (a few hundred frames), long before the flood ended.
  assert.ok(seenWhenTimerRan !== undefined, "the timer never ran");
  assert.ok(
    seenWhenTimerRan > 0 && seenWhenTimerRan < frames / 4,
    `timer ran after ${seenWhenTimerRan} frames`,
  );
});

Deno.test("captureLoop() dispatches 1024 frames at a time by default", async () => {
  const fake = new FloodedHandle(5000);
  const controller = new AbortController();
  let seen = 0;
  await captureLoop(fake as unknown as PcapHandle, () => {
    if (++seen === 5000) controller.abort();
  }, controller.signal);
  assert.equal(seen, 5000);
  assert.deepEqual([...new Set(fake.counts)], [1024]);
});
