/**
 * knocktool's own door directives in the engine: `Strict = yes` (a SYN or UDP packet from a source in
 * progress to any other port of the door's addresses fails its attempt) and `Cooldown` (a door does not open
 * again for a source within N seconds of its last opening).
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import type { Door } from "../../../core/config/types.ts";
import { createEngine, DEFAULT_MAX_COOLDOWNS, type EngineEvent } from "../../../core/engine/mod.ts";
import { eventMessage } from "../../../core/serve/mod.ts";
import { ACK, FIN, knock, line, replay, RST, SYN, syns } from "./_helpers.ts";

/** Doors parsed from knockd.conf text with knocktool's directives. */
function doors(text: string): Door[] {
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  return [...parsed.config.doors];
}

const STRICT = doors("[S]\n sequence = 7000,8000,9000\n tcpflags = syn\n strict = yes\n");
const PLAIN = doors("[P]\n sequence = 7000,8000,9000\n tcpflags = syn\n");

/** A sequential SYN scan of `from`..`to` from one source, 1 ms apart. */
function scan(from: number, to: number, src = "10.0.0.66") {
  const out = [];
  for (let port = from; port <= to; port++) out.push(knock({ src, port: String(port), at: port - from }));
  return out;
}

function opened(lines: readonly string[]): number {
  return lines.filter((l) => l.endsWith("OPEN SESAME")).length;
}

Deno.test("strict: a sequential SYN scan 6990-9010 opens the plain door but not the strict one", () => {
  assert.equal(opened(replay(createEngine(PLAIN), scan(6990, 9010))), 1);
  const engine = createEngine(STRICT);
  const out = replay(engine, scan(6990, 9010));
  assert.equal(opened(out), 0);
  assert.deepEqual(out, [
    "10.0.0.66: S: Stage 1",
    "10.0.0.66: S: fail strict (stage 1, expected 8000/tcp, got 7001/tcp)",
  ]);
  assert.equal(engine.extensionStats().strictFailures, 1);
  assert.equal(engine.stats().failed, 1);
  assert.equal(engine.stats().attempts, 0);
});

Deno.test("strict: the legitimate knock still opens, with unrelated non-SYN traffic from the same source", () => {
  const engine = createEngine(STRICT);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "22", flags: ACK, at: 10 }), // an established SSH session: no SYN
    knock({ port: "22", flags: ACK | FIN, at: 11 }),
    knock({ port: "5555", flags: RST, at: 12 }),
    knock({ port: "8000", at: 100 }),
    knock({ port: "9000", at: 200 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: Stage 2",
    "10.0.0.2: S: Stage 3",
    "10.0.0.2: S: OPEN SESAME",
  ]);
  assert.equal(engine.extensionStats().strictFailures, 0);
});

Deno.test("strict: a UDP datagram to any port fails the attempt; the failure carries reason and port", () => {
  const engine = createEngine(STRICT);
  engine.observe(knock({ port: "7000", at: 0 }));
  engine.observe(knock({ port: "8000", at: 10 }));
  const events = engine.observe(knock({ port: "53:udp", at: 20 }));
  assert.equal(events.length, 1);
  const fail = events[0]! as Extract<EngineEvent, { type: "fail" }>;
  assert.equal(fail.type, "fail");
  assert.equal(fail.reason, "strict");
  assert.equal(fail.stage, 2);
  assert.deepEqual(fail.expected, { protocol: "tcp", port: 9000 });
  assert.deepEqual(fail.got, { protocol: "udp", port: 53, flags: 0 });
  assert.equal(
    eventMessage(fail)?.message,
    "10.0.0.2: S: sequence failed at stage 2: strict: unexpected packet to 53/udp",
  );
  assert.equal(eventMessage(fail)?.fields.reason, "strict");
});

