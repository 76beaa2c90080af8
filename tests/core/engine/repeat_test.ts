/**
 * A client's repeat of the step just counted (issue 12 item 11): a new packet (new source port and sequence
 * number) to that same step, less than `REPEAT_WINDOW_MS` after it, is ignored instead of failing the
 * attempt, unless the sequence's next step is that port again (then it counts). nmap's default `-sS` sends
 * two such probes per port through a DROP firewall. Strict doors keep their rule: a repeat fails them.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import type { Door } from "../../../core/config/types.ts";
import { createEngine, type EngineEvent, REPEAT_WINDOW_MS } from "../../../core/engine/mod.ts";
import { ACK, door, knock, type KnockSpec, replay, SYN } from "./_helpers.ts";

const A = door("A", { sequence: "7000,8000,9000", tcpflags: "syn" });
const OPEN = "10.0.0.2: A: OPEN SESAME";

/** Doors parsed from knockd.conf text with knocktool's directives. */
function doors(text: string): Door[] {
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  return [...parsed.config.doors];
}

/**
 * What nmap -sS sends for `-p PORT` to a port that does not answer: a probe, and `gapMs` later a second one
 * from the next-but-one source port with another sequence number; one nmap run per port, `stepMs` apart.
 */
function nmapProbes(ports: readonly string[], gapMs = 100, stepMs = 400, extra: Partial<KnockSpec> = {}) {
  return ports.flatMap((port, i) => [
    knock({ port, at: i * stepMs, sport: 40000 + i * 10, seq: 1000 + i, ...extra }),
    knock({ port, at: i * stepMs + gapMs, sport: 40002 + i * 10, seq: 2000 + i, ...extra }),
  ]);
}

Deno.test("repeat: nmap -sS's two probes per port open 7000,8000,9000 (knockd: fail at stage 2)", () => {
  const engine = createEngine([A]);
  assert.deepEqual(replay(engine, nmapProbes(["7000", "8000", "9000"])), [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: repeat ignored (stage 1, 7000/tcp after 100 ms)",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 100 ms)",
    "10.0.0.2: A: Stage 3",
    OPEN,
    // The second probe to 9000 comes after the door opened: no attempt, and 9000 starts none.
  ]);
  const stats = engine.stats();
  assert.equal(stats.repeats, 2);
  assert.equal(stats.retransmissions, 0);
  assert.equal(stats.failed, 0);
  assert.equal(stats.opened, 1);
});

Deno.test("repeat: the event carries the step, the source port and the time since the counted knock", () => {
  const engine = createEngine([A]);
  engine.observe(knock({ port: "7000", sport: 40000, seq: 1, at: 1000 }));
  const events: EngineEvent[] = engine.observe(knock({ port: "7000", sport: 40002, seq: 2, at: 1999.5 }));
  assert.deepEqual(events, [{
    src: "10.0.0.2",
    family: 4,
    door: 0,
    name: "A",
    timeMs: 1999.5,
    type: "repeat",
    stage: 1,
    step: { protocol: "tcp", port: 7000 },
    sport: 40002,
    sinceMs: 999.5,
  }]);
  // Ignored: the attempt is unchanged (same stage, same start, hence the same deadline).
  assert.equal(engine.stats().attempts, 1);
  assert.equal(engine.nextDeadline(), 1000 + 25_000);
});

