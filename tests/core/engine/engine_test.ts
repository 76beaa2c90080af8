/**
 * The engine beyond knockd's table: timeouts, flags, targets, IPv6,
 * retransmissions, the table cap, deadlines and reload.
 */
import assert from "node:assert/strict";
import {
  createEngine,
  DEFAULT_MAX_ATTEMPTS,
  type EngineEvent,
  KnockEngine,
  REPEAT_WINDOW_MS,
} from "../../../core/engine/mod.ts";
import { ACK, door, knock, line, replay, RST, SYN, syns } from "./_helpers.ts";

const A = door("A", { sequence: "7000,8000,9000", tcpflags: "syn" });

Deno.test("seq_timeout is a total window from the first knock with millisecond precision", () => {
  const T = door("T", { sequence: "7000,8000,9000", tcpflags: "syn", seqTimeout: 2 });
  // Gaps of 1.0 s and 1.1 s: 2.1 s in total, so the third knock comes too late.
  const late = createEngine([T]);
  assert.deepEqual(
    replay(late, [
      knock({ port: "7000", at: 0 }),
      knock({ port: "8000", at: 1000 }),
      knock({ port: "9000", at: 2100 }),
    ]),
    ["10.0.0.2: T: Stage 1", "10.0.0.2: T: Stage 2", "10.0.0.2: T: sequence timeout (stage 2)"],
  );
  // 1999 ms after the first knock is still inside; exactly 2000 ms is not (now − start ≥ timeout).
  const inside = createEngine([T]);
  assert.deepEqual(
    replay(inside, [
      knock({ port: "7000", at: 0 }),
      knock({ port: "8000", at: 1000 }),
      knock({ port: "9000", at: 1999 }),
    ])
      .at(-1),
    "10.0.0.2: T: OPEN SESAME",
  );
  const edge = createEngine([T]);
  assert.deepEqual(
    replay(edge, [
      knock({ port: "7000", at: 0 }),
      knock({ port: "8000", at: 1000 }),
      knock({ port: "9000", at: 2000 }),
    ])
      .at(-1),
    "10.0.0.2: T: sequence timeout (stage 2)",
  );
});

Deno.test("deviation: millisecond timeouts — 1.1 s across two second boundaries opens (knockd times out)", () => {
  const T = door("T", { sequence: "7000,8000", tcpflags: "syn", seqTimeout: 2 });
  const engine = createEngine([T]);
  const out = replay(engine, [knock({ port: "7000", at: 10_950 }), knock({ port: "8000", at: 12_050 })]);
  assert.equal(out.at(-1), "10.0.0.2: T: OPEN SESAME");
});

Deno.test("deviation: timeouts are swept eagerly by tick() and reported with the exact deadline", () => {
  const T = door("T", { sequence: "7000,8000,9000", tcpflags: "syn", seqTimeout: 2 });
  const engine = createEngine([T]);
  replay(engine, [knock({ port: "7000", at: 500 })]);
  assert.equal(engine.nextDeadline(), 2500);
  assert.deepEqual(engine.tick(2499), []);
  assert.equal(engine.stats().attempts, 1);
  const events = engine.tick(9000);
  assert.equal(events.length, 1);
  const [event] = events;
  assert.equal(event?.type, "timeout");
  assert.equal(line(event!), "10.0.0.2: T: sequence timeout (stage 1)");
  assert.equal(event?.timeMs, 2500);
  assert.equal(event?.type === "timeout" ? event.startMs : -1, 500);
  assert.equal(engine.nextDeadline(), undefined);
  assert.deepEqual(engine.stats().timedOut, 1);
  assert.equal(engine.stats().attempts, 0);
});

Deno.test("a packet that arrives after the window times the old attempt out first and may start a new one", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [knock({ port: "7000", at: 0 }), knock({ port: "7000", at: 30_000 })]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: sequence timeout (stage 1)",
    "10.0.0.2: A: Stage 1",
  ]);
});