Deno.test("strict: packets from other sources, or to other addresses, do not matter", () => {
  const engine = createEngine(STRICT, { localAddresses: ["10.0.0.1"] });
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    ...scan(6990, 9010, "10.0.0.66").map((k) => ({ ...k, timeMs: k.timeMs + 1 })),
    knock({ port: "1234", dst: "192.0.2.9", at: 3000 }), // same source, not one of the door's addresses
    knock({ port: "8000", at: 3100 }),
    knock({ port: "9000", at: 3200 }),
  ]).filter((l) => l.startsWith("10.0.0.2:"));
  assert.deepEqual(out, [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: Stage 2",
    "10.0.0.2: S: Stage 3",
    "10.0.0.2: S: OPEN SESAME",
  ]);
});

Deno.test("strict: a door's Target is its only address; a SYN to another local address is ignored", () => {
  const [door] = doors("[T]\n sequence = 7000,8000\n strict = yes\n target = 10.0.0.1\n");
  const engine = createEngine([door!]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "1234", dst: "10.0.0.5", at: 10 }),
    knock({ port: "8000", at: 20 }),
    knock({ src: "10.0.0.3", port: "7000", at: 30 }),
    knock({ src: "10.0.0.3", port: "1234", at: 40 }),
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: T: Stage 1",
    "10.0.0.2: T: Stage 2",
    "10.0.0.2: T: OPEN SESAME",
    "10.0.0.3: T: Stage 1",
    "10.0.0.3: T: fail strict (stage 1, expected 8000/tcp, got 1234/tcp)",
  ]);
});

Deno.test("strict: a retransmitted SYN of a counted knock is still a retransmission, not a failure", () => {
  const engine = createEngine(STRICT);
  const first = knock({ port: "7000", sport: 41000, at: 0 });
  const out = replay(engine, [first, { ...first, timeMs: 1000 }, knock({ port: "8000", at: 1100 })]);
  assert.deepEqual(out, [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: retransmission ignored (stage 1, port 7000)",
    "10.0.0.2: S: Stage 2",
  ]);
});

Deno.test("strict: a SYN whose flags the door does not accept fails the attempt; a SYN+ACK does not", () => {
  const [door] = doors("[F]\n sequence = 7000,8000\n tcpflags = syn,!fin\n strict = yes\n");
  const engine = createEngine([door!]);
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "8000", flags: SYN | ACK | FIN, at: 10 }), // not a new connection: ignored
    knock({ port: "8000", flags: SYN | FIN, at: 20 }), // visible, SYN without ACK: a strict failure
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: F: Stage 1",
    "10.0.0.2: F: fail strict (stage 1, expected 8000/tcp, got 8000/tcp)",
  ]);
  assert.equal(engine.stats().invisible, 2); // no door accepts either packet's flags
});

Deno.test("strict: non-strict doors keep knockd's semantics next to a strict door", () => {
  // The same scan and the same stray SYNs through an engine with only the plain door and one with both.
  const plainOnly = createEngine(doors("[P]\n sequence = 7000,8000,9000\n tcpflags = syn\n"));
  const both = createEngine(
    doors("[P]\n sequence = 7000,8000,9000\n tcpflags = syn\n[S]\n sequence = 6000,6001\n strict = yes\n"),
  );
  const traffic = [
    ...scan(6990, 9010),
    knock({ port: "7000", at: 5000 }),
    knock({ port: "1234", at: 5010 }),
    knock({ port: "53:udp", at: 5020 }),
    knock({ port: "8000", at: 5030 }),
    knock({ port: "9000", at: 5040 }),
  ];
  const a = replay(plainOnly, traffic);
  const b = replay(both, traffic);
  assert.deepEqual(b, a);
  assert.equal(opened(a), 2);
  assert.equal(both.stats().invisible, plainOnly.stats().invisible);
  assert.equal(both.extensionStats().strictFailures, 0);
});

