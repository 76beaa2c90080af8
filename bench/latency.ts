/**
 * Knock-to-command latency of `knocktool serve` against Debian's `knockd` (issue 4): a script, not a
 * `deno bench` file. Root only (it creates two network namespaces joined by a veth pair with
 * tests/e2e/_netns.ts and deletes them afterwards):
 *
 *     sudo deno run -A bench/latency.ts [--knocks 200] [--interval 100]
 *
 * Both daemons run one after the other in the same server namespace with the same config: a 3-port TCP SYN
 * door whose `start_command` is `date +%s.%N >> FILE`. A long-lived client process in the client namespace
 * (this script with `--client`) knocks 7000, 8000, 9000 every `--interval` ms (`connect()` closed at once,
 * like knock) and prints the CLOCK_REALTIME time read just before the `connect()` of each last knock. Same
 * machine, same clock: the latency of an opening is its command's timestamp minus the send time of the last
 * knock before it. Reports p50/p90/p99/max for both daemons and how many knocks opened. It reports; it does
 * not assert.
 *
 * The latency includes `/bin/sh -c` and `date` starting (the "start of the command" is when `date` reads
 * the clock); the daemons do not log (no `-v`), as in production without a logfile.
 *
 * The floor lines measure how long Deno itself takes to start `/bin/sh -c <stamp>` in a small process:
 * through libc's posix_spawn in its own process group (ffi/spawn.ts, as cli/serve/actions.ts does since
 * 2026-11-25), and through `Deno.Command` with and without `detached` (its own process group, as serve did
 * before).
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6, knockd 0.8, libpcap 1.10.3; static C
 * stamp; other engineers' tests were running, so runs vary). With posix_spawn (commit "serve: start door
 * commands through posix_spawn"), 200 knocks 100 ms apart:
 *
 *     daemon      opened     p50     p90     p99     max
 *     knockd     200/200   34.08   46.59   50.96   55.05
 *     knocktool  200/200    8.29   10.39   15.09   18.86
 *     floor: Deno starting /bin/sh -c <stamp>, posix_spawn (as serve does): p50  6.18, p99 13.00
 *     floor: Deno starting /bin/sh -c <stamp>, detached:                    p50 10.04, p99 13.43
 *     floor: Deno starting /bin/sh -c <stamp>, attached:                    p50  5.43, p99  7.58
 *
 * Before and after, interleaved (150 knocks each, the tree before the switch from `git archive`):
 *
 *     knocktool with Deno.Command detached:  p50 16.09, p90 20.53, p99 30.66  (knockd p50 43.40, p99 45.39)
 *     knocktool with posix_spawn:            p50  7.28, p90  9.34, p99 17.43  (knockd p50 14.95, p99 23.79)
 *     knocktool with Deno.Command detached:  p50 15.98, p90 20.10, p99 31.99  (knockd p50 29.47, p99 33.95)
 *     knocktool with posix_spawn:            p50  6.90, p90 11.86, p99 17.63  (knockd p50 29.88, p99 32.46)
 *
 * Earlier run with Deno.Command detached (200 knocks): knockd p50 21.42, p99 23.88; knocktool p50 17.18,
 * p99 33.79 (other runs of knockd: p50 9.2, 40.4, 54.4 ms).
 *
 * The target p99 < 5 ms is still not met, and cannot be on this VM through `/bin/sh -c`: every exec costs
 * about 2.5 ms here (a bash loop runs the static stamp at ~5 ms per fork+exec, `sh -c stamp` at ~9.5 ms;
 * Python's subprocess gets the stamp's clock read 6.1 ms p50 after its call), so `sh` then the command is
 * about 5-6 ms before the command's first instruction whoever starts it. posix_spawn itself returns in
 * about 1 ms (glibc's clone(CLONE_VFORK) returns once `sh` is exec'd), against about 4 ms more for
 * `Deno.Command` `detached`, which forks the whole daemon. knocktool's own detection (last packet to the
 * engine's open event, measured with the same capture loop, decoder and engine outside the daemon) is
 * 0.2-0.4 ms p50 and about 1.4 ms p99; the p99 above the floor is not yet explained.
 *
 * @module
 */
import { parseIPv4 } from "../core/address.ts";
import { tcpKnock } from "../ffi/socket.ts";
import { spawn } from "../ffi/spawn.ts";
import { KNOCKTOOL, type Netns, poll, type Spawned, type Topology } from "../tests/e2e/_netns.ts";

const SCRIPT = new URL(import.meta.url).pathname;

/** The door every benchmark daemon runs: three TCP SYN knocks, `command` as the start command. */
export function benchConfig(command: string, seqTimeout = 5): string {
  return `[options]
[bench]
  sequence      = 7000,8000,9000
  seq_timeout   = ${seqTimeout}
  tcpflags      = syn
  start_command = ${command}
`;
}

/** The daemons compared. */
export type Daemon = "knockd" | "knocktool";

/** The daemons in the order they run. */
export const DAEMONS: readonly Daemon[] = ["knockd", "knocktool"];