Deno.test("seq_timeout 0: multi-step doors always time out, single-step doors still open", () => {
  const Z = door("Z", { sequence: "7000,8000", seqTimeout: 0 });
  const S = door("S", { sequence: "4000:udp", seqTimeout: 0 });
  const engine = createEngine([Z, S]);
  assert.deepEqual(replay(engine, [knock({ port: "7000", at: 100 })]), ["10.0.0.2: Z: Stage 1"]);
  assert.equal(engine.nextDeadline(), 100);
  assert.deepEqual(engine.tick(100).map((e) => line(e)), ["10.0.0.2: Z: sequence timeout (stage 1)"]);
  assert.deepEqual(replay(engine, [knock({ port: "4000:udp", at: 200 })]), [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: OPEN SESAME",
  ]);
});

Deno.test("UDP knocks ignore tcpflags", () => {
  const U = door("U", { sequence: "4000:udp,4001:udp,9000:tcp", tcpflags: "syn,!ack" });
  const engine = createEngine([U]);
  const out = replay(engine, [
    knock({ port: "4000:udp", at: 0 }),
    knock({ port: "4001:udp", at: 100 }),
    knock({ port: "9000", flags: SYN | ACK, at: 150 }), // TCP flags still apply: ignored
    knock({ port: "9000", flags: SYN, at: 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: U: Stage 1",
    "10.0.0.2: U: Stage 2",
    "10.0.0.2: U: Stage 3",
    "10.0.0.2: U: OPEN SESAME",
  ]);
  assert.equal(engine.stats().invisible, 1);
});

Deno.test("a TCP knock whose flags don't match is ignored, never a wrong knock", () => {
  // Port 7100 belongs to a door without flags, so ACK 7100 is visible; door A (syn) ignores it.
  const B = door("B", { sequence: "7100,7200" });
  const engine = createEngine([A, B]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", at: 50 }),
    knock({ port: "7200", flags: RST, at: 100 }),
    knock({ port: "9000", at: 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: Stage 3",
    "10.0.0.2: A: OPEN SESAME",
  ]);
  assert.equal(engine.stats().flagMismatches, 1);
});

Deno.test("a door without tcpflags accepts ACK, RST and FIN knocks", () => {
  const N = door("N", { sequence: "7100,7200,7300" });
  const engine = createEngine([N]);
  const out = replay(engine, [
    knock({ port: "7100", flags: ACK, at: 0 }),
    knock({ port: "7200", flags: RST, at: 100 }),
    knock({ port: "7300", flags: 0x01, at: 200 }),
  ]);
  assert.equal(out.at(-1), "10.0.0.2: N: OPEN SESAME");
});

Deno.test("target: a door with Target matches only that destination, other doors only local addresses", () => {
  const T = door("T", { sequence: "7000,8000", tcpflags: "syn", target: "192.0.2.9" });
  const L = door("L", { sequence: "7000,8000", tcpflags: "syn" });
  const engine = createEngine([T, L], { localAddresses: ["10.0.0.1"] });
  // To the target: only T. Not local, yet T matches.
  assert.deepEqual(
    replay(engine, [
      knock({ port: "7000", dst: "192.0.2.9", at: 0 }),
      knock({ port: "8000", dst: "192.0.2.9", at: 100 }),
    ]),
    ["10.0.0.2: T: Stage 1", "10.0.0.2: T: Stage 2", "10.0.0.2: T: OPEN SESAME"],
  );
  // To a local address: only L.
  assert.deepEqual(replay(engine, syns([7000, 8000], { at: 1000 })), [
    "10.0.0.2: L: Stage 1",
    "10.0.0.2: L: Stage 2",
    "10.0.0.2: L: OPEN SESAME",
  ]);
  // To an address that is neither: invisible.
  assert.deepEqual(replay(engine, [knock({ port: "7000", dst: "10.0.0.99", at: 2000 })]), []);
  assert.equal(engine.stats().invisible, 1);
});

Deno.test("target: a packet to another destination does not touch an attempt at a Target door", () => {
  const T = door("T", { sequence: "7000,8000,9000", tcpflags: "syn", target: "192.0.2.9" });
  const L = door("L", { sequence: "6000,6001", tcpflags: "syn" });
  const engine = createEngine([T, L], { isLocal: (dst) => dst === "10.0.0.1" });
  const out = replay(engine, [
    knock({ port: "7000", dst: "192.0.2.9", at: 0 }),
    knock({ port: "6001", dst: "10.0.0.1", at: 50 }), // visible (door L), but not addressed to T's target
    knock({ port: "8000", dst: "192.0.2.9", at: 100 }),
    knock({ port: "9000", dst: "192.0.2.9", at: 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: T: Stage 1",
    "10.0.0.2: T: Stage 2",
    "10.0.0.2: T: Stage 3",
    "10.0.0.2: T: OPEN SESAME",
  ]);
});

Deno.test("IPv6 sources keep their text form and family", () => {
  const engine = createEngine([A]);
  const events: EngineEvent[] = [];
  for (const k of syns([7000, 8000, 9000], { src: "fd77::2" })) events.push(...engine.observe(k));
  const open = events.find((e) => e.type === "open");
  assert.deepEqual(open, {
    src: "fd77::2",
    family: 6,
    door: 0,
    name: "A",
    timeMs: 200,
    type: "open",
    dst: "fd77::1",
  });
  // v4 and v6 clients progress independently.
  const mixed = createEngine([A]);
  const out = replay(mixed, [
    knock({ src: "fd77::2", port: "7000", at: 0 }),
    knock({ src: "10.0.0.2", port: "7000", at: 1 }),
    knock({ src: "fd77::2", port: "8000", at: 2 }),
    knock({ src: "10.0.0.2", port: "8000", at: 3 }),
    knock({ src: "fd77::2", port: "9000", at: 4 }),
    knock({ src: "10.0.0.2", port: "9000", at: 5 }),
  ]);
  assert.deepEqual(out.filter((l) => l.endsWith("OPEN SESAME")), [
    "fd77::2: A: OPEN SESAME",
    "10.0.0.2: A: OPEN SESAME",
  ]);
});

Deno.test("retransmission: a repeated SYN (same sport and seq) of the previous stage is ignored (knockd #72/#90/#92)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", sport: 50001, seq: 111, at: 0 }),
    knock({ port: "7000", sport: 50001, seq: 111, at: 1000 }), // kernel retransmission at stage 1
    knock({ port: "8000", sport: 50002, seq: 222, at: 1100 }),
    knock({ port: "8000", sport: 50002, seq: 222, at: 2100 }), // retransmission at stage 2
    knock({ port: "7000", sport: 50001, seq: 111, at: 3000 }), // a late retransmission of stage 1 as well
    knock({ port: "9000", sport: 50003, seq: 333, at: 3100 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: retransmission ignored (stage 1, port 7000)",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: retransmission ignored (stage 2, port 8000)",
    "10.0.0.2: A: retransmission ignored (stage 2, port 7000)",
    "10.0.0.2: A: Stage 3",
    "10.0.0.2: A: OPEN SESAME",
  ]);
  assert.equal(engine.stats().retransmissions, 3);
});

Deno.test("retransmission: a new connection to the previous port (another sport) after the repeat window is a wrong knock", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", sport: 50001, seq: 111, at: 0 }),
    knock({ port: "8000", sport: 50002, seq: 222, at: 100 }),
    knock({ port: "8000", sport: 50004, seq: 222, at: 100 + REPEAT_WINDOW_MS }),
    knock({ port: "9000", sport: 50003, seq: 333, at: 200 + REPEAT_WINDOW_MS }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: fail wrong-port (stage 2, expected 9000/tcp, got 8000/tcp)",
  ]);
});