Deno.test("strict: a non-first step repeated by a scan's SYN fails, then the first port can restart", () => {
  const engine = createEngine(STRICT);
  const out = replay(engine, syns([7000, 7000, 8000, 9000]));
  // The second 7000 is a visible wrong knock (as without Strict), then it starts the door afresh.
  assert.equal(opened(out), 1);
});

// ---- cool-down --------------------------------------------------------------------------------------------

const UDP1 = doors("[U]\n sequence = 4000:udp\n cooldown = 10\n");

Deno.test("cooldown: N single-port UDP knocks open once; one cooldown event; opens again after the window", () => {
  const engine = createEngine(UDP1);
  const events: EngineEvent[] = [];
  for (let i = 0; i < 50; i++) events.push(...engine.observe(knock({ port: "4000:udp", at: i * 100 })));
  assert.deepEqual(events.map((e) => line(e)), [
    "10.0.0.2: U: Stage 1",
    "10.0.0.2: U: OPEN SESAME",
    "10.0.0.2: U: cooldown (9900 ms left)",
  ]);
  const refusal = events[2]!;
  assert.equal(eventMessage(refusal)?.message, "10.0.0.2: U: cooldown, not opening again for 9.9 s");
  assert.deepEqual(engine.extensionStats(), {
    strictFailures: 0,
    cooldowns: 1,
    maxCooldowns: DEFAULT_MAX_COOLDOWNS,
    cooldownRefused: 49,
    cooldownEvicted: 0,
  });
  assert.equal(engine.stats().opened, 1);
  // 9999 ms after the opening: still refused, silently; at 10 000 ms: opens again.
  assert.deepEqual(engine.observe(knock({ port: "4000:udp", at: 9999 })), []);
  const again = engine.observe(knock({ port: "4000:udp", at: 10_000 })).map((e) => line(e));
  assert.deepEqual(again, ["10.0.0.2: U: Stage 1", "10.0.0.2: U: OPEN SESAME"]);
  // A new cool-down: reported again once.
  assert.deepEqual(engine.observe(knock({ port: "4000:udp", at: 10_500 })).map((e) => line(e)), [
    "10.0.0.2: U: cooldown (9500 ms left)",
  ]);
});

Deno.test("cooldown: per source and per door; a multi-step door completes but does not open again", () => {
  const engine = createEngine(
    doors("[A]\n sequence = 7000,8000\n cooldown = 2.5\n[B]\n sequence = 7000,9000\n"),
  );
  const out = replay(engine, [
    ...syns([7000, 8000], { at: 0 }),
    ...syns([7000, 8000], { src: "10.0.0.3", at: 10 }), // another source: not in cool-down
    ...syns([7000, 9000], { at: 400 }), // another door without cool-down
    ...syns([7000, 8000], { at: 800 }), // completes at 900: refused, 1.7 s left
    ...syns([7000, 8000], { at: 2400 }), // completes at 2500 < 100 + 2500: refused again, silently
    ...syns([7000, 8000], { at: 2500 }), // completes at 2600, the end of the cool-down: opens
  ]).filter((l) => l.includes(": A:"));
  assert.deepEqual(out, [
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: OPEN SESAME",
    "10.0.0.3: A: Stage 1",
    "10.0.0.3: A: Stage 2",
    "10.0.0.3: A: OPEN SESAME",
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: fail wrong-port (stage 1, expected 8000/tcp, got 9000/tcp)",
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: cooldown (1700 ms left)",
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: Stage 1",
    "10.0.0.2: A: Stage 2",
    "10.0.0.2: A: OPEN SESAME",
  ]);
  assert.equal(engine.extensionStats().cooldownRefused, 2);
});

