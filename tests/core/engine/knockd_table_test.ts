/**
 * Every row of docs/knockd.md §2.4's wrong-port summary table, plus the
 * head-of-list bug scenarios and the shared-first-port doors. Rows where our
 * documented deviations change the result say so in the test name.
 */
import assert from "node:assert/strict";
import { createEngine, REPEAT_WINDOW_MS } from "../../../core/engine/mod.ts";
import { ACK, door, FIN, knock, replay, RST, SYN, syns } from "./_helpers.ts";

const A = door("A", { sequence: "7000,8000,9000", tcpflags: "syn" });
const OPEN = "10.0.0.2: A: OPEN SESAME";

Deno.test("§2.4 row 1: 7000 1234 8000 9000 opens (1234 is in no door, invisible)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, syns([7000, 1234, 8000, 9000]));
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
  assert.equal(engine.stats().invisible, 1);
});

Deno.test("§2.4 row 2: 7000 9000 8000 9000 fails, and the failure is reported with a reason", () => {
  const engine = createEngine([A]);
  const out = replay(engine, syns([7000, 9000, 8000, 9000]));
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: fail wrong-port (stage 1, expected 8000/tcp, got 9000/tcp)",
  ]);
  assert.equal(engine.stats().failed, 1);
  assert.equal(engine.stats().attempts, 0);
});

Deno.test("§2.4 row 3 (deviation: a first-port knock restarts a failed door): 7000 7000 8000 9000 opens", () => {
  // knockd: fail (the second 7000 invalidates and does not restart). Here, when the second 7000 comes
  // after the repeat window it fails the attempt and starts it afresh.
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "7000", at: REPEAT_WINDOW_MS }),
    knock({ port: "8000", at: REPEAT_WINDOW_MS + 100 }),
    knock({ port: "9000", at: REPEAT_WINDOW_MS + 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: fail wrong-port (stage 1, expected 8000/tcp, got 7000/tcp)",
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
  // Within the window (as knockd's table was measured, 100 ms apart) the second 7000 is a client's repeat.
  assert.deepEqual(replay(createEngine([A]), syns([7000, 7000, 8000, 9000])), [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: repeat ignored (stage 1, 7000/tcp after 100 ms)",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
});

Deno.test("§2.4 row 4 (deviation: a source can be in several doors): 7000 4000/udp 8000 9000 fails A and starts B", () => {
  // knockd: A fails and B is not started. We fail A and start B (B then fails on 8000/tcp).
  const B = door("B", { sequence: "4000:udp,4001:udp" });
  const engine = createEngine([A, B]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "4000:udp", at: 100 }),
    knock({ port: "8000", at: 200 }),
    knock({ port: "9000", at: 300 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: fail wrong-protocol (stage 1, expected 8000/tcp, got 4000/udp)",
    "10.0.0.2: B: Stage 1",
    "10.0.0.2: B: fail wrong-protocol (stage 1, expected 4001/udp, got 8000/tcp)",
  ]);
});

Deno.test("§2.4 row 4 companion: with B started, 7000 4000/udp 4001/udp opens B", () => {
  const B = door("B", { sequence: "4000:udp,4001:udp" });
  const engine = createEngine([A, B]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "4000:udp", at: 100 }),
    knock({ port: "4001:udp", at: 200 }),
  ]);
  assert.deepEqual(out.slice(-2), ["10.0.0.2: B: Stage 2", "10.0.0.2: B: OPEN SESAME"]);
});

Deno.test("§2.4 row 5: SYN 7000, ACK 8000, SYN 8000, SYN 9000 opens (the ACK is invisible)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", flags: ACK, at: 100 }),
    knock({ port: "8000", at: 200 }),
    knock({ port: "9000", at: 300 }),
  ]);
  assert.deepEqual(out, ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2", "10.0.0.2: A: Stage 3", OPEN]);
  assert.equal(engine.stats().invisible, 1);
});

