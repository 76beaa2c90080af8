/**
 * Throughput of `KnockEngine.observe()` with 1M distinct sources in progress,
 * against the same operations on a near-empty table: per-packet cost must not
 * depend on the number of sources (O(1) per packet).
 *
 * Run: `deno bench -A --v8-flags=--expose-gc bench/engine_bench.ts`. The memory the 1M attempts hold (heap
 * plus external, i.e. the attempt table's typed arrays, after full collections when `--expose-gc` allows
 * them) is printed once when the file loads.
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6; moved here from core/engine/README.md), the
 * table filled with 1M sources in progress: about 345 MiB of heap (≈ 360 bytes per source, address strings
 * included; the default cap of 100,000 is ≈ 36 MiB). Per observe: an invisible packet ≈ 40 ns, a knock
 * advancing one of the 1M sources ≈ 0.7-1.8 µs, a new source evicting the oldest ≈ 3-11 µs. The averages at
 * 1M and at 100k differ by about 2× through major GC pauses and cache misses on a 345 MiB heap, not through
 * per-packet work (p75 is close, and invisible/tick are equal).
 *
 * 2026-12-08, the compact attempt table (issue 19): heap + external +116 MiB for the 1M sources in progress
 * (≈ 122 bytes per source, of which the bench's own million source strings and their array hold about 44; the
 * table alone is 78 bytes a source, measured the same way without keeping them). Per observe, averages: an
 * invisible packet ≈ 45 ns (1M) / 47 ns (100k), a knock advancing a source in progress 0.46-0.57 µs (1M) / 0.64-0.96 µs (100k),
 * a new source evicting the oldest 2.4 µs (1M; p75 0.9 µs) / 0.9 µs (100k), tick with nothing expired 23 / 18
 * ns.
 *
 * @module
 */
import { createEngine, type KnockEngine } from "../core/engine/mod.ts";
import type { Door, FlagState, SequenceStep, TcpFlag } from "../core/config/types.ts";
import type { Knock } from "../core/knock.ts";

const SPAN = { line: 1, column: 1, endColumn: 1, offset: 0 };
const SYN = 0x02;
const SOURCES = 1_000_000;

function door(name: string, ports: readonly number[]): Door {
  const sequence: SequenceStep[] = ports.map((port) => ({
    port,
    protocol: "tcp",
    raw: String(port),
    span: SPAN,
  }));
  return {
    name,
    section: { name, nameSpan: SPAN, span: SPAN, directives: [], isOptions: false },
    sequence,
    seqTimeout: { value: 3600 },
    cmdTimeout: { value: 10 },
    tcpFlags: new Map<TcpFlag, FlagState>([["syn", "set"]]),
    tcpFlagsSpans: [],
  };
}

const DOORS = [
  door("A", [7000, 8000, 9000]),
  door("B", [7000, 8100, 9100]),
  door("C", [6000, 6001, 6002, 6003]),
];

function address(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

let sport = 1;
function syn(src: string, dport: number, timeMs: number): Knock {
  sport = (sport + 1) & 0xffff;
  return {
    family: 4,
    src,
    dst: "10.0.0.1",
    protocol: "tcp",
    sport,
    dport,
    flags: SYN,
    seq: sport * 7919,
    timeMs,
  };
}

/** An engine with `n` sources at stage 1 of door C (one attempt each), and each source's stage. */
function filled(n: number): { engine: KnockEngine; sources: string[]; stages: Uint8Array } {
  const engine = createEngine(DOORS, { maxAttempts: n });
  const sources: string[] = [];
  for (let i = 0; i < n; i++) {
    const src = address(i);
    sources.push(src);
    engine.observe(syn(src, 6000, 0), 0);
  }
  return { engine, sources, stages: new Uint8Array(n).fill(1) };
}

/** The JavaScript heap plus the memory outside it that objects hold (the attempt table's typed arrays). */
async function used(): Promise<number> {
  // With `--v8-flags=--expose-gc`, full collections around a pause (array buffers are freed by a background
  // sweeper): only what is live counts.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc?.();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/** Memory held by an engine with `n` sources in progress whose address strings are not kept: the table. */
async function tableBytes(n: number): Promise<number> {
  const start = await used();
  const engine = createEngine(DOORS, { maxAttempts: n });
  for (let i = 0; i < n; i++) engine.observe(syn(address(i), 6000, 0), 0);
  const end = await used();
  if (engine.stats().attempts !== n) throw new Error("the table lost attempts");
  return end - start;
}

const table = await tableBytes(SOURCES);
const before = await used();
const big = filled(SOURCES);
const after = await used();
const medium = filled(SOURCES / 10);
// deno-lint-ignore no-console
console.log(
  `engine_bench: ${big.engine.stats().attempts} attempts from ${big.engine.stats().sources} sources in progress; ` +
    `heap + external +${((after - before) / 2 ** 20).toFixed(0)} MiB (≈${
      Math.round((after - before) / SOURCES)
    } bytes per source, ` +
    `the bench's source strings included); the table alone ≈${Math.round(table / SOURCES)} bytes per source`,
);

const C_PORTS = [6000, 6001, 6002, 6003];
let now = 1;
let fresh = SOURCES * 2;

for (const [label, table] of [["1M sources", big], ["100k sources", medium]] as const) {
  const { engine, sources, stages } = table;
  const baseline = label !== "1M sources";
  let cursor = 0;
  Deno.bench({
    name: `observe: first knock from a new source, table full (evicts oldest) — ${label}`,
    group: "start",
    baseline,
    fn() {
      now += 0.001;
      engine.observe(syn(address(fresh++ & 0xffffff), 7000, now), now);
    },
  });
  Deno.bench({
    name: `observe: next knock of door C from a source in progress, round robin — ${label}`,
    group: "progress",
    baseline,
    fn() {
      now += 0.001;
      const i = cursor++ % sources.length;
      const stage = stages[i]!;
      engine.observe(syn(sources[i]!, C_PORTS[stage]!, now), now);
      stages[i] = (stage + 1) % C_PORTS.length;
    },
  });
  Deno.bench({
    name: `observe: packet to a port in no door (invisible) — ${label}`,
    group: "invisible",
    baseline,
    fn() {
      now += 0.001;
      engine.observe(syn(sources[cursor++ % sources.length]!, 22, now), now);
    },
  });
  Deno.bench({
    name: `tick + nextDeadline with nothing expired — ${label}`,
    group: "tick",
    baseline,
    fn() {
      now += 0.001;
      engine.tick(now);
      engine.nextDeadline();
    },
  });
}