/**
 * Starts a daemon in the server namespace on its interface (no logging).
 *
 * @param t The topology.
 * @param daemon Which daemon.
 * @param config The config path.
 * @param stateDir knocktool's `--state-dir` (a temporary directory: the bench must not touch /var/lib).
 * @returns The process.
 */
export function startDaemon(t: Topology, daemon: Daemon, config: string, stateDir: string): Spawned {
  return daemon === "knockd"
    ? t.server.spawn(["knockd", "-i", t.serverIf, "-c", config])
    : t.server.spawn([...KNOCKTOOL, "serve", "-i", t.serverIf, "-c", config, "--state-dir", stateDir]);
}

/** The command line of the knocking client: `count` 3-port knocks to `host`, `intervalMs` apart. */
export function clientCommand(host: string, count: number, intervalMs: number): string[] {
  return [
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    SCRIPT,
    "--client",
    host,
    String(count),
    String(intervalMs),
  ];
}

/** Send times (ms since the epoch, sub-ms precision) printed by a client run. */
export function sendTimes(stdout: string): number[] {
  return stdout.split("\n").filter((l) => l.startsWith("sent ")).map((l) => Number(l.slice(5)));
}

/** Reads a text file, "" when missing. */
export async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/**
 * Knocks once at a time until the daemon runs the start command (it may still be compiling or opening its
 * capture), then empties the command output file.
 *
 * @returns Whether the daemon answered within `timeoutMs`.
 */
