/**
 * Last knock -> element present in the kernel, for an nftables door (`Nft_Set`: knocktool adds the element
 * in-process through libnftables) against a door whose `start_command` is `nft add element ...` (the way
 * knockd and the command doors do it: a shell, then the `nft` program), in the same run. A script, not a
 * `deno bench` file; root only (two network namespaces joined by a veth pair, tools/netns/, deleted after):
 *
 *     sudo deno run -A bench/nft_latency.ts [--knocks 200] [--interval 300] [--rounds 4]
 *
 * The server namespace has one table with two sets (`flags timeout`); `knocktool serve` runs with one of two
 * configs, each a 3-port TCP SYN door on 7000, 8000, 9000:
 *
 * - `Nft_Set`: `Nft_Set = inet kt fast4`, `Nft_Timeout = 0.1`;
 * - `start_command`: `start_command = nft add element inet kt cmd4 { %IP% timeout 100ms }`.
 *
 * `--rounds` rounds alternate the two (a fresh daemon each time), `--knocks` knocks per door in all. The
 * client is bench/latency.ts's C client (gcc), else that script's `--client`: it knocks every `--interval`
 * ms and prints CLOCK_REALTIME read just before the `connect()` of each last knock. `nft monitor` in the
 * server namespace prints each element the kernel commits; this script reads CLOCK_REALTIME as each line
 * arrives (same machine, same clock). The element expires (100 ms) before the next knock, so every opening
 * commits a new `add element`; the first one after a send is that opening's. The monitor's own delay (netlink
 * to its line in this process) is in both numbers alike. The daemons do not log (no `-v`), as in production.
 * It reports; it does not assert.
 *
 * Measured on 2026-12-08 (2-core shared AMD EPYC VM under Firecracker, Linux 6.18, Deno 2.9.6, nftables and
 * libnftables 1.0.6, the C client), the default 200 knocks per door 300 ms apart in 4 alternating rounds,
 * with the machine otherwise idle:
 *
 *     door            opened       p50     p90     p99     max
 *     Nft_Set         200/200     1.69    2.22    3.96    4.49
 *     start_command   200/200    13.88   21.78   41.26   47.53
 *
 * The nftables door commits its element 8x sooner at p50 and 10x at p99: the opening is one netlink
 * transaction on the daemon's thread (200 add-delete-add batches through ffi/nftables.ts in a loop took
 * 0.13 ms each, measured once by hand in a namespace), where the command door waits for the standby shell, then starts `nft` (a process,
 * the library's load, a netlink dump of the ruleset to evaluate the command) before the same commit. Both
 * include the capture path (last knock to the daemon's hand-off: p50 about 0.5 ms, bench/latency.ts) and the
 * monitor's delay.
 *
 * @module
 */
import { CLIENT_C, clientCommand, compileC, percentile, sendTimes } from "./latency.ts";
import { KNOCKTOOL, poll, type Topology, whySkip, withTopology } from "../tools/netns/mod.ts";

/** The two doors. */
const DOORS = {
  nft: { label: "Nft_Set", set: "fast4" },
  command: { label: "start_command", set: "cmd4" },
} as const;
type DoorKind = keyof typeof DOORS;

const RULES = `
table inet kt {
  set fast4 { type ipv4_addr; flags timeout; }
  set cmd4 { type ipv4_addr; flags timeout; }
}
`;

