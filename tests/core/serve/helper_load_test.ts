import assert from "node:assert/strict";
import { HelperLoad, type HelperPolicy } from "../../../core/serve/mod.ts";

/** Feeds `frames` frames and ends the second: what changed on the way, in order. */
function second(load: HelperLoad, frames: number): HelperPolicy[] {
  const changes: HelperPolicy[] = [];
  for (let i = 0; i < frames; i++) {
    const change = load.frame();
    if (change !== undefined) changes.push(change);
  }
  const change = load.tick();
  if (change !== undefined) changes.push(change);
  return changes;
}

Deno.test("HelperLoad: idle while quiet, normal at the frame that makes a second busy, idle after quiet seconds", () => {
  const load = new HelperLoad({ busyFrames: 1000, quietSeconds: 3 });
  assert.equal(load.policy, "idle");
  // Knocks now and then: stays idle.
  for (const frames of [0, 3, 999, 12]) assert.deepEqual(second(load, frames), []);
  assert.equal(load.policy, "idle");
  // A flood: normal at its 1000th frame of the second, not at the second's end.
  for (let i = 0; i < 999; i++) assert.equal(load.frame(), undefined);
  assert.equal(load.frame(), "normal");
  assert.equal(load.frame(), undefined);
  assert.equal(load.tick(), undefined);
  assert.deepEqual(second(load, 90_000), []);
  // Fewer frames, but not under a quarter of busy: still normal; a quiet streak broken by a busier second
  // starts again.
  assert.deepEqual(second(load, 400), []);
  assert.deepEqual(second(load, 10), []);
  assert.deepEqual(second(load, 10), []);
  assert.deepEqual(second(load, 300), []);
  assert.equal(load.policy, "normal");
  // Three quiet seconds in a row: idle again.
  assert.deepEqual(second(load, 0), []);
  assert.deepEqual(second(load, 249), []);
  assert.deepEqual(second(load, 5), ["idle"]);
  assert.equal(load.policy, "idle");
  // The frames of a second are counted afresh: 999 twice is not busy.
  assert.deepEqual(second(load, 999), []);
  assert.deepEqual(second(load, 999), []);
  assert.deepEqual(second(load, 1000), ["normal"]);
});

Deno.test("HelperLoad: defaults are 1000 frames a second and 3 quiet seconds", () => {
  const load = new HelperLoad();
  assert.deepEqual(second(load, 999), []);
  assert.deepEqual(second(load, 1000), ["normal"]);
  assert.deepEqual(second(load, 0), []);
  assert.deepEqual(second(load, 0), []);
  assert.deepEqual(second(load, 0), ["idle"]);
});
