/**
 * TOTP doors' costs: deriving one step's sequence (HMAC-SHA256 blocks, rejection sampling), building a door's
 * candidate ports, and a whole step rotation in the daemon core (the window moves, the engine gets the new
 * doors, the capture filter is rebuilt), which serve does once per step per config.
 *
 *     deno bench -A bench/totp_bench.ts
 *
 * Measured on 2026-12-08 (the 2-core shared VM of docs/performance.md, Deno 2.9.6, while other jobs kept the
 * load average at 6.6: the means are inflated, the minimums closer to the cost), minimum / mean:
 * derivedSequence, 4 knocks 4.5 µs / 44 µs, 32 knocks (tcp and udp) 17 µs / 119 µs; totpCandidates over
 * 1024-65535 1.0 ms / 3.1 ms (once per door at load); a step rotation with one door (skew 1: 3 sequences,
 * 12 ports in the filter) 16 µs / 0.2 ms. A rotation happens once a step (30 s by default), off the
 * per-packet path (a packet only compares its time with the next boundary).
 */
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../core/config/mod.ts";
import { ServeDaemon } from "../core/serve/mod.ts";
import { derivedSequence, totpCandidates } from "../core/totp/mod.ts";

const key = new TextEncoder().encode("12345678901234567890");
const candidates = totpCandidates(20000, 40000, []);
let counter = 1n;

Deno.bench("derivedSequence: 4 knocks from 20000-40000", { group: "derive", baseline: true }, () => {
  derivedSequence({ key, length: 4, protocols: ["tcp"], candidates }, counter++);
});

Deno.bench("derivedSequence: 32 knocks, tcp and udp", { group: "derive" }, () => {
  derivedSequence({ key, length: 32, protocols: ["tcp", "udp"], candidates }, counter++);
});

Deno.bench("totpCandidates: 1024-65535", () => {
  totpCandidates(1024, 65535, [22000, 22001]);
});

const config = parseConfig(
  "[ssh]\nTOTP_Secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\nTOTP_Ports = 20000-40000\nstart_command = x %IP%\n",
  { extensions: KNOCKTOOL_EXTENSIONS },
).config;
const daemon = new ServeDaemon({
  onlyIPv4: false,
  debug: false,
  verbose: false,
  dryRun: true,
  journal: false,
  announce: false,
});
const T0 = 1_765_000_020_000;
daemon.start({
  config,
  otp: new Map(),
  totp: {
    doors: [{
      index: 0,
      params: { key, length: 4, protocols: ["tcp"], candidates },
      stepSeconds: 30,
      skew: 1,
    }],
  },
  captures: [{ name: "eth0", linktype: 1, addresses: { v4: ["10.0.0.1"], v6: [] } }],
}, T0);
let now = T0;

Deno.bench("daemon: a step rotation (window, engine doors, filter)", () => {
  now += 30_000;
  const effects = daemon.tick(now);
  if (!effects.some((e) => e.type === "filter")) throw new Error("no filter change");
});