Deno.test("retransmission: same sport but another sequence number is a new packet (a repeat, then a wrong knock)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", sport: 50001, seq: 111, at: 0 }),
    knock({ port: "8000", sport: 50001, seq: 112, at: 100 }),
    knock({ port: "8000", sport: 50001, seq: 113, at: 200 }),
    knock({ port: "8000", sport: 50001, seq: 114, at: 100 + REPEAT_WINDOW_MS }),
  ]);
  assert.equal(out.at(-2), "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 100 ms)");
  assert.equal(out.at(-1), "10.0.0.2: A: fail wrong-port (stage 2, expected 9000/tcp, got 8000/tcp)");
});

Deno.test("retransmission: repeated ports 5000,5000,5001 need a new connection for the second 5000", () => {
  const R = door("R", { sequence: "5000,5000,5001", tcpflags: "syn" });
  const engine = createEngine([R]);
  const out = replay(engine, [
    knock({ port: "5000", sport: 1, seq: 9, at: 0 }),
    knock({ port: "5000", sport: 1, seq: 9, at: 1000 }), // the same SYN again: not the second knock
    knock({ port: "5000", sport: 2, seq: 9, at: 1100 }),
    knock({ port: "5001", sport: 3, seq: 9, at: 1200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: R: Stage 1",
    "10.0.0.2: R: retransmission ignored (stage 1, port 5000)",
    "10.0.0.2: R: Stage 2",
    "10.0.0.2: R: Stage 3",
    "10.0.0.2: R: OPEN SESAME",
  ]);
});

Deno.test("single-port door opens on every knock and never occupies the table", () => {
  const S = door("S", { sequence: "4000:udp" });
  const engine = createEngine([S]);
  const out = replay(engine, [knock({ port: "4000:udp", at: 0 }), knock({ port: "4000:udp", at: 1 })]);
  assert.deepEqual(out, [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: OPEN SESAME",
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: OPEN SESAME",
  ]);
  assert.equal(engine.stats().attempts, 0);
  assert.equal(engine.stats().opened, 2);
});

Deno.test("deviation: a source can work through two doors at once", () => {
  const C = door("C", { sequence: "5000,5001", tcpflags: "syn" });
  // Same destination: C's first port is a wrong knock for A (A fails, as in knockd) and starts C
  // (knockd would not start C while A is live).
  const engine = createEngine([A, C]);
  const out = replay(engine, syns([7000, 5000, 5001]));
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: fail wrong-port (stage 1, expected 8000/tcp, got 5000/tcp)",
    "10.0.0.2: C: Stage 1",
    "10.0.0.2: C: Stage 2",
    "10.0.0.2: C: OPEN SESAME",
  ]);
  // With different targets the doors never see each other's knocks: both open, interleaved.
  const T1 = door("T1", { sequence: "7000,8000", tcpflags: "syn", target: "10.0.0.1" });
  const T2 = door("T2", { sequence: "6000,6001", tcpflags: "syn", target: "10.0.0.5" });
  const both = createEngine([T1, T2]);
  const out2 = replay(both, [
    knock({ port: "7000", dst: "10.0.0.1", at: 0 }),
    knock({ port: "6000", dst: "10.0.0.5", at: 1 }),
    knock({ port: "8000", dst: "10.0.0.1", at: 2 }),
    knock({ port: "6001", dst: "10.0.0.5", at: 3 }),
  ]);
  assert.deepEqual(out2.filter((l) => l.endsWith("OPEN SESAME")), [
    "10.0.0.2: T1: OPEN SESAME",
    "10.0.0.2: T2: OPEN SESAME",
  ]);
});

