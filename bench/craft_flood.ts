/**
 * Flood benchmark: `knocktool craft --count N` against `hping3 --flood` on the same veth pair, same run.
 *
 *     sudo deno run -A bench/craft_flood.ts [--count 1000000] [--seconds 2] [--runs 3]
 *
 * (a script, not a `deno bench` file; root only: it creates two network namespaces joined by a veth pair
 * with tools/netns/ and deletes them afterwards). Both senders send 40-byte FIN+PSH+URG packets to
 * port 7000 from the client namespace; the server namespace drops them in a `raw` prerouting hook so it
 * does not burn CPU on RSTs. Packets are counted on the RECEIVING side with
 * `/sys/class/net/<server veth>/statistics/rx_packets` (the `ip -s link` counters) before and after each run.
 *
 * - hping3: `timeout -s INT S hping3 --flood -q -n -F -U -P -s 40100 -k -p 7000 <server>` (hping3 ignores
 *   `-c` with `--flood`, so the run is bounded by `timeout`); rate = received / S.
 * - craft, fixed source port (like hping3 `-k`): `knocktool craft --count N --flags fin,psh,urg --sport 40100`;
 *   craft: random source port per packet (the default; patched in place with incremental checksums).
 *   Rate = received / the send-loop time craft reports (`sent N of N packets in T s`), so Deno's start-up
 *   is not counted; the whole-process rate is printed too.
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6, hping3 3.a2.ds2-10; the numbers the README's
 * performance table carried until they moved here), medians of 3 runs: craft ≈ 145k packets/s, hping3
 * `--flood` ≈ 92k packets/s, craft / hping3 1.57.
 *
 * Measured again on 2026-12-08 (issue 19, same VM shared with three other jobs), `--runs 3`, twice:
 *
 * ```
 * load average 3-4: hping3 118,879 pps; craft fixed sport 152,416 pps (1.28); craft random sport 209,600 (1.76)
 * load average 5-6: hping3  68,357 pps; craft fixed sport  82,871 pps (1.21); craft random sport  75,763 (1.11)
 * ```
 *
 * Both above hping3 in the same run, so no batching (`sendmmsg`) was added: a profile of `craft --count
 * 200000` to 127.0.0.1 puts 73 % of the time in the `sendto` call itself (the kernel's work per packet),
 * 4 % in patching the source port and checksum, the rest in the loop and start-up.
 *
 * Prints one line per run and the median rates with the ratio craft / hping3.
 */
import { KNOCKTOOL, type Netns, type Topology, whySkip, withTopology } from "../tools/netns/mod.ts";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  const value = at === -1 ? fallback : Number(Deno.args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const COUNT = flag("--count", 1_000_000);
const SECONDS = flag("--seconds", 2);
const RUNS = flag("--runs", 3);

async function rx(t: Topology): Promise<number> {
  const r = await t.server.exec(["cat", `/sys/class/net/${t.serverIf}/statistics/rx_packets`]);
  return Number(r.stdout.trim());
}

interface Sample {
  readonly packets: number;
  readonly seconds: number;
  readonly processSeconds: number;
}

async function measure(
  t: Topology,
  ns: Netns,
  cmd: string[],
  loopSeconds?: (stderr: string) => number,
): Promise<Sample> {
  const before = await rx(t);
  const start = performance.now();
  const r = await ns.exec(cmd, { check: false, timeoutMs: 600_000 });
  const processSeconds = (performance.now() - start) / 1000;
  // Let the receive side drain before reading its counter.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const packets = (await rx(t)) - before;
  if (r.code !== 0 && r.code !== 124 && !(cmd[0] === "timeout" && r.code === 130)) {
    // hping3 stopped by SIGINT through `timeout` exits 0 or 130 depending on version; anything else is a failure.
    throw new Error(`${cmd.join(" ")} failed (${r.code}): ${r.stderr}`);
  }
  const seconds = loopSeconds ? loopSeconds(r.stderr) : processSeconds;
  return { packets, seconds, processSeconds };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function craftLoopSeconds(stderr: string): number {
  const m = /sent \d+ of \d+ packets in ([0-9.]+) s/.exec(stderr);
  if (!m) throw new Error(`craft printed no statistics: ${stderr}`);
  return Number(m[1]);
}

const skip = await whySkip(["hping3", "nft"], "craft_flood");
if (skip !== undefined) Deno.exit(0);

await withTopology({}, async (t) => {
  await t.server.exec(["nft", "-f", "-"], {
    stdin:
      "table inet bench {\n  chain pre {\n    type filter hook prerouting priority -300; policy accept;\n    tcp dport 7000 drop\n  }\n}\n",
  });
  const client = t.clients[0]!.ns;
  const hping = [
    "timeout",
    "-s",
    "INT",
    String(SECONDS),
    "hping3",
    "--flood",
    "-q",
    "-n",
    "-F",
    "-U",
    "-P",
    "-s",
    "40100",
    "-k",
    "-p",
    "7000",
    t.serverV4,
  ];
  const craftFixed = [
    ...KNOCKTOOL,
    "craft",
    "--dst",
    t.serverV4,
    "--dport",
    "7000",
    "--flags",
    "fin,psh,urg",
    "--sport",
    "40100",
    "--count",
    String(COUNT),
  ];
  const craftRandom = [
    ...KNOCKTOOL,
    "craft",
    "--dst",
    t.serverV4,
    "--dport",
    "7000",
    "--flags",
    "fin,psh,urg",
    "--count",
    String(COUNT),
  ];
  // Warm-up: ARP resolution and Deno's module cache.
  await client.exec([...KNOCKTOOL, "craft", "--dst", t.serverV4, "--dport", "7000", "--count", "10"]);

  const rates: Record<string, number[]> = {
    hping3: [],
    "craft (fixed sport)": [],
    "craft (random sport)": [],
  };
  for (let run = 1; run <= RUNS; run++) {
    const h = await measure(t, client, hping);
    const hp = h.packets / SECONDS;
    rates.hping3!.push(hp);
    const f = await measure(t, client, craftFixed, craftLoopSeconds);
    rates["craft (fixed sport)"]!.push(f.packets / f.seconds);
    const r = await measure(t, client, craftRandom, craftLoopSeconds);
    rates["craft (random sport)"]!.push(r.packets / r.seconds);
    // deno-lint-ignore no-console
    console.log(
      `run ${run}: hping3 ${h.packets} pkts / ${SECONDS} s = ${Math.round(hp)} pps; ` +
        `craft fixed ${f.packets} pkts / ${f.seconds.toFixed(3)} s = ${
          Math.round(f.packets / f.seconds)
        } pps ` +
        `(whole process ${Math.round(f.packets / f.processSeconds)} pps); ` +
        `craft random ${r.packets} pkts / ${r.seconds.toFixed(3)} s = ${
          Math.round(r.packets / r.seconds)
        } pps`,
    );
  }
  const base = median(rates.hping3!);
  for (const [name, values] of Object.entries(rates)) {
    const m = median(values);
    // deno-lint-ignore no-console
    console.log(
      `${name.padEnd(22)} median ${Math.round(m).toString().padStart(9)} pps   ratio to hping3 ${
        (m / base).toFixed(2)
      }`,
    );
  }
});
