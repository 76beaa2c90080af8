/**
 * Memory of the capture path under a spoofed-source flood, and what V8's `--optimize-for-size` trades for
 * it (issue 4: "memory bounded"). A script, not a `deno bench` file, and no privileges: it runs itself once
 * per V8 setting in a fresh process and feeds each the same frames, in process, through `decodeFrame` and a
 * `KnockEngine` with serve's default attempt cap (100,000), as the daemon does for each captured frame:
 *
 *     deno run -A bench/memory.ts [--frames 1800000] [--rate 60000]
 *
 * The frames are Ethernet IPv4 TCP SYNs to the first port of a 3-port door (`seq_timeout = 5`), each from a
 * new source address, with pcap times `1000 / rate` ms apart (the default: 30 s at 60,000 packets/s, so the
 * table is full and evicting for most of the run). Reported per setting: frames/s, VmRSS at the end, VmHWM.
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6), 1.8M frames at 60k/s of pcap time:
 *
 *     v8 flags                 frames/s   VmRSS MiB   VmHWM MiB
 *     (default)                  395811       261.3       282.6
 *     --optimize-for-size        206228        91.0       105.9
 *
 * (Earlier runs of the same loop: default 340k frames/s, 220-300 MiB; optimize-for-size 185k, 89 MiB.)
 *
 * With the defaults the live attempts are about 36 MiB of heap (after a full GC) and the rest is V8's own
 * sizing: garbage of evicted attempts promoted to the old generation and pages kept for reuse. A small
 * machine can run the daemon with `deno run --v8-flags=--optimize-for-size ...` (or bake the flag into a
 * `deno compile` binary) for a third of the memory at half the per-frame throughput, which still leaves
 * room above the ~120k packets/s this VM's `hping3 --flood` reaches only with both cores (bench/flood.ts).
 * Setting the flag at run time (`node:v8` `setFlagsFromString`) has no effect on the heap's sizing.
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

/** One measured run (in a child process): prints `frames/s rss hwm`. */
function runMain(frames: number, rate: number): void {
  const parsed = parseConfig("[d]\nsequence = 7000,8000,9000\nseq_timeout = 5\ntcpflags = syn\n");
  const engine = createEngine([...parsed.config.doors], { maxAttempts: 100_000 });
  const ip = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "tcp", dport: 7000, sport: 40000, seq: 1, flags: 0x02 },
  }, createRng(1));
  const frame = new Uint8Array(14 + ip.length);
  frame[12] = 0x08; // EtherType IPv4
  frame.set(ip, 14);
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
  console.log(`${Math.round(frames / seconds)} ${status("VmRSS").toFixed(1)} ${status("VmHWM").toFixed(1)}`);
}

async function main(): Promise<void> {
  const frames = flag("--frames", 1_800_000);
  const rate = flag("--rate", 60_000);
  const settings = ["", "--optimize-for-size"];
  // deno-lint-ignore no-console
  console.log(`${frames} frames, a new source each, ${rate}/s of pcap time, attempt cap 100000`);
  // deno-lint-ignore no-console
  console.log("v8 flags                 frames/s   VmRSS MiB   VmHWM MiB");
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
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const [fps, rss, hwm] = new TextDecoder().decode(out.stdout).trim().split(" ");
    // deno-lint-ignore no-console
    console.log(
      `${(v8 || "(default)").padEnd(22)} ${fps!.padStart(10)} ${rss!.padStart(11)} ${hwm!.padStart(11)}`,
    );
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--run") runMain(Number(Deno.args[1]), Number(Deno.args[2]));
  else await main();
}