Deno.test("the table is capped: the oldest attempt is evicted and counted", () => {
  const engine = createEngine([A], { maxAttempts: 3 });
  const starts = ["10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"].map((src, i) =>
    knock({ src, port: "7000", at: i })
  );
  const out = replay(engine, starts);
  assert.deepEqual(out, [
    "10.0.0.11: A: Stage 1",
    "10.0.0.12: A: Stage 1",
    "10.0.0.13: A: Stage 1",
    "10.0.0.11: A: evicted (stage 1)",
    "10.0.0.14: A: Stage 1",
  ]);
  const s = engine.stats();
  assert.equal(s.attempts, 3);
  assert.equal(s.evicted, 1);
  assert.equal(s.maxAttempts, 3);
  // The evicted source lost its progress; the others still open.
  assert.deepEqual(replay(engine, [knock({ src: "10.0.0.11", port: "8000", at: 10 })]), []);
  const rest = ["10.0.0.12", "10.0.0.13", "10.0.0.14"].flatMap((src, i) => [
    knock({ src, port: "8000", at: 20 + i }),
    knock({ src, port: "9000", at: 30 + i }),
  ]);
  assert.equal(replay(engine, rest).filter((l) => l.endsWith("OPEN SESAME")).length, 3);
  assert.equal(engine.stats().attempts, 0);
});