Deno.test("§2.4 row 6: SYN 7000, SYN+ACK 8000, SYN 9000 opens (SYN is set, so it counts)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", flags: SYN | ACK, at: 100 }),
    knock({ port: "9000", at: 200 }),
  ]);
  assert.deepEqual(out, ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2", "10.0.0.2: A: Stage 3", OPEN]);
});

Deno.test("§2.4 row 7: SYN 7000, FIN 9000, SYN 8000, SYN 9000 opens (the FIN is ignored)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "9000", flags: FIN, at: 100 }),
    knock({ port: "8000", at: 200 }),
    knock({ port: "9000", at: 300 }),
  ]);
  assert.deepEqual(out, ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2", "10.0.0.2: A: Stage 3", OPEN]);
});

Deno.test("§2.4 row 8: a door without tcpflags counts ACK 7100 then RST 7200", () => {
  const N = door("N", { sequence: "7100,7200" });
  const engine = createEngine([N]);
  const out = replay(engine, [
    knock({ port: "7100", flags: ACK, at: 0 }),
    knock({ port: "7200", flags: RST, at: 100 }),
  ]);
  assert.deepEqual(out, ["10.0.0.2: N: Stage 1", "10.0.0.2: N: Stage 2", "10.0.0.2: N: OPEN SESAME"]);
});

Deno.test("§2.4 row 9 (deviation: a source can be in several doors): ACK to B's first port is ignored by A and starts B", () => {
  // knockd: ignored for A (flag mismatch); B not started. We also start B.
  const B = door("B", { sequence: "7100,7200" });
  const engine = createEngine([A, B]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "7100", flags: ACK, at: 100 }),
    knock({ port: "8000", at: 200 }),
    knock({ port: "9000", at: 300 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: B: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: B: fail wrong-port (stage 1, expected 7200/tcp, got 8000/tcp)",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
  assert.equal(engine.stats().flagMismatches, 1);
});

Deno.test("§2.4 row 10: an ascending port scan 6990→9010 opens the ascending default sequence (compatible)", () => {
  const engine = createEngine([A]);
  const ports = Array.from({ length: 9010 - 6990 + 1 }, (_, i) => 6990 + i);
  const out = replay(engine, ports.map((port, i) => knock({ port: String(port), at: i })));
  assert.deepEqual(out, ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2", "10.0.0.2: A: Stage 3", OPEN]);
  assert.equal(engine.stats().invisible, ports.length - 3);
});

Deno.test("head bug: A finishing first never wipes B's progress (knockd loses B)", () => {
  const engine = createEngine([A]);
  const a = "10.0.0.2";
  const b = "10.0.0.3";
  const out = replay(engine, [
    knock({ src: a, port: "7000", at: 0 }),
    knock({ src: b, port: "7000", at: 100 }),
    knock({ src: a, port: "8000", at: 200 }),
    knock({ src: a, port: "9000", at: 300 }),
    knock({ src: b, port: "8000", at: 400 }),
    knock({ src: b, port: "9000", at: 500 }),
  ]);
  assert.deepEqual(out.filter((l) => l.endsWith("OPEN SESAME")), [
    `${a}: A: OPEN SESAME`,
    `${b}: A: OPEN SESAME`,
  ]);
});

Deno.test("head bug: A failing first never wipes B's progress (knockd loses B)", () => {
  const engine = createEngine([A]);
  const a = "10.0.0.2";
  const b = "10.0.0.3";
  const out = replay(engine, [
    knock({ src: a, port: "7000", at: 0 }),
    knock({ src: b, port: "7000", at: 100 }),
    knock({ src: a, port: "9000", at: 200 }),
    knock({ src: b, port: "8000", at: 300 }),
    knock({ src: b, port: "9000", at: 400 }),
  ]);
  assert.deepEqual(out, [
    `${a}: A: Stage 1`,
    `${b}: A: Stage 1`,
    `${a}: A: fail wrong-port (stage 1, expected 8000/tcp, got 9000/tcp)`,
    `${b}: A: Stage 2`,
    `${b}: A: Stage 3`,
    `${b}: A: OPEN SESAME`,
  ]);
});

Deno.test("head bug: B finishing first, then A, both open (as in knockd)", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ src: "10.0.0.2", port: "7000", at: 0 }),
    knock({ src: "10.0.0.3", port: "7000", at: 100 }),
    knock({ src: "10.0.0.3", port: "8000", at: 200 }),
    knock({ src: "10.0.0.3", port: "9000", at: 300 }),
    knock({ src: "10.0.0.2", port: "8000", at: 400 }),
    knock({ src: "10.0.0.2", port: "9000", at: 500 }),
  ]);
  assert.deepEqual(out.filter((l) => l.endsWith("OPEN SESAME")), ["10.0.0.3: A: OPEN SESAME", OPEN]);
});

