import assert from "node:assert/strict";
import { captureLoop, type FrameHandler, type PcapHandle } from "../../ffi/mod.ts";

/**
 * A stand-in for a live handle whose ring never runs dry while `frames` remain (a sustained flood): savefiles
 * cannot be non-blocking, and a real flood belongs to bench/flood.ts. It records every read's count (the loop
 * reads with `dispatch`; `next` is the same read here).
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

  next(max: number, onFrame: FrameHandler): number {
    return this.dispatch(max, onFrame);
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

/** A handle whose descriptor `poll` ignores (-1: only the timeout ends it) and whose frames a test adds. */
class QuietHandle extends FloodedHandle {
  /** Frames that reach the ring only after the next `dispatch` found it empty (a ring behind the wake). */
  late = 0;

  constructor() {
    super(0);
  }

  override dispatch(max: number, onFrame: FrameHandler): number {
    const n = super.dispatch(max, onFrame);
    if (n === 0) {
      this.remaining += this.late;
      this.late = 0;
    }
    return n;
  }
}

/** A wake source the test fires by hand; it records each wait's timeout. */
class ManualWake {
  #resolve: ((woken: boolean) => void) | undefined;
  readonly waits: number[] = [];
  closed = false;
  wait(timeoutMs: number): Promise<boolean> {
    this.waits.push(timeoutMs);
    return new Promise((resolve) => this.#resolve = resolve);
  }
  settle(woken: boolean): void {
    this.#resolve?.(woken);
    this.#resolve = undefined;
  }
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("captureLoop() with a wake source waits on it, not on poll, and drains when it fires", async () => {
  const fake = new QuietHandle();
  const wake = new ManualWake();
  const controller = new AbortController();
  const times: number[] = [];
  const started = performance.now();
  const loop = captureLoop(
    fake as unknown as PcapHandle,
    () => {
      times.push(performance.now() - started);
    },
    controller.signal,
    { wake, pollTimeoutMs: 5000 },
  );
  await tick(50);
  assert.deepEqual(wake.waits, [5000], "one wait, with the poll's timeout");
  fake.remaining = 3;
  wake.settle(true);
  await tick(50);
  assert.equal(times.length, 3, "the three frames were drained at the wake-up");
  assert.ok(times[0]! < 1000, `drained after ${times[0]!.toFixed(0)} ms`);
  assert.equal(wake.waits.length, 2, "waiting on the wake source again");
  // A timeout: drain (nothing), wait again; the abort is noticed at the next wake-up or timeout.
  wake.settle(false);
  await tick(20);
  assert.equal(wake.waits.length, 3);
  controller.abort();
  wake.settle(false);
  await loop;
  // No poll was in flight (its 5 s timeout would have held the loop).
  assert.ok(performance.now() - started < 2000, "the loop ended without waiting for a poll");
});

Deno.test("captureLoop() looks again 1 ms after a wake-up that found the ring empty, then waits", async () => {
  const fake = new QuietHandle();
  const wake = new ManualWake();
  const controller = new AbortController();
  let frames = 0;
  const loop = captureLoop(fake as unknown as PcapHandle, () => frames++, controller.signal, {
    wake,
    pollTimeoutMs: 5000,
  });
  await tick(20);
  assert.equal(wake.waits.length, 1);
  // Woken, but the frame reaches the ring only after the drain looked (hooks reordered).
  fake.late = 1;
  wake.settle(true);
  await tick(30);
  assert.equal(frames, 1, "the second look found the frame without another wake-up");
  assert.equal(wake.waits.length, 2, "then back to waiting on the wake source");
  // A timeout that finds nothing does not look again: it waits at once.
  fake.late = 1;
  wake.settle(false);
  await tick(30);
  assert.equal(frames, 1, "no second look after a timeout");
  assert.equal(wake.waits.length, 3);
  controller.abort();
  wake.settle(false);
  await loop;
});

Deno.test("captureLoop() goes back to poll once the wake source is closed", async () => {
  const fake = new QuietHandle();
  const wake = new ManualWake();
  const controller = new AbortController();
  const started = performance.now();
  const loop = captureLoop(fake as unknown as PcapHandle, () => {}, controller.signal, {
    wake,
    pollTimeoutMs: 300,
  });
  await tick(20);
  wake.closed = true;
  wake.settle(false);
  await tick(20);
  controller.abort();
  await loop;
  // It was in a 300 ms poll (on fd -1, which only the timeout ends) when the abort came.
  assert.equal(wake.waits.length, 1);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 280, `ended after ${elapsed.toFixed(0)} ms`);
});