Deno.test("eviction picks the oldest attempt across doors with different timeouts", () => {
  const Long = door("Long", { sequence: "7000,8000", tcpflags: "syn", seqTimeout: 60 });
  const Short = door("Short", { sequence: "6000,6001", tcpflags: "syn", seqTimeout: 5 });
  const engine = createEngine([Long, Short], { maxAttempts: 2 });
  const out = replay(engine, [
    knock({ src: "10.0.0.11", port: "7000", at: 0 }),
    knock({ src: "10.0.0.12", port: "6000", at: 1 }),
    knock({ src: "10.0.0.13", port: "6000", at: 2 }),
  ]);
  assert.equal(out[2], "10.0.0.11: Long: evicted (stage 1)");
});

Deno.test("nextDeadline() is the earliest deadline across doors with different timeouts", () => {
  const Long = door("Long", { sequence: "7000,8000", tcpflags: "syn", seqTimeout: 25 });
  const Short = door("Short", { sequence: "6000,6001", tcpflags: "syn", seqTimeout: 5 });
  const engine = createEngine([Long, Short]);
  assert.equal(engine.nextDeadline(), undefined);
  replay(engine, [knock({ port: "7000", at: 0 }), knock({ src: "10.0.0.3", port: "6000", at: 1000 })]);
  assert.equal(engine.nextDeadline(), 6000);
  replay(engine, [knock({ src: "10.0.0.3", port: "6001", at: 1500 })]);
  assert.equal(engine.nextDeadline(), 25_000);
  assert.deepEqual(engine.tick(25_000).map((e) => line(e)), ["10.0.0.2: Long: sequence timeout (stage 1)"]);
  assert.equal(engine.nextDeadline(), undefined);
});

Deno.test("engine time never goes backwards: an earlier timestamp counts as the latest one seen", () => {
  const T = door("T", { sequence: "7000,8000", tcpflags: "syn", seqTimeout: 2 });
  const engine = createEngine([T]);
  replay(engine, [knock({ port: "7000", at: 5000 })]);
  assert.equal(engine.nextDeadline(), 7000);
  assert.deepEqual(replay(engine, [knock({ src: "10.0.0.3", port: "7000", at: 1000 })]), [
    "10.0.0.3: T: Stage 1",
  ]);
  assert.equal(engine.tick(7000).length, 2);
});

Deno.test("replaceDoors keeps attempts at unchanged doors (under their new index) and drops the rest", () => {
  const B = door("B", { sequence: "6000,6001,6002", tcpflags: "syn" });
  const engine = createEngine([A, B]);
  replay(engine, [knock({ port: "7000", at: 0 }), knock({ src: "10.0.0.3", port: "6000", at: 1 })]);
  const B2 = door("B", { sequence: "6000,6001,6003", tcpflags: "syn" });
  const New = door("New", { sequence: "1000,2000" });
  const dropped = engine.replaceDoors([New, A, B2]);
  assert.deepEqual(dropped.map((e) => line(e)), ["10.0.0.3: B: dropped on reload (stage 1)"]);
  assert.equal(engine.stats().dropped, 1);
  const out = replay(engine, [knock({ port: "8000", at: 10 }), knock({ port: "9000", at: 11 })], true);
  assert.deepEqual(out, ["10.0.0.2: A#1: Stage 2", "10.0.0.2: A#1: Stage 3", "10.0.0.2: A#1: OPEN SESAME"]);
  // The new doors are live: 6002 (old B) is invisible now, 6003 (new B) is seen, New is started.
  const after = replay(engine, [
    ...syns([6000, 6001, 6002], { src: "10.0.0.4", at: 20 }),
    ...syns([6003, 1000], { src: "10.0.0.4", at: 400 }),
  ], true);
  assert.deepEqual(after, [
    "10.0.0.4: B#2: Stage 1",
    "10.0.0.4: B#2: Stage 2",
    "10.0.0.4: B#2: Stage 3",
    "10.0.0.4: B#2: OPEN SESAME",
    "10.0.0.4: New#0: Stage 1",
  ]);
  assert.equal(engine.stats().invisible, 1);
});

