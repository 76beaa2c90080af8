/**
 * Knock-to-command latency of `knocktool serve` against Debian's `knockd` (issue 4): a script, not a
 * `deno bench` file. Root only (it creates two network namespaces joined by a veth pair with
 * tests/e2e/_netns.ts and deletes them afterwards):
 *
 *     sudo deno run -A bench/latency.ts [--knocks 200] [--interval 100]
 *
 * Both daemons run one after the other in the same server namespace with the same config: a 3-port TCP SYN
 * door whose `start_command` writes a timestamp. A long-lived client process in the client namespace (this
 * script with `--client`) knocks 7000, 8000, 9000 every `--interval` ms (`connect()` closed at once, like
 * knock) and prints the CLOCK_REALTIME time read just before the `connect()` of each last knock. Same
 * machine, same clock: the latency of an opening is its command's timestamp minus the send time of the last
 * knock before it. Reports p50/p90/p99/max for both daemons and how many knocks opened. It reports; it does
 * not assert. The daemons do not log (no `-v`), as in production without a logfile.
 *
 * The stamp is a static C program built with gcc when there is one (else `date +%s.%N >> FILE`, about 3 ms
 * slower to start: dynamic linking and locales); the "start of the command" is its clock read, so every
 * number includes starting a program. Three start commands: `stamp FILE` (one program: knocktool's
 * standby shell execs it, knockd's `system()` forks `sh` which forks again), `stamp >> FILE` (a redirection:
 * the standby shell forks for it) and `stamp FILE` in a door that also has a stop command (knocktool journals
 * the pending stop, fsync included, before the start command runs: issue 4's crash-safety rule).
 *
 * The floor lines take the daemons out: how long after the call the stamp reads the clock when Deno starts
 * `/bin/sh -c` through posix_spawn, or hands the command to a waiting standby shell (cli/serve/standby.ts,
 * what serve does).
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM under Firecracker, Deno 2.9.6, knockd 0.8, libpcap
 * 1.10.3, static C stamp), 200 knocks 100 ms apart, with the standby shell (commit "serve: door commands
 * run in a standby shell ..."):
 *
 *     start_command         daemon      opened     p50     p90     p99     max
 *     stamp FILE            knockd     200/200   20.31   22.61   24.96   53.48
 *     stamp FILE            knocktool  200/200    3.57    5.40    7.22    7.94
 *     stamp >> FILE         knockd     200/200   53.81   63.85   70.97   71.18
 *     stamp >> FILE         knocktool  200/200    4.18    6.97    9.24    9.82
 *     stamp FILE + stop     knockd     200/200   46.86   54.72   62.45   72.63
 *     stamp FILE + stop     knocktool  200/200    6.33    7.98   11.32   19.85
 *     floor: Deno starting the stamp, sh -c               100 runs:    5.48    6.69    7.78    7.90
 *     floor: Deno starting the stamp, standby, program    100 runs:    2.83    4.38    6.63    6.78
 *     floor: Deno starting the stamp, standby, redirect   100 runs:    2.82    4.92    6.03    8.34
 *
 * Another run: knocktool `stamp FILE` p50 4.11, p99 10.50 (knockd 37.77, 40.68); `stamp >> FILE` p50
 * 5.97, p99 13.27 (knockd 32.46, 48.61). knockd's own numbers swing between runs (p50 10 to 54 ms: its
 * 50 ms capture buffer timeout).
 *
 * History of knocktool's `stamp >> FILE` (then the only form): `Deno.Command` `detached` (forks the whole
 * daemon) p50 16-17, p99 30-34; libc posix_spawn of `/bin/sh -c` p50 6.9-8.3, p99 15-18; standby shell p50
 * 4.2-6.0, p99 9.2-13.3.
 *
 * Where the time goes, measured inside the daemon with temporary instrumentation (not committed): from the
 * last knock's pcap timestamp to the command written to the standby shell, p50 0.57 ms, p90 0.99, p99 2.9
 * (the capture wake-up, decoder, engine and hand-off; the frame handler alone starts 0.6 ms p50 after the
 * pcap timestamp, a worker-thread poll then the main thread). The rest is this VM starting a program: even
 * with no daemon at all, a waiting shell's exec of a static binary reads the clock 2.8 ms p50 and 6-7 ms p99
 * after the hand-off (floor lines), and a bash loop runs it at ~3.5 ms per fork+exec.
 *
 * So the target "p99 under 5 ms" is met for knocktool's own share (pcap timestamp to command hand-off, p99
 * about 3 ms) and not end to end on this VM, whose exec alone has a p99 above 5 ms; end to end knocktool is
 * 0.1-0.2 of knockd at p50 and 0.2-0.3 at p99. With a stop command, the journal's write (temporary file,
 * fsync, rename, fsync of the directory: about 2 ms here) comes before the start command by design.
 *
 * @module
 */
import { parseIPv4 } from "../core/address.ts";
import { tcpKnock } from "../ffi/socket.ts";
import { spawn } from "../ffi/spawn.ts";
import { StandbyShell } from "../cli/serve/standby.ts";
import { KNOCKTOOL, type Netns, poll, type Spawned, type Topology } from "../tests/e2e/_netns.ts";

const SCRIPT = new URL(import.meta.url).pathname;

/** The door every benchmark daemon runs: three TCP SYN knocks, `command` as the start command. */
export function benchConfig(command: string, seqTimeout = 5, stop?: string): string {
  return `[options]
[bench]
  sequence      = 7000,8000,9000
  seq_timeout   = ${seqTimeout}
  tcpflags      = syn
  start_command = ${command}
${stop === undefined ? "" : `  cmd_timeout   = 3600\n  stop_command  = ${stop}\n`}`;
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
  readonly form: Form;
  readonly sent: number;
  readonly opened: number;
  readonly latencies: number[];
}

