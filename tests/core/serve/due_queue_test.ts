import assert from "node:assert/strict";
import { DueQueue } from "../../../core/serve/due_queue.ts";
import { createRng } from "../../../core/packet/rng.ts";

Deno.test("DueQueue pops items in due order, ties in insertion order, only once due", () => {
  const q = new DueQueue<string>();
  assert.equal(q.nextDue, Infinity);
  assert.equal(q.popDue(1e9), undefined);
  q.push(30, "c");
  q.push(10, "a1");
  q.push(20, "b");
  q.push(10, "a2");
  assert.equal(q.size, 4);
  assert.equal(q.nextDue, 10);
  assert.equal(q.popDue(9), undefined, "nothing is due before 10");
  assert.equal(q.popDue(10), "a1");
  assert.equal(q.popDue(10), "a2");
  assert.equal(q.popDue(10), undefined);
  assert.equal(q.nextDue, 20);
  assert.equal(q.popDue(100), "b");
  assert.equal(q.popDue(100), "c");
  assert.equal(q.size, 0);
  assert.equal(q.nextDue, Infinity);
});

Deno.test("DueQueue agrees with a sort on random schedules", () => {
  const rng = createRng(7);
  for (let round = 0; round < 50; round++) {
    const q = new DueQueue<number>();
    const items: { due: number; id: number }[] = [];
    const n = rng.nextU32() % 200;
    for (let id = 0; id < n; id++) {
      const due = rng.nextU32() % 50;
      items.push({ due, id });
      q.push(due, id);
    }
    const expected = [...items].sort((a, b) => a.due - b.due || a.id - b.id).map((x) => x.id);
    const got: number[] = [];
    for (let x = q.popDue(Infinity); x !== undefined; x = q.popDue(Infinity)) got.push(x);
    assert.deepEqual(got, expected);
  }
});