Deno.test("an empty door list sees nothing; a door with an empty sequence never matches", () => {
  const Empty = { ...door("E", { sequence: "7000" }), sequence: [] };
  const engine = createEngine([Empty]);
  assert.deepEqual(replay(engine, syns([7000, 0])), []);
  assert.equal(engine.stats().invisible, 2);
});

Deno.test("options: maxAttempts must be a positive integer; the default is DEFAULT_MAX_ATTEMPTS", () => {
  assert.throws(() => createEngine([A], { maxAttempts: 0 }), {
    name: "RangeError",
    message: 'Invalid maxAttempts "0": expected a positive integer',
  });
  assert.throws(() => new KnockEngine([A], { maxAttempts: 1.5 }), RangeError);
  assert.equal(createEngine([A]).stats().maxAttempts, DEFAULT_MAX_ATTEMPTS);
});

Deno.test("stats() counts packets, starts, stages and sources", () => {
  const engine = createEngine([A]);
  replay(engine, [
    ...syns([7000, 8000]),
    ...syns([7000], { src: "10.0.0.3", at: 5 }),
    knock({ port: "1", at: 6 }),
  ]);
  assert.deepEqual(engine.stats(), {
    attempts: 2,
    sources: 2,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    packets: 4,
    invisible: 1,
    started: 2,
    stages: 3,
    opened: 0,
    failed: 0,
    timedOut: 0,
    evicted: 0,
    dropped: 0,
    retransmissions: 0,
    repeats: 0,
    flagMismatches: 0,
  });
});

Deno.test("events are plain data: a fail carries the reason, the expected step and what arrived", () => {
  const engine = createEngine([A]);
  engine.observe(knock({ src: "fd77::2", port: "7000", at: 0 }));
  const events = engine.observe(knock({ src: "fd77::2", port: "4000:udp", at: 50 }));
  assert.deepEqual(events, []); // 4000/udp is in no door: invisible
  const [fail, ...rest] = engine.observe(
    knock({ src: "fd77::2", port: "9000", flags: SYN | ACK, at: 120.5 }),
  );
  assert.deepEqual(rest, []);
  assert.deepEqual(structuredClone(fail), {
    src: "fd77::2",
    family: 6,
    door: 0,
    name: "A",
    timeMs: 120.5,
    type: "fail",
    reason: "wrong-port",
    stage: 1,
    expected: { protocol: "tcp", port: 8000 },
    got: { protocol: "tcp", port: 9000, flags: SYN | ACK },
  });
});

Deno.test("UDP has no retransmission detection: a datagram repeated after the repeat window is a wrong knock", () => {
  const U = door("U", { sequence: "4000:udp,4001:udp,4002:udp" });
  const engine = createEngine([U]);
  const out = replay(engine, [
    knock({ port: "4000:udp", sport: 5, at: 0 }),
    knock({ port: "4001:udp", sport: 5, at: 10 }),
    knock({ port: "4001:udp", sport: 5, at: 20 }), // the same datagram again, soon: a repeat
    knock({ port: "4001:udp", sport: 5, at: 10 + REPEAT_WINDOW_MS }),
  ]);
  assert.deepEqual(out.slice(-2), [
    "10.0.0.2: U: repeat ignored (stage 2, 4001/udp after 10 ms)",
    "10.0.0.2: U: fail wrong-port (stage 2, expected 4002/udp, got 4001/udp)",
  ]);
  assert.equal(engine.stats().retransmissions, 0);
});

Deno.test("a timeout sweep on observe happens even for an invisible packet", () => {
  const engine = createEngine([A]);
  replay(engine, [knock({ port: "7000", at: 0 })]);
  assert.deepEqual(replay(engine, [knock({ src: "10.0.0.50", port: "22", at: 25_000 })]), [
    "10.0.0.2: A: sequence timeout (stage 1)",
  ]);
});