const X = door("X", { sequence: "7000,8000,9000", tcpflags: "syn" });
const Y = door("Y", { sequence: "7000,8000,9100", tcpflags: "syn" });
const Z = door("Z", { sequence: "7000,6000", tcpflags: "syn" });

Deno.test("shared first port: X, Y and Z all reach Stage 1 on 7000", () => {
  const engine = createEngine([X, Y, Z]);
  assert.deepEqual(replay(engine, syns([7000])), [
    "10.0.0.2: X: Stage 1",
    "10.0.0.2: Y: Stage 1",
    "10.0.0.2: Z: Stage 1",
  ]);
  assert.equal(engine.stats().attempts, 3);
  assert.equal(engine.stats().sources, 1);
});

Deno.test("shared first port: 7000 8000 9100 opens Y only", () => {
  const engine = createEngine([X, Y, Z]);
  assert.deepEqual(replay(engine, syns([7000, 8000, 9100])), [
    "10.0.0.2: X: Stage 1",
    "10.0.0.2: Y: Stage 1",
    "10.0.0.2: Z: Stage 1",
    "10.0.0.2: X: Stage 2",
    "10.0.0.2: Y: Stage 2",
    "10.0.0.2: Z: fail wrong-port (stage 1, expected 6000/tcp, got 8000/tcp)",
    "10.0.0.2: X: fail wrong-port (stage 2, expected 9000/tcp, got 9100/tcp)",
    "10.0.0.2: Y: Stage 3",
    "10.0.0.2: Y: OPEN SESAME",
  ]);
  assert.equal(engine.stats().attempts, 0);
});

Deno.test("shared first port: 7000 6000 opens Z only", () => {
  const engine = createEngine([X, Y, Z]);
  const out = replay(engine, syns([7000, 6000]));
  assert.deepEqual(out.filter((l) => !l.includes("Stage 1")), [
    "10.0.0.2: X: fail wrong-port (stage 1, expected 8000/tcp, got 6000/tcp)",
    "10.0.0.2: Y: fail wrong-port (stage 1, expected 8000/tcp, got 6000/tcp)",
    "10.0.0.2: Z: Stage 2",
    "10.0.0.2: Z: OPEN SESAME",
  ]);
});

Deno.test("repeated ports: 5000,5000,5001 opens with separate connections", () => {
  const R = door("R", { sequence: "5000,5000,5001", tcpflags: "syn" });
  const engine = createEngine([R]);
  assert.deepEqual(replay(engine, syns([5000, 5000, 5001])), [
    "10.0.0.2: R: Stage 1",
    "10.0.0.2: R: Stage 2",
    "10.0.0.2: R: Stage 3",
    "10.0.0.2: R: OPEN SESAME",
  ]);
});

Deno.test("completed attempts are removed at once: a client can re-knock immediately, a trailing knock is ignored", () => {
  const engine = createEngine([A]);
  const out = replay(engine, syns([7000, 8000, 9000, 9000, 7000, 8000, 9000]));
  assert.deepEqual(out.filter((l) => l.endsWith("OPEN SESAME")), [OPEN, OPEN]);
  assert.equal(out.filter((l) => l.includes("fail")).length, 0);
});