Deno.test("cooldown: memory is bounded; entries expire and the oldest is evicted when full", () => {
  const engine = createEngine(UDP1, { maxCooldowns: 100 });
  for (let i = 0; i < 1000; i++) {
    const src = `10.1.${i >> 8}.${i & 255}`;
    const events = engine.observe(knock({ src, port: "4000:udp", at: i }));
    assert.equal(events.filter((e) => e.type === "open").length, 1, src);
  }
  let s = engine.extensionStats();
  assert.equal(s.cooldowns, 100);
  assert.equal(s.cooldownEvicted, 900);
  // The newest source is still in its cool-down; the oldest was evicted and may open again.
  assert.deepEqual(
    engine.observe(knock({ src: "10.1.3.231", port: "4000:udp", at: 1000 })).map((e) => e.type),
    [
      "cooldown",
    ],
  );
  assert.deepEqual(
    engine.observe(knock({ src: "10.1.0.0", port: "4000:udp", at: 1001 })).map((e) => e.type),
    [
      "stage",
      "open",
    ],
  );
  // After the window every entry expires on the next packet or tick.
  engine.tick(20_000);
  s = engine.extensionStats();
  assert.equal(s.cooldowns, 0);
  assert.throws(() => createEngine(UDP1, { maxCooldowns: 0 }), {
    name: "RangeError",
    message: 'Invalid maxCooldowns "0": expected a positive integer',
  });
});

Deno.test("cooldown: reload keeps entries of surviving doors, drops them when the door or its Cooldown goes", () => {
  const engine = createEngine(UDP1);
  engine.observe(knock({ port: "4000:udp", at: 0 }));
  const moved = doors("[New]\n sequence = 1,2\n[U]\n sequence = 4000:udp\n cooldown = 10\n");
  engine.replaceDoors(moved);
  assert.deepEqual(engine.observe(knock({ port: "4000:udp", at: 100 })).map((e) => line(e, true)), [
    "10.0.0.2: U#1: cooldown (9900 ms left)",
  ]);
  engine.replaceDoors(doors("[U]\n sequence = 4000:udp\n"));
  assert.equal(engine.extensionStats().cooldowns, 0);
  assert.deepEqual(engine.observe(knock({ port: "4000:udp", at: 200 })).map((e) => e.type), [
    "stage",
    "open",
  ]);
});

Deno.test("without Strict or Cooldown lines the doors are knockd's: a scan opens, every UDP packet opens", () => {
  const engine = createEngine(doors("[P]\n sequence = 7000,8000,9000\n[U]\n sequence = 4000:udp\n"));
  assert.equal(opened(replay(engine, scan(6990, 9010))), 1);
  const udp = replay(engine, Array.from({ length: 20 }, (_, i) => knock({ port: "4000:udp", at: 5000 + i })));
  assert.equal(opened(udp), 20);
  assert.deepEqual(engine.extensionStats().cooldowns, 0);
});

Deno.test("strict: a SYN visible through another door but refused by the strict door's flags fails it", () => {
  // Door P (no TCPFlags) makes every TCP packet to 5000 visible; S wants syn,!fin, so SYN+FIN mismatches S.
  const engine = createEngine(
    doors("[S]\n sequence = 7000,8000\n tcpflags = syn,!fin\n strict = yes\n[P]\n sequence = 5000,5001\n"),
  );
  const out = replay(engine, [
    knock({ port: "7000", at: 0 }),
    knock({ port: "5000", flags: SYN | ACK | FIN, at: 10 }), // visible (P), mismatches S, not a new connection
    knock({ port: "8000", at: 20 }),
    knock({ port: "7000", at: 30 }),
    knock({ port: "5000", flags: SYN | FIN, at: 40 }), // visible (P), mismatches S, strict-relevant
  ]);
  assert.deepEqual(out, [
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: P: Stage 1",
    "10.0.0.2: S: Stage 2",
    "10.0.0.2: S: OPEN SESAME",
    "10.0.0.2: P: fail wrong-port (stage 1, expected 5001/tcp, got 8000/tcp)",
    "10.0.0.2: S: Stage 1",
    "10.0.0.2: S: fail strict (stage 1, expected 8000/tcp, got 5000/tcp)",
    "10.0.0.2: P: Stage 1",
  ]);
});