/**
 * How the start command writes its stamp: as one program with the file as argument, or through `>>`; and
 * `journaled`: the program form in a door with a stop command (knocktool writes the pending stop to its
 * journal, fsync included, before the start command runs; knockd has no journal).
 */
type Form = "program" | "redirect" | "journaled";

/** The start command of `form`. */
function stampCommand(stamp: string, form: Form, output: string): string {
  return form === "redirect" ? `${stamp} >> ${output}` : `${stamp} ${output}`;
}

async function measure(
  t: Topology,
  daemon: Daemon,
  stamp: string,
  form: Form,
  knocks: number,
  intervalMs: number,
): Promise<LatencyResult> {
  const dir = await Deno.makeTempDir({ prefix: "kt-latency-" });
  try {
    const output = `${dir}/opened`;
    const config = `${dir}/knockd.conf`;
    const stop = form === "journaled" ? "true" : undefined;
    await Deno.writeTextFile(config, benchConfig(stampCommand(stamp, form, output), 5, stop));
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
    return { daemon, form, sent: sent.length, opened: starts.length, latencies };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const STAMP_C = `#include <stdio.h>
#include <time.h>
int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  FILE *out = argc > 1 ? fopen(argv[1], "a") : stdout;
  if (out == NULL) return 1;
  fprintf(out, "%lld.%09ld\\n", (long long)ts.tv_sec, ts.tv_nsec);
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
 * Floor mode: how long Deno takes to start the stamp, from the call to the stamp's clock read, with stdin
 * and stdout null: `/bin/sh -c` through `posix_spawn` in its own process group (ffi/spawn.ts; what serve
 * does without a waiting shell), or handing the command to a standby shell started beforehand
 * (cli/serve/standby.ts, what serve does), as one program or with a redirection. Prints one latency in ms
 * per line.
 */
async function floorMain(args: readonly string[]): Promise<void> {
  const [stamp, countText, mode] = args;
  const dir = await Deno.makeTempDir({ prefix: "kt-floor-" });
  const out = `${dir}/t`;
  const lines: string[] = [];
  const standby = new StandbyShell();
  const form: Form = mode === "standby, program" ? "program" : "redirect";
  for (let i = 0; i < Number(countText); i++) {
    await Deno.writeTextFile(out, "");
    standby.fill();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const t0 = realtimeMs();
    const child = mode === "sh -c"
      ? spawn("/bin/sh", ["-c", stampCommand(stamp!, form, out)], {
        argv0: "sh",
        stdin: "null",
        stdout: "null",
        newProcessGroup: true,
      })
      : standby.take(stampCommand(stamp!, form, out))!;
    await child.status;
    lines.push((Number(await Deno.readTextFile(out)) * 1000 - t0).toFixed(3));
  }
  await standby.close();
  await Deno.remove(dir, { recursive: true });
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
}

/** How the floor lines start the stamp. */
const FLOOR_MODES = ["sh -c", "standby, program", "standby, redirect"] as const;
type FloorMode = typeof FLOOR_MODES[number];

async function main(): Promise<void> {
  const { whySkip, withTopology } = await import("../tests/e2e/_netns.ts");
  const knocks = flag("--knocks", 200);
  const intervalMs = flag("--interval", 100);
  if ((await whySkip(["knockd"], "latency")) !== undefined) return;
  const dir = await Deno.makeTempDir({ prefix: "kt-stamp-" });
  const floors = new Map<FloorMode, number[]>();
  let stamp = "";
  const results = await withTopology({}, async (t) => {
    stamp = await buildStamp(dir);
    // `date` needs `>>`: the program form only with the C stamp.
    const forms: Form[] = stamp.endsWith("/stamp") ? ["program", "redirect", "journaled"] : ["redirect"];
    const out: LatencyResult[] = [];
    for (const form of forms) {
      for (const daemon of DAEMONS) out.push(await measure(t, daemon, stamp, form, knocks, intervalMs));
    }
    for (const mode of FLOOR_MODES) {
      if (mode === "standby, program" && !forms.includes("program")) continue;
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
      floors.set(mode, f.stdout.trim().split("\n").map(Number).sort((a, b) => a - b));
    }
    return out;
  }).finally(() => Deno.remove(dir, { recursive: true }));
  say(`stamp: ${stamp.endsWith("/stamp") ? "a static C program appending CLOCK_REALTIME to a file" : stamp}`);
  say(`knock-to-command latency, ${knocks} knocks ${intervalMs} ms apart (ms)`);
  say("start_command         daemon      opened     p50     p90     p99     max");
  const row = (l: readonly number[]) =>
    [50, 90, 99, 100].map((p) => percentile(l, p).toFixed(2).padStart(7)).join(" ");
  for (const r of results) {
    const form = { program: "stamp FILE", redirect: "stamp >> FILE", journaled: "stamp FILE + stop" }[r.form];
    say(
      `${form.padEnd(21)} ${r.daemon.padEnd(10)} ${`${r.opened}/${r.sent}`.padStart(7)} ${row(r.latencies)}`,
    );
  }
  for (const [mode, floor] of floors) {
    say(
      `floor: Deno starting the stamp, ${mode.padEnd(18)} ${String(floor.length).padStart(4)} runs: ${
        row(floor)
      }`,
    );
  }
  for (const form of ["program", "redirect", "journaled"] as const) {
    const a = results.find((r) => r.form === form && r.daemon === "knockd");
    const b = results.find((r) => r.form === form && r.daemon === "knocktool");
    if (a === undefined || b === undefined) continue;
    say(
      `knocktool / knockd (${form}): p50 ${
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