Deno.test("repeat: inside the window (1999 ms) ignored; at the window's end (2000 ms) and after, a wrong knock", () => {
  assert.equal(REPEAT_WINDOW_MS, 2000);
  const at = (gap: number) =>
    replay(createEngine([A]), [
      knock({ port: "7000", at: 0 }),
      knock({ port: "8000", at: 500 }),
      knock({ port: "8000", at: 500 + gap }),
      knock({ port: "9000", at: 600 + gap }),
    ]);
  assert.deepEqual(at(REPEAT_WINDOW_MS - 1), [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 1999 ms)",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
  const fail = [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: fail wrong-port (stage 2, expected 9000/tcp, got 8000/tcp)",
  ];
  assert.deepEqual(at(REPEAT_WINDOW_MS), fail);
  assert.deepEqual(at(REPEAT_WINDOW_MS + 5000), fail);
});

Deno.test("repeat: the window runs from the knock that counted the step, not from the last repeat", () => {
  const out = replay(createEngine([A]), [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", at: 100 }),
    knock({ port: "8000", at: 1100 }),
    knock({ port: "8000", at: 2000 }),
    knock({ port: "8000", at: 2100 }), // 2000 ms after the counted 8000, though only 100 ms after a repeat
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 1000 ms)",
    "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 1900 ms)",
    "10.0.0.2: A: fail wrong-port (stage 2, expected 9000/tcp, got 8000/tcp)",
  ]);
});