export async function waitReady(
  client: Netns,
  host: string,
  output: string,
  daemon: Spawned,
  timeoutMs = 30_000,
): Promise<boolean> {
  const ok = await poll(
    async () => {
      if (daemon.status !== undefined) return true;
      await client.exec(clientCommand(host, 1, 0), { timeoutMs: 20_000 });
      return await poll(async () => (await readText(output)).trim() !== "", 1000, 20);
    },
    timeoutMs,
    10,
  );
  await Deno.writeTextFile(output, "");
  return ok && daemon.status === undefined;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---- client mode ------------------------------------------------------------------------------------------

let clockLib:
  | Deno.DynamicLibrary<{ clock_gettime: { parameters: ["i32", "buffer"]; result: "i32" } }>
  | undefined;

/** CLOCK_REALTIME in milliseconds (the clock `date +%s.%N` reads). */
function realtimeMs(): number {
  clockLib ??= Deno.dlopen("libc.so.6", { clock_gettime: { parameters: ["i32", "buffer"], result: "i32" } });
  const ts = new BigInt64Array(2);
  clockLib.symbols.clock_gettime(0, ts);
  return Number(ts[0]!) * 1000 + Number(ts[1]!) / 1e6;
}

async function clientMain(args: readonly string[]): Promise<void> {
  const [host, countText, intervalText] = args;
  const address = parseIPv4(host ?? "");
  const count = Number(countText);
  const interval = Number(intervalText);
  const lines: string[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    // Absolute schedule so the rate does not drift with the knocks' own cost.
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    tcpKnock(address, 7000);
    tcpKnock(address, 8000);
    const sent = realtimeMs();
    tcpKnock(address, 9000);
    lines.push(`sent ${sent.toFixed(3)}`);
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
}

// ---- benchmark --------------------------------------------------------------------------------------------

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  const value = at === -1 ? fallback : Number(Deno.args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

// deno-lint-ignore no-console
const say = (text: string): void => console.log(text);

interface LatencyResult {
  readonly daemon: Daemon;
  readonly sent: number;
  readonly opened: number;
  readonly latencies: number[];
}

async function measure(
  t: Topology,
  daemon: Daemon,
  stamp: string,
  knocks: number,
  intervalMs: number,
): Promise<LatencyResult> {
  const dir = await Deno.makeTempDir({ prefix: "kt-latency-" });
  try {
    const output = `${dir}/opened`;
    const config = `${dir}/knockd.conf`;
    await Deno.writeTextFile(config, benchConfig(`${stamp} >> ${output}`));
    await using server = startDaemon(t, daemon, config, dir);
    const client = t.clients[0]!.ns;
    if (!(await waitReady(client, t.serverV4, output, server))) {
      throw new Error(`${daemon} did not run its start command\n${server.output()}`);
    }
    const run = await client.exec(clientCommand(t.serverV4, knocks, intervalMs), {
      timeoutMs: knocks * intervalMs + 60_000,
    });
    const sent = sendTimes(run.stdout);
    await poll(async () => (await readText(output)).trim().split("\n").length >= sent.length, 3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const starts = (await readText(output)).trim().split("\n").filter((l) => l !== "")
      .map((l) => Number(l) * 1000).sort((a, b) => a - b);
    const latencies: number[] = [];
    for (const s of starts) {
      // The last knock sent before the command started.
      let best: number | undefined;
      for (const k of sent) if (k <= s && (best === undefined || k > best)) best = k;
      if (best !== undefined) latencies.push(s - best);
    }
    latencies.sort((a, b) => a - b);
    return { daemon, sent: sent.length, opened: starts.length, latencies };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const STAMP_C = `#include <stdio.h>
#include <time.h>
int main(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("%lld.%09ld\\n", (long long)ts.tv_sec, ts.tv_nsec);
  return 0;
}
`;

/**
 * The timestamp command: a static C program built with gcc into `dir` when gcc is there (it starts in
 * about 1.5 ms here), else `date +%s.%N` (about 3 ms more: dynamic linking and locale loading).
 */
async function buildStamp(dir: string): Promise<string> {
  try {
    await Deno.writeTextFile(`${dir}/stamp.c`, STAMP_C);
    const out = await new Deno.Command("gcc", {
      args: ["-O2", "-static", "-o", `${dir}/stamp`, `${dir}/stamp.c`],
      stdout: "null",
      stderr: "null",
    }).output();
    if (out.success) return `${dir}/stamp`;
  } catch {
    // no gcc
  }
  return "date +%s.%N";
}

/**
 * Floor mode: how long Deno takes to start `/bin/sh -c "<stamp>"` with stdin and stdout null, from the call
 * to the stamp's clock read: `posix_spawn` (ffi/spawn.ts, its own process group: what cli/serve/actions.ts
 * does), or `Deno.Command` `detached` (its own process group: what serve did before) or attached. Prints one
 * latency in ms per line.
 */
async function floorMain(args: readonly string[]): Promise<void> {
  const [stamp, countText, mode] = args;
  const DETACHED = mode !== "attached";
  const dir = await Deno.makeTempDir({ prefix: "kt-floor-" });
  const out = `${dir}/t`;
  const lines: string[] = [];
  for (let i = 0; i < Number(countText); i++) {
    await Deno.writeTextFile(out, "");
    const t0 = realtimeMs();
    const child = mode === "posix_spawn"
      ? spawn("/bin/sh", ["-c", `${stamp} >> ${out}`], {
        stdin: "null",
        stdout: "null",
        newProcessGroup: true,
      })
      : new Deno.Command("/bin/sh", {
        args: ["-c", `${stamp} >> ${out}`],
        stdin: "null",
        stdout: "null",
        stderr: "inherit",
        detached: DETACHED,
      }).spawn();
    await child.status;
    lines.push((Number(await Deno.readTextFile(out)) * 1000 - t0).toFixed(3));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Deno.remove(dir, { recursive: true });
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
}

/** How the floor lines start a process. */
const FLOOR_MODES = ["posix_spawn", "detached", "attached"] as const;
type FloorMode = typeof FLOOR_MODES[number];

async function main(): Promise<void> {
  const { whySkip, withTopology } = await import("../tests/e2e/_netns.ts");
  const knocks = flag("--knocks", 200);
  const intervalMs = flag("--interval", 100);
  if ((await whySkip(["knockd"], "latency")) !== undefined) return;
  const dir = await Deno.makeTempDir({ prefix: "kt-stamp-" });
  const floors: Record<FloorMode, number[]> = { posix_spawn: [], detached: [], attached: [] };
  let stamp = "";
  const results = await withTopology({}, async (t) => {
    stamp = await buildStamp(dir);
    const out: LatencyResult[] = [];
    for (const daemon of DAEMONS) out.push(await measure(t, daemon, stamp, knocks, intervalMs));
    for (const mode of FLOOR_MODES) {
      const f = await t.server.exec([
        Deno.execPath(),
        "run",
        "-A",
        "--no-prompt",
        SCRIPT,
        "--floor",
        stamp,
        String(Math.min(knocks, 100)),
        mode,
      ]);
      floors[mode] = f.stdout.trim().split("\n").map(Number).sort((a, b) => a - b);
    }
    return out;
  }).finally(() => Deno.remove(dir, { recursive: true }));
  say(`start_command: ${stamp.endsWith("/stamp") ? "a static C program printing CLOCK_REALTIME" : stamp}`);
  say(`knock-to-command latency, ${knocks} knocks ${intervalMs} ms apart (ms)`);
  say("daemon      opened     p50     p90     p99     max");
  for (const r of results) {
    const l = r.latencies;
    say(
      `${r.daemon.padEnd(10)} ${`${r.opened}/${r.sent}`.padStart(7)} ${
        [50, 90, 99, 100].map((p) => percentile(l, p).toFixed(2).padStart(7)).join(" ")
      }`,
    );
  }
  for (const [mode, floor] of Object.entries(floors)) {
    say(
      `floor: Deno starting /bin/sh -c <stamp>, ${mode}${
        mode === "posix_spawn" ? " (as serve does)" : ""
      }, ${floor.length} runs: ${
        [50, 90, 99, 100].map((p) => percentile(floor, p).toFixed(2).padStart(7)).join(" ")
      }`,
    );
  }
  const [a, b] = results;
  if (a !== undefined && b !== undefined) {
    say(
      `knocktool / knockd: p50 ${
        (percentile(b.latencies, 50) / percentile(a.latencies, 50)).toFixed(2)
      }, p99 ${(percentile(b.latencies, 99) / percentile(a.latencies, 99)).toFixed(2)}`,
    );
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--client") await clientMain(Deno.args.slice(1));
  else if (Deno.args[0] === "--floor") await floorMain(Deno.args.slice(1));
  else await main();
}
