/**
 * Memory of the capture path under a spoofed-source flood, and what V8's `--optimize-for-size` trades for
 * it (issues 4 and 19). A script, not a `deno bench` file, and no privileges: it runs itself once per V8
 * setting in a fresh process and feeds each the same frames, in process, through `decodeFrame` and a
 * `KnockEngine` with the given attempt cap (serve's default, 1,000,000), as the daemon does for each frame:
 *
 *     deno run -A bench/memory.ts [--frames 1800000] [--rate 60000] [--max-attempts 1000000] [--seq-timeout 5]
 *
 * The frames are Ethernet IPv4 TCP SYNs to the first port of a 3-port door, each from a new source
 * address, with pcap times `1000 / rate` ms apart. Reported per setting: frames/s, VmRSS at the end, VmHWM,
 * attempts in progress at the end, VmRSS before the first frame, and (VmHWM − that) per attempt.
 *
 * Measured on 2026-12-08 (2-core shared VM, Deno 2.9.6), compact attempt table (typed arrays, IPv4
 * sources as integers, open addressing), first with one counted TCP packet kept in the slot:
 *
 *     run                                       v8 flags              frames/s  VmRSS  VmHWM  attempts  B/attempt
 *     1M frames, 10k/s, seq_timeout 200, cap 1M (default)              1078271  127.5  127.6   1000000         97
 *                                               --optimize-for-size    931916  124.2  124.2   1000000         93
 *     1.8M frames, 60k/s, seq_timeout 5, cap 1M (default)               689231   78.9   88.9    300000        187
 *                                               --optimize-for-size    724851   77.9   88.5    300000        184
 *     1.8M frames, 60k/s, seq_timeout 5, cap 100k (default)            1225551   62.9   63.0    100000        288
 *                                               --optimize-for-size   1035035   58.5   65.4    100000        305
 *
 * then with two (all a three-step door needs; 8 bytes more a slot, no side map for stage 2), the machine busier:
 *
 *     1M frames, 10k/s, seq_timeout 200, cap 1M (default)               543807  136.9  137.0   1000000        106
 *                                               --optimize-for-size    576735  135.2  135.2   1000000        103
 *     1.8M frames, 60k/s, seq_timeout 5, cap 1M (default)               703718   80.5   93.8    300000        203
 *                                               --optimize-for-size    651957   80.1   93.7    300000        200
 *
 * (MiB; "B/attempt" counts the young-generation garbage of decoded packets and events too, so it is an
 * upper bound of the table's 77 bytes a source and large when few attempts are live.) Before the compact
 * table (an object and a string per attempt, 2026-11-25, the last run with cap 100k): 395811 frames/s,
 * VmRSS 261.3, VmHWM 282.6 MiB with the default flags; 206228 frames/s, 91.0 / 105.9 MiB with
 * `--optimize-for-size`. So a million sources in progress now fit in less than half of what 100,000 took.
 *
 * @module
 */
import { parseConfig } from "../core/config/mod.ts";
import { decodeFrame } from "../core/decode/mod.ts";
import { createEngine } from "../core/engine/mod.ts";
import { buildPacket, createRng } from "../core/packet/mod.ts";

const SCRIPT = new URL(import.meta.url).pathname;

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  const value = at === -1 ? fallback : Number(Deno.args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** VmRSS or VmHWM of this process, MiB. */
function status(field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(Deno.readTextFileSync("/proc/self/status"));
  return Number(m?.[1] ?? NaN) / 1024;
}

/** One measured run (in a child process): prints `frames/s rss hwm attempts rss-before`. */
function runMain(frames: number, rate: number, max: number, timeout: number): void {
  const parsed = parseConfig(`[d]\nsequence = 7000,8000,9000\nseq_timeout = ${timeout}\ntcpflags = syn\n`);
  const engine = createEngine([...parsed.config.doors], { maxAttempts: max });
  const ip = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "tcp", dport: 7000, sport: 40000, seq: 1, flags: 0x02 },
  }, createRng(1));
  const frame = new Uint8Array(14 + ip.length);
  frame[12] = 0x08; // EtherType IPv4
  frame.set(ip, 14);
  const before = status("VmRSS");
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) {
    // A new source per frame (the IPv4 checksum is not checked by the decoder, as on capture).
    frame[26] = 10;
    frame[27] = (i >> 16) & 255;
    frame[28] = (i >> 8) & 255;
    frame[29] = i & 255;
    const timeMs = (i * 1000) / rate;
    const r = decodeFrame(1, frame, timeMs);
    if (r.ok) engine.observe(r.knock, timeMs);
  }
  const seconds = (performance.now() - t0) / 1000;
  // deno-lint-ignore no-console
  console.log(
    `${Math.round(frames / seconds)} ${status("VmRSS").toFixed(1)} ${status("VmHWM").toFixed(1)} ` +
      `${engine.stats().attempts} ${before.toFixed(1)}`,
  );
}

async function main(): Promise<void> {
  const frames = flag("--frames", 1_800_000);
  const rate = flag("--rate", 60_000);
  const max = flag("--max-attempts", 1_000_000);
  const timeout = flag("--seq-timeout", 5);
  const settings = ["", "--optimize-for-size"];
  // deno-lint-ignore no-console
  console.log(
    `${frames} frames, a new source each, ${rate}/s of pcap time, attempt cap ${max}, seq_timeout ${timeout}`,
  );
  // deno-lint-ignore no-console
  console.log(
    "v8 flags                 frames/s   VmRSS MiB   VmHWM MiB   attempts   RSS before   B/attempt",
  );
  for (const v8 of settings) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(v8 === "" ? [] : [`--v8-flags=${v8}`]),
        SCRIPT,
        "--run",
        String(frames),
        String(rate),
        String(max),
        String(timeout),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const [fps, rss, hwm, attempts, before] = new TextDecoder().decode(out.stdout).trim().split(" ");
    const perAttempt = ((Number(hwm) - Number(before)) * 1024 * 1024) / Math.max(1, Number(attempts));
    // deno-lint-ignore no-console
    console.log(
      `${(v8 || "(default)").padEnd(22)} ${fps!.padStart(10)} ${rss!.padStart(11)} ${hwm!.padStart(11)} ` +
        `${attempts!.padStart(10)} ${before!.padStart(12)} ${perAttempt.toFixed(0).padStart(11)}`,
    );
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--run") {
    runMain(Number(Deno.args[1]), Number(Deno.args[2]), Number(Deno.args[3]), Number(Deno.args[4]));
  } else await main();
}
