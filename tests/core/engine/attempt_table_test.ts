/**
 * The compact attempt table against a plain model (Map of arrays), under seeded random adds, steps,
 * removals, expiry sweeps and evictions: hash collisions and backward-shift deletions, slot reuse, growth
 * past the first arrays, IPv4 and text-keyed (IPv6, non-canonical) sources in the same table.
 */
import assert from "node:assert/strict";
import { AttemptTable, NIL } from "../../../core/engine/_attempts.ts";
import { compileDoor } from "../../../core/engine/_door_matcher.ts";
import { ipv4Key, ipv4Text } from "../../../core/engine/_ipv4_key.ts";
import { door } from "./_helpers.ts";
import { seededRandom } from "../_random.ts";

const DOORS = [
  door("A", { sequence: "7000,8000,9000", seqTimeout: 5 }),
  door("B", { sequence: "7000,6100,6200,6300", seqTimeout: 2 }),
  door("C", { sequence: "4000:udp,4001:udp", seqTimeout: 5 }),
].map(compileDoor);

interface Row {
  src: string;
  door: number;
  stage: number;
  startMs: number;
  order: number;
  seen: number[];
}

Deno.test("ipv4Key: canonical dotted quads round-trip; anything else is -1 (keyed by text)", () => {
  for (const text of ["0.0.0.0", "10.0.0.2", "255.255.255.255", "192.168.100.7", "1.2.3.4"]) {
    const key = ipv4Key(text);
    assert.ok(key >= 0 && key <= 0xffffffff, text);
    assert.equal(ipv4Text(key), text);
  }
  assert.equal(ipv4Key("255.255.255.255"), 0xffffffff);
  assert.equal(ipv4Key("10.0.0.1"), 0x0a000001);
  for (
    const text of [
      "",
      "fd77::2",
      "10.0.0",
      "10.0.0.1.2",
      "010.0.0.1",
      "10.0.0.256",
      "1..2.3",
      "1.2.3.4 ",
      "a.b.c.d",
    ]
  ) {
    assert.equal(ipv4Key(text), -1, text);
  }
});