function config(kind: DoorKind): string {
  const head = "[door]\n  sequence = 7000,8000,9000\n  seq_timeout = 5\n  tcpflags = syn\n";
  return kind === "nft"
    ? `${head}  Nft_Set = inet kt fast4\n  Nft_Timeout = 0.1\n`
    : `${head}  start_command = nft add element inet kt cmd4 { %IP% timeout 100ms }\n`;
}

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  const value = at === -1 ? NaN : Number(Deno.args[at + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function say(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
}

let clock:
  | Deno.DynamicLibrary<{ clock_gettime: { parameters: ["i32", "buffer"]; result: "i32" } }>
  | undefined;

/** CLOCK_REALTIME in ms, as the C client reads it. */
function realtimeMs(): number {
  clock ??= Deno.dlopen("libc.so.6", { clock_gettime: { parameters: ["i32", "buffer"], result: "i32" } });
  const ts = new BigInt64Array(2);
  clock.symbols.clock_gettime(0, ts);
  return Number(ts[0]!) * 1000 + Number(ts[1]!) / 1e6;
}

/** `nft monitor` in the server namespace: each `add element` line of a set with its arrival time. */
class Monitor {
  readonly adds: { set: string; atMs: number }[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;

  constructor(t: Topology) {
    this.#child = new Deno.Command("ip", {
      args: ["netns", "exec", t.server.name, "nft", "monitor"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#done = this.#read();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of this.#child.stdout) {
      const atMs = realtimeMs();
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^add element inet kt (\S+) /.exec(line);
        if (m !== null) this.adds.push({ set: m[1]!, atMs });
      }
    }
  }

  async close(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // gone
    }
    await this.#done;
    await this.#child.status;
  }
}

/** Each send's latency: the first add of `set` after it (and before the next send), in ms. */
function latencies(sends: readonly number[], adds: readonly { set: string; atMs: number }[], set: string) {
  const times = adds.filter((a) => a.set === set).map((a) => a.atMs).sort((a, b) => a - b);
  const out: number[] = [];
  sends.forEach((sent, i) => {
    const next = sends[i + 1] ?? Infinity;
    const at = times.find((t) => t >= sent && t < next);
    if (at !== undefined) out.push(at - sent);
  });
  return out;
}

async function round(
  t: Topology,
  monitor: Monitor,
  dir: string,
  kind: DoorKind,
  knocks: number,
  intervalMs: number,
  client: string | undefined,
): Promise<{ sent: number; values: number[] }> {
  const conf = `${dir}/${kind}.conf`;
  await Deno.writeTextFile(conf, config(kind));
  const daemon = t.server.spawn([
    ...KNOCKTOOL,
    "serve",
    "-c",
    conf,
    "-i",
    t.serverIf,
    "--state-dir",
    `${dir}/s`,
  ]);
  try {
    // Ready once a knock commits an element (the daemon may still be compiling or opening its capture).
    const { set } = DOORS[kind];
    const ready = await poll(
      async () => {
        const before = monitor.adds.length;
        await t.clients[0]!.ns.exec(clientCommand(t.serverV4, 1, 0, client), { timeoutMs: 20_000 });
        return await poll(
          () => Promise.resolve(monitor.adds.slice(before).some((a) => a.set === set)),
          1000,
          20,
        );
      },
      60_000,
      10,
    );
    if (!ready) throw new Error(`serve did not open the ${kind} door:\n${daemon.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const from = monitor.adds.length;
    const run = await t.clients[0]!.ns.exec(clientCommand(t.serverV4, knocks, intervalMs, client), {
      timeoutMs: knocks * intervalMs + 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sends = sendTimes(run.stdout).map((s) => s.real);
    return { sent: sends.length, values: latencies(sends, monitor.adds.slice(from), set) };
  } finally {
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  if ((await whySkip(["nft"], "nft_latency")) !== undefined) return;
  const knocks = flag("--knocks", 200);
  const intervalMs = Math.max(150, flag("--interval", 300));
  const rounds = Math.max(2, Math.round(flag("--rounds", 4)));
  const dir = await Deno.makeTempDir({ prefix: "kt-nft-latency-" });
  const results: Record<DoorKind, { sent: number; values: number[] }> = {
    nft: { sent: 0, values: [] },
    command: { sent: 0, values: [] },
  };
  let client: string | undefined;
  try {
    client = await compileC(dir, "kt-latency-client", CLIENT_C);
    await withTopology({}, async (t) => {
      await t.server.exec(["nft", "-f", "-"], { stdin: RULES });
      const monitor = new Monitor(t);
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const per = Math.ceil(knocks / (rounds / 2));
        for (let r = 0; r < rounds; r++) {
          const kind: DoorKind = r % 2 === 0 ? "nft" : "command";
          const got = await round(t, monitor, dir, kind, per, intervalMs, client);
          results[kind].sent += got.sent;
          results[kind].values.push(...got.values);
        }
      } finally {
        await monitor.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  say(`client: ${client === undefined ? "bench/latency.ts --client" : "a static C program"}`);
  say(`last knock -> element in the kernel (nft monitor), ${intervalMs} ms apart, ${rounds} rounds (ms)`);
  say("door            opened       p50     p90     p99     max");
  for (const kind of ["nft", "command"] as const) {
    const { sent, values } = results[kind];
    const sorted = [...values].sort((a, b) => a - b);
    const cells = [50, 90, 99, 100].map((p) => percentile(sorted, p).toFixed(2).padStart(7)).join(" ");
    say(`${DOORS[kind].label.padEnd(15)} ${`${values.length}/${sent}`.padStart(7)}  ${cells}`);
  }
}

if (import.meta.main) await main();
