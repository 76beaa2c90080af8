/**
 * Property: whatever the interleaving, every client that knocks its door
 * correctly (with kernel retransmissions sprinkled in) opens it exactly once,
 * while other sources send noise to door ports and elsewhere.
 */
import assert from "node:assert/strict";
import { createEngine } from "../../../core/engine/mod.ts";
import type { Knock } from "../../../core/knock.ts";
import { ACK, door, FIN, RST, SYN } from "./_helpers.ts";
import { seededRandom } from "../_random.ts";

const DOORS = [
  door("A", { sequence: "7000,8000,9000", tcpflags: "syn,!ack" }),
  door("B", { sequence: "7000,6100,6200", tcpflags: "syn" }), // shares A's first port
  door("C", { sequence: "4000:udp,4001:udp,4002:udp" }),
  door("D", { sequence: "5000,5000,5001", tcpflags: "syn" }), // repeated port
  door("E", { sequence: "3000,4000:udp,3001,3002" }), // mixed protocols, no flags
  door("F", { sequence: "2000,2001", tcpflags: "syn", target: "10.9.9.9" }),
];
const DOOR_PORTS = DOORS.flatMap((d) => d.sequence.map((s) => ({ port: s.port, protocol: s.protocol })));

interface Client {
  src: string;
  dst: string;
  door: number;
}

function runScenario(seed: number): void {
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const clientCount = 5 + Math.floor(rand() * 40);
  const clients: Client[] = [];
  // One stream of knocks per client (its packets in order), plus one stream of noise.
  const streams: Knock[][] = [];
  let sport = 30000;
  for (let i = 0; i < clientCount; i++) {
    const v6 = rand() < 0.3;
    const src = v6 ? `fd77::${(i + 16).toString(16)}` : `10.1.${i >> 8}.${i & 255}`;
    const doorIndex = Math.floor(rand() * DOORS.length);
    const d = DOORS[doorIndex]!;
    const dst = d.target?.value ?? (v6 ? "fd77::1" : "10.0.0.1");
    clients.push({ src, dst, door: doorIndex });
    const stream: Knock[] = [];
    const sent: Knock[] = [];
    d.sequence.forEach((step, n) => {
      const tcp = step.protocol === "tcp";
      const noFlags = d.tcpFlags.size === 0;
      const packet: Knock = {
        family: v6 ? 6 : 4,
        src,
        dst,
        protocol: step.protocol,
        sport: sport++,
        dport: step.port,
        flags: tcp ? (noFlags ? pick([SYN, ACK, RST, SYN | ACK]) : SYN) : 0,
        seq: tcp ? Math.floor(rand() * 2 ** 32) : 0,
        timeMs: 0,
      };
      stream.push(packet);
      sent.push(packet);
      // A kernel retransmission of an earlier TCP knock of this attempt, before the last knock.
      if (n < d.sequence.length - 1 && rand() < 0.3) {
        const again = pick(sent.filter((k) => k.protocol === "tcp" && k.flags & SYN));
        if (again !== undefined) stream.push({ ...again });
      }
    });
    streams.push(stream);
  }
  const noise: Knock[] = [];
  const noiseCount = Math.floor(rand() * 300);
  for (let i = 0; i < noiseCount; i++) {
    const target = rand() < 0.7
      ? pick(DOOR_PORTS)
      : { port: Math.floor(rand() * 65536), protocol: pick(["tcp", "udp"] as const) };
    const tcp = target.protocol === "tcp";
    noise.push({
      family: 4,
      src: `192.168.${Math.floor(rand() * 4)}.${Math.floor(rand() * 8)}`,
      dst: pick(["10.0.0.1", "10.9.9.9", "10.0.0.77"]),
      protocol: target.protocol,
      sport: Math.floor(rand() * 65536),
      dport: target.port,
      flags: tcp ? pick([SYN, ACK, RST, FIN, SYN | ACK]) : 0,
      seq: tcp ? Math.floor(rand() * 2 ** 32) : 0,
      timeMs: 0,
    });
  }
  streams.push(noise);

  // Random interleaving that keeps each stream's order; time advances 0–40 ms per packet.
  const engine = createEngine(DOORS, { isLocal: (dst) => dst === "10.0.0.1" || dst === "fd77::1" });
  const cursors = streams.map(() => 0);
  const opens = new Map<string, number[]>();
  let now = 1_000_000;
  for (;;) {
    const live = cursors.flatMap((c, i) => (c < streams[i]!.length ? [i] : []));
    if (live.length === 0) break;
    const s = pick(live);
    const packet = { ...streams[s]![cursors[s]!++]!, timeMs: now };
    for (const event of engine.observe(packet, now)) {
      if (event.type === "open") opens.set(event.src, [...(opens.get(event.src) ?? []), event.door]);
    }
    now += Math.floor(rand() * 40);
    if (rand() < 0.05) engine.tick(now);
  }
  assert.ok(now - 1_000_000 < 25_000, "the scenario fits inside one seq_timeout window");
  for (const client of clients) {
    assert.deepEqual(
      opens.get(client.src),
      [client.door],
      `seed ${seed}: ${client.src} knocking ${DOORS[client.door]!.name} should open it exactly once`,
    );
  }
}

Deno.test("property: every client knocking correctly opens its door exactly once, whatever the interleaving and noise", () => {
  for (let seed = 1; seed <= 300; seed++) runScenario(seed);
});