/** Runs `operations` random operations, time advancing up to `dt` ms each; returns the evictions. */
function check(seed: number, operations: number, max: number, sourceCount: number, dt: number): number {
  const rand = seededRandom(seed);
  const table = new AttemptTable(max);
  table.doors = DOORS;
  const model = new Map<number, Row>(); // slot → row
  let order = 0;
  let now = 0;
  let evictions = 0;
  const srcOf = (i: number): string =>
    i % 7 === 0
      ? `fd77::${i.toString(16)}`
      : i % 13 === 0
      ? `010.0.${i >> 8 & 255}.${i & 255}`
      : `10.${i >> 16 & 255}.${i >> 8 & 255}.${i & 255}`;
  const bySrc = new Map<string, number[]>(); // the model's lists, in creation order
  const rowsOf = (src: string): number[] => bySrc.get(src) ?? [];
  const forget = (slot: number): void => {
    const list = bySrc.get(model.get(slot)!.src)!;
    list.splice(list.indexOf(slot), 1);
    model.delete(slot);
  };
  const listOf = (src: string): number[] => {
    const out: number[] = [];
    for (let s = table.first(ipv4Key(src), src); s !== NIL; s = table.next(s)) out.push(s);
    return out;
  };
  const oldest = (): number => {
    let best = NIL;
    for (const [slot, row] of model) if (best === NIL || row.order < model.get(best)!.order) best = slot;
    return best;
  };

  for (let op = 0; op < operations; op++) {
    now += rand() * dt;
    const r = rand();
    const src = srcOf(Math.floor(rand() * sourceCount));
    if (r < 0.45) {
      const d = Math.floor(rand() * DOORS.length);
      if (rowsOf(src).some((s) => model.get(s)!.door === d)) continue; // one attempt per (source, door)
      if (table.size >= max) {
        const victim = table.oldest();
        assert.equal(victim, oldest(), `seed ${seed} op ${op}: oldest`);
        table.remove(victim);
        forget(victim);
        evictions++;
      }
      const m = DOORS[d]!;
      const tcp = m.steps[0]!.protocol === "tcp";
      const sport = Math.floor(rand() * 65536);
      const seq = Math.floor(rand() * 2 ** 32);
      const family = src.includes(":") ? 6 : 4;
      const slot = table.add(ipv4Key(src), src, family, m, now, tcp, m.steps[0]!.port, sport, seq);
      assert.ok(!model.has(slot), "a slot in use is not handed out again");
      bySrc.set(src, [...rowsOf(src), slot]);
      model.set(slot, {
        src,
        door: d,
        stage: 1,
        startMs: now,
        order: order++,
        seen: tcp ? [m.steps[0]!.port, sport, seq] : [],
      });
      assert.equal(table.family(slot), family);
    } else if (r < 0.65) {
      const slots = rowsOf(src);
      if (slots.length === 0) continue;
      const slot = slots[Math.floor(rand() * slots.length)]!;
      const row = model.get(slot)!;
      const m = DOORS[row.door]!;
      const step = m.steps[row.stage]!;
      const sport = Math.floor(rand() * 65536);
      table.step(slot, now, step.protocol === "tcp", step.port, sport, 77);
      row.stage++;
      if (step.protocol === "tcp") row.seen.push(step.port, sport, 77);
      if (row.stage >= m.keys.length) {
        table.remove(slot);
        forget(slot);
      }
    } else if (r < 0.8) {
      const slots = rowsOf(src);
      if (slots.length === 0) continue;
      const slot = slots[Math.floor(rand() * slots.length)]!;
      table.remove(slot);
      forget(slot);
    } else if (r < 0.9) {
      const expected = [...model].filter(([, row]) => row.startMs + DOORS[row.door]!.windowMs <= now);
      const got: number[] = [];
      if (table.sweepStart(now)) {
        for (let s = table.sweepNext(); s !== NIL; s = table.sweepNext()) {
          got.push(s);
          table.remove(s);
          forget(s);
        }
      }
      assert.deepEqual(got.sort(), expected.map(([s]) => s).sort(), `seed ${seed} op ${op}: expired`);
    } else {
      // Every source's list, fields and retransmission memory against the model.
      for (const [slot, row] of model) {
        assert.equal(table.src(slot), row.src);
        assert.equal(table.matcher(slot).index, row.door);
        assert.equal(table.stage(slot), row.stage);
        assert.equal(table.deadlineMs(slot), row.startMs + DOORS[row.door]!.windowMs);
        for (let i = 0; i < row.seen.length; i += 3) {
          assert.ok(table.isRetransmission(slot, row.seen[i]!, row.seen[i + 1]!, row.seen[i + 2]!));
        }
        assert.ok(!table.isRetransmission(slot, 1, 2, 3));
      }
      for (let i = 0; i < sourceCount; i += 1 + Math.floor(rand() * 5)) {
        const s = srcOf(i);
        assert.deepEqual(listOf(s), rowsOf(s), `seed ${seed} op ${op}: list of ${s}`);
      }
    }
    assert.equal(table.size, model.size);
    assert.equal(table.sources, new Set([...model.values()].map((row) => row.src)).size);
  }
  const deadlines = [...model.values()].map((row) => row.startMs + DOORS[row.door]!.windowMs);
  assert.equal(table.nextDeadline(), deadlines.length === 0 ? undefined : Math.min(...deadlines));
  return evictions;
}

Deno.test("attempt table: agrees with a model (few sources: long lists, frequent hash deletions)", () => {
  for (let seed = 1; seed <= 20; seed++) check(seed, 1500, 50, 40, 20);
});

Deno.test("attempt table: agrees with a model (many sources, bound reached: eviction, growth past 1024 slots)", () => {
  for (let seed = 100; seed <= 101; seed++) {
    assert.ok(check(seed, 5000, 1500, 20000, 0.2) > 100, "the bound was reached");
  }
});

Deno.test("attempt table: 200,000 IPv4 sources in and out, then none left; lookups find each", () => {
  const table = new AttemptTable(200_000);
  table.doors = DOORS;
  const m = DOORS[0]!;
  const slots: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    const src = ipv4Text((0x0a000000 + i * 2654435761) >>> 0);
    slots.push(table.add(ipv4Key(src), src, 4, m, i, true, 7000, i & 0xffff, i));
  }
  assert.equal(table.sources, 200_000);
  for (let i = 0; i < 200_000; i += 997) {
    const src = ipv4Text((0x0a000000 + i * 2654435761) >>> 0);
    assert.equal(table.first(ipv4Key(src), src), slots[i]);
  }
  for (let i = 0; i < 200_000; i += 2) table.remove(slots[i]!);
  for (let i = 1; i < 200_000; i += 2) {
    const src = ipv4Text((0x0a000000 + i * 2654435761) >>> 0);
    assert.equal(table.first(ipv4Key(src), src), slots[i], src);
  }
  for (let i = 1; i < 200_000; i += 2) table.remove(slots[i]!);
  assert.equal(table.size, 0);
  assert.equal(table.sources, 0);
  assert.equal(table.oldest(), NIL);
  assert.equal(table.nextDeadline(), undefined);
});