Deno.test("repeat: when the next step is the same port, the second packet counts (5000,5000,5001)", () => {
  const R = door("R", { sequence: "5000,5000,5001", tcpflags: "syn" });
  const engine = createEngine([R]);
  // nmap's two probes to 5000 are the first two steps; a second nmap run on 5000 then repeats step 2.
  const out = replay(engine, [
    knock({ port: "5000", sport: 1, seq: 1, at: 0 }),
    knock({ port: "5000", sport: 3, seq: 2, at: 100 }),
    knock({ port: "5000", sport: 5, seq: 3, at: 400 }),
    knock({ port: "5001", sport: 7, seq: 4, at: 800 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: R: Stage 1",
    "10.0.0.2: R: Stage 2",
    "10.0.0.2: R: repeat ignored (stage 2, 5000/tcp after 300 ms)",
    "10.0.0.2: R: Stage 3",
    "10.0.0.2: R: OPEN SESAME",
  ]);
});

Deno.test("repeat: only of the step counted last; a new packet to an earlier step is a wrong knock", () => {
  const out = replay(createEngine([door("B", { sequence: "6000,8000,9000", tcpflags: "syn" })]), [
    knock({ port: "6000", at: 0 }),
    knock({ port: "8000", at: 100 }),
    knock({ port: "6000", at: 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: B: Stage 1",
    "10.0.0.2: B: Stage 2",
    "10.0.0.2: B: fail wrong-port (stage 2, expected 9000/tcp, got 6000/tcp)",
    "10.0.0.2: B: Stage 1", // 6000 is the first step: the door starts afresh (deviation 3)
  ]);
});

Deno.test("repeat: a repeat of the first step does not restart the attempt (its window stays)", () => {
  const T = door("T", { sequence: "7000,8000", tcpflags: "syn", seqTimeout: 2 });
  const engine = createEngine([T]);
  const out = replay(engine, [knock({ port: "7000", at: 0 }), knock({ port: "7000", at: 1500 })]);
  assert.deepEqual(out, [
    "10.0.0.2: T: Stage 1",
    "10.0.0.2: T: repeat ignored (stage 1, 7000/tcp after 1500 ms)",
  ]);
  assert.equal(engine.nextDeadline(), 2000);
  assert.equal(engine.stats().started, 1);
});

Deno.test("repeat: UDP datagrams repeat too (nmap -sU probes again), per protocol", () => {
  const U = door("U", { sequence: "4000:udp,4001:udp,7000" });
  const out = replay(createEngine([U]), [
    ...nmapProbes(["4000:udp", "4001:udp"]),
    knock({ port: "4001", at: 900 }), // TCP 4001 is another step than UDP 4001 (and in no door: invisible)
    knock({ port: "7000", at: 1000 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: U: Stage 1",
    "10.0.0.2: U: repeat ignored (stage 1, 4000/udp after 100 ms)",
    "10.0.0.2: U: Stage 2",
    "10.0.0.2: U: repeat ignored (stage 2, 4001/udp after 100 ms)",
    "10.0.0.2: U: Stage 3",
    "10.0.0.2: U: OPEN SESAME",
  ]);
  const mixed = replay(createEngine([door("M", { sequence: "4000:udp,4000,9000", tcpflags: "syn" })]), [
    knock({ port: "4000:udp", at: 0 }),
    knock({ port: "4000", at: 100 }), // the next step (TCP), not a repeat of the UDP one
    knock({ port: "4000:udp", at: 200 }), // UDP 4000 is not the step counted last (TCP 4000)
  ]);
  assert.deepEqual(mixed, [
    "10.0.0.2: M: Stage 1",
    "10.0.0.2: M: Stage 2",
    "10.0.0.2: M: fail wrong-protocol (stage 2, expected 9000/tcp, got 4000/udp)",
    "10.0.0.2: M: Stage 1",
  ]);
});

Deno.test("repeat: a packet whose flags the door refuses stays a flag mismatch; a kernel retransmission stays one", () => {
  const engine = createEngine([A]);
  const out = replay(engine, [
    knock({ port: "7000", sport: 41000, seq: 7, at: 0 }),
    knock({ port: "7000", flags: ACK, at: 50 }), // not a SYN: invisible to this syn door
    knock({ port: "7000", sport: 41000, seq: 7, at: 1000 }), // the kernel's retransmission of the first SYN
    knock({ port: "7000", flags: SYN | ACK, at: 1100 }), // SYN set: counts as a packet, a repeat
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: retransmission ignored (stage 1, port 7000)",
    "10.0.0.2: A: repeat ignored (stage 1, 7000/tcp after 1100 ms)",
  ]);
  assert.equal(engine.stats().invisible, 1);
  assert.equal(engine.stats().retransmissions, 1);
  assert.equal(engine.stats().repeats, 1);
});

Deno.test("repeat: per source; another source's knock to the same port is its own", () => {
  const out = replay(createEngine([A]), [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", at: 100 }),
    knock({ src: "10.0.0.3", port: "8000", at: 150 }), // no attempt for 10.0.0.3, and 8000 starts nothing
    knock({ port: "8000", at: 200 }),
    knock({ port: "9000", at: 300 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: repeat ignored (stage 2, 8000/tcp after 100 ms)",
    "10.0.0.2: A: Stage 3",
    OPEN,
  ]);
});

Deno.test("repeat: a strict door keeps its rule, a repeat fails it; nmap --max-retries 0 (one probe) opens it", () => {
  const S = doors("[S]\n sequence = 7000,8000,9000\n tcpflags = syn\n strict = yes\n");
  // A repeat of the first step fails the attempt and, 7000 being the first step, starts it afresh; a repeat
  // of the second step fails it for good.
  const engine = createEngine(S);
  assert.deepEqual(replay(engine, nmapProbes(["7000", "8000", "9000"])), [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: fail wrong-port (stage 1, expected 8000/tcp, got 7000/tcp)",
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: Stage 2",
    "10.0.0.2: S: fail wrong-port (stage 2, expected 9000/tcp, got 8000/tcp)",
  ]);
  assert.equal(engine.stats().repeats, 0);
  // One probe per port (nmap --max-retries 0, knock, hping3 -c 1) opens it.
  const once = replay(
    createEngine(S),
    [7000, 8000, 9000].map((p, i) => knock({ port: String(p), at: i * 400 })),
  );
  assert.equal(once.at(-1), "10.0.0.2: S: OPEN SESAME");
  // A plain door next to the strict one still ignores the repeats.
  const both = createEngine([...S, A]);
  const lines = replay(both, nmapProbes(["7000", "8000", "9000"]));
  assert.ok(lines.includes(OPEN), lines.join("\n"));
  assert.ok(!lines.includes("10.0.0.2: S: OPEN SESAME"), lines.join("\n"));
  assert.equal(both.stats().repeats, 2);
});
