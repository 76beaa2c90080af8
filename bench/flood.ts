/**
 * Spoofed-source flood against `knocktool serve` and Debian's `knockd` while a legitimate client knocks
 * (issue 4): a script, not a `deno bench` file. Root only (it creates two network namespaces joined by a
 * veth pair with tools/netns/ and deletes them afterwards; every flood is bounded by `timeout`):
 *
 *     sudo deno run -A bench/flood.ts [--rates 5000,30000,80000,max] [--seconds 10]
 *
 * For each rate, each daemon in turn (same config, same namespaces, same run) runs alone in the server
 * namespace with a 3-port TCP SYN door (7000, 8000, 9000, `seq_timeout = 5`) whose `start_command` is
 * `echo %IP% >> FILE`, without logging. For `--seconds` the client namespace sends at once:
 *
 * - the flood: SYNs to the first knock port, each from a new random source address. Paced rates come from
 *   this script's `--sender` mode (one raw socket, a 40-byte IPv4 SYN patched per packet, paced every
 *   millisecond on the elapsed time; hping3's `-i` sleeps about 150 µs longer than asked and tops out near
 *   18k packets/s paced, and several hping3 processes starve both daemons of CPU). `max` is
 *   `hping3 -q -n -S -p 7000 --rand-source --flood`, the highest rate this machine offers. Both are bounded
 *   by `timeout -s INT`. The achieved rate is measured on the receiving side from
 *   `/sys/class/net/<server if>/statistics/rx_packets`;
 * - the legitimate client: a 3-port knock every 500 ms from its own address (bench/latency.ts `--client`,
 *   `connect()` closed at once, as knock does).
 *
 * The server namespace drops TCP to the knock ports in a `raw` prerouting hook (capture sees the packets
 * first), so the kernel spends nothing on RSTs to spoofed addresses. Reported per daemon: legitimate knocks
 * that opened (lines of FILE with the client's address; any other address there would be a spoofed opening),
 * the daemon's CPU time from the flood's start to 1.5 s after its end (utime+stime from /proc/PID/stat;
 * "cpu %" is of one core over that time) and its peak resident memory
 * (VmHWM from /proc/PID/status). It reports; it does not assert.
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6, knockd 0.8, libpcap 1.10.3; the flood
 * sender, the client and the daemon share the two cores; after the capture-loop fix and 16 MiB ring):
 *
 *     target     daemon     achieved pps   opened   cpu s   cpu %   VmHWM MiB
 *     5000       knockd             5006    20/20    5.38     46%        11.3
 *     5000       knocktool          5005    20/20    2.42     21%       132.3
 *     30000      knockd            30005     5/20   10.38     89%        11.3
 *     30000      knocktool         30006    20/20    3.68     32%       193.6
 *     80000      knockd            79986     3/20   10.89     93%        11.1
 *     80000      knocktool         79994    20/20    5.65     49%       293.7
 *     max        knockd           143260     1/20   11.29     98%        11.1
 *     max        knocktool        120534    20/20    9.27     80%       303.6
 *
 * Every legitimate knock opened for knocktool at every rate (knockd: 19-20/20 at 5k, 3-5/20 at 30k, 1-3/20
 * above), at 0.35-0.82x knockd's CPU time. knocktool's memory is bounded by the attempt cap (100,000 by
 * default): a 30 s flood at 60k/s plateaus at about 340 MiB VmRSS (125 MiB at start; the live attempts are
 * about 36 MiB of heap, the rest is V8 garbage not yet collected); knockd stays near 11 MiB. Before the fix,
 * `captureLoop` drained with `pcap_dispatch(-1)`, which on the mmap ring returns only when no frame is
 * ready: the same loop, decoder and engine outside the daemon showed event-loop gaps of 0.7-3.2 s under a
 * flood (0.07-0.16 s with batches of 1024; the daemon itself still answered SIGTERM under a 60k/s or
 * `--flood` flood within about 100 ms before and after the fix), and a 4 MiB ring dropped 2.4% of the
 * frames at 60k/s and 6% at 100k/s (16 MiB: none at about 81k/s; a legit knock was lost at `max` in one of
 * two runs before). Another run of the same comparison (moved here from cli/serve/server.ts): 4 MiB dropped
 * 3.7k of 1M frames at about 100k/s, 16 MiB none at about 81k/s.
 *
 * 2026-11-26, with the wake socket (serve's main thread woken by a second packet socket with the capture's
 * filter instead of a pool thread's `poll`; bench/latency.ts, fourth pass), the same run for both:
 *
 *     5000       knockd             5006    20/20    5.13     44%        11.2
 *     5000       knocktool          5005    20/20    1.22     10%       120.8
 *     30000      knockd            29999     7/20   11.28     97%        12.9
 *     30000      knocktool         30003    20/20    2.59     22%       195.0
 *     80000      knockd            79984     2/20   11.49     98%        11.8
 *     80000      knocktool         79979    20/20    5.53     47%       303.2
 *     max        knockd           133667     1/20   11.38     99%        10.7
 *     max        knocktool        118740    20/20    9.57     83%       307.9
 *
 * Every legitimate knock still opens at every rate; knocktool's CPU time went down at the low rates (1.22
 * against 2.42 s at 5k/s, 2.59 against 3.68 at 30k/s: no pool-thread round trip per wake-up) and is the same
 * at the high ones, where the loop drains without waiting; memory unchanged.
 *
 * 2026-12-08, issue 19 (compact attempt table, default cap 1,000,000, decoder reuse; the machine shared with
 * other work, so `max` reached only 34-49k packets/s). Paired against aa17f8e (before the serve refactor),
 * `--rates 30000 --seconds 10`, alternated base / new, 4 pairs, live capture still through `pcap_dispatch`:
 *
 *     pair   knocktool cpu s (base / new)   VmHWM MiB (base / new)   opened (base / new)   knockd cpu s (base / new run)
 *     1      2.58 / 2.16                    194.6 / 147.0            20/20 / 20/20         5.03 / 3.87
 *     2      2.49 / 2.17                    194.0 / 146.5            20/20 / 20/20         3.61 / 6.87
 *     3      2.82 / 2.03                    195.3 / 148.4            20/20 / 20/20         7.52 / 7.62
 *     4      2.23 / 2.14                    196.1 / 148.7            20/20 / 20/20         5.56 / 4.43
 *
 * (mean 2.53 → 2.13 s, 0.84x; the 150,000 attempts a 10 s flood leaves in progress were evicted down to
 * 100,000 by the old cap and are all kept by the new one, in 47 MiB less.) Then every rate, with the live
 * capture loop on `pcap_next_ex` too:
 *
 *     target     daemon     achieved pps   opened   cpu s   cpu %   VmHWM MiB
 *     5000       knockd             5005    18/20    4.18     34%        10.4
 *     5000       knocktool          5006    20/20    1.53     12%       117.8
 *     30000      knockd            29782     2/20    2.58     20%         8.0
 *     30000      knocktool         29971    20/20    2.21     18%       144.7
 *     80000      knockd            78975     1/20    5.47     44%         9.6
 *     80000      knocktool         78659    20/20    3.79     31%       183.0
 *     max        knockd            33551     1/20    2.88     24%         9.0
 *     max        knocktool         48664    20/20    3.38     27%       176.5
 *
 * 20/20 at every rate; CPU 0.37 / 0.86 / 0.69 / 1.17 of knockd's: the goal of 0.5x is met only at 5k (knockd,
 * which opens 1-2 of 20 above it, used 2.6-7.6 s at 30k across the runs of this session, so the ratio swings
 * with it).
 *
 * @module
 */
import { type ExecResult, type Netns, type Topology, whySkip, withTopology } from "../tools/netns/mod.ts";
import { cpuSeconds, peakMiB, rxPackets } from "./_proc.ts";
import { parseIPv4 } from "../core/address.ts";
import { RawSocket, sockaddr } from "../ffi/socket.ts";
import {
  benchConfig,
  clientCommand,
  type Daemon,
  DAEMONS,
  readText,
  startDaemon,
  waitReady,
} from "./latency.ts";

function option(name: string): string | undefined {
  const at = Deno.args.indexOf(name);
  return at === -1 ? undefined : Deno.args[at + 1];
}

const SECONDS = Number(option("--seconds") ?? 10);
const RATES: (number | "max")[] = (option("--rates") ?? "5000,30000,80000,max").split(",").map((r) => {
  if (r === "max") return "max";
  const n = Number(r);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Bad rate "${r}"`);
  return n;
});
const KNOCK_INTERVAL_MS = 500;
const SCRIPT = new URL(import.meta.url).pathname;

// deno-lint-ignore no-console
const say = (text: string): void => console.log(text);

/** The flood of one rate: a paced sender (`rate` packets/s) or hping3's `--flood`. */
function flood(client: Netns, server: string, rate: number | "max", seconds: number): Promise<ExecResult> {
  const cmd = rate === "max"
    ? ["hping3", "-q", "-n", "-S", "-p", "7000", "--rand-source", "--flood", server]
    : [
      Deno.execPath(),
      "run",
      "-A",
      "--no-prompt",
      SCRIPT,
      "--sender",
      server,
      String(rate),
      String(seconds),
    ];
  return client.exec(["timeout", "-s", "INT", String(seconds + (rate === "max" ? 0 : 30)), ...cmd], {
    check: false,
    timeoutMs: seconds * 1000 + 45_000,
  });
}

/**
 * Sender mode: `rate` SYNs per second to port 7000 of `server` for `seconds`, each from a new random source
 * address (first octet 1-223, not 10 or 127) and source port, through one raw socket; paced every
 * millisecond on the elapsed time, so the average rate is exact and bursts are at most a few ms of packets.
 * The kernel fills the IPv4 checksum; the TCP checksum is left 0 (neither daemon checks it).
 */
async function senderMain(args: readonly string[]): Promise<void> {
  const [server, rateText, secondsText] = args;
  const rate = Number(rateText);
  const seconds = Number(secondsText);
  const socket = RawSocket.open(4);
  const address = sockaddr(parseIPv4(server ?? ""));
  const packet = new Uint8Array(40);
  packet.set([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 0, 0, 0, 0, ...parseIPv4(server ?? "")]);
  packet.set([0, 0, 0x1b, 0x58, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0], 20);
  let x = (Date.now() ^ 0x9e3779b9) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  let sent = 0;
  let errors = 0;
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) break;
    const due = Math.floor((elapsed / 1000) * rate);
    while (sent < due) {
      const r = next();
      let first = 1 + ((r >>> 24) % 223);
      if (first === 10 || first === 127) first++;
      packet[12] = first;
      packet[13] = (r >>> 16) & 0xff;
      packet[14] = (r >>> 8) & 0xff;
      packet[15] = r & 0xff;
      const s = next();
      packet[20] = 0x80 | ((s >>> 24) & 0x7f);
      packet[21] = (s >>> 16) & 0xff;
      packet[24] = (s >>> 8) & 0xff;
      packet[25] = s & 0xff;
      if (socket.trySend(packet, address) !== 0) errors++;
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  socket.close();
  await Deno.stdout.write(new TextEncoder().encode(`sent ${sent} errors ${errors}\n`));
}

interface Row {
  readonly rate: number | "max";
  readonly daemon: Daemon;
  readonly pps: number;
  /** Seconds over which `cpu` was measured (the flood, the client's start-up and 1.5 s of draining). */
  readonly wall: number;
  readonly knocks: number;
  readonly opened: number;
  readonly spoofedOpenings: number;
  readonly cpu: number;
  readonly peakMiB: number;
}

async function runOne(
  t: Topology,
  client: Netns,
  rate: number | "max",
  daemon: Daemon,
): Promise<Row> {
  const dir = await Deno.makeTempDir({ prefix: "kt-flood-" });
  try {
    const output = `${dir}/opened`;
    const config = `${dir}/knockd.conf`;
    await Deno.writeTextFile(config, benchConfig(`echo %IP% >> ${output}`));
    await using server = startDaemon(t, daemon, config, dir);
    if (!(await waitReady(client, t.serverV4, output, server))) {
      throw new Error(`${daemon} did not run its start command\n${server.output()}`);
    }
    const pid = server.pid;
    const cpu0 = await cpuSeconds(pid);
    const rx0 = await rxPackets(t);
    const started = performance.now();
    const [sender, legit] = await Promise.all([
      flood(client, t.serverV4, rate, SECONDS),
      client.exec(
        clientCommand(t.serverV4, Math.floor((SECONDS * 1000) / KNOCK_INTERVAL_MS), KNOCK_INTERVAL_MS),
        {
          timeoutMs: SECONDS * 1000 + 30_000,
        },
      ),
    ]);
    if (sender.code !== 0 && sender.code !== 124 && sender.code !== 130) {
      throw new Error(`Flood failed (${sender.code}): ${sender.stderr}`);
    }
    const rx = (await rxPackets(t)) - rx0;
    // Let the daemon drain its buffer and the last commands finish.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cpu = (await cpuSeconds(pid)) - cpu0;
    const wall = (performance.now() - started) / 1000;
    const peak = await peakMiB(pid);
    if (server.status !== undefined) throw new Error(`${daemon} exited during the flood\n${server.output()}`);
    const lines = (await readText(output)).split("\n").filter((l) => l !== "");
    const me = t.clients[0]!.v4;
    const knocks = legit.stdout.split("\n").filter((l) => l.startsWith("sent ")).length;
    return {
      rate,
      daemon,
      pps: rx / SECONDS,
      wall,
      knocks,
      opened: lines.filter((l) => l.trim() === me).length,
      spoofedOpenings: lines.filter((l) => l.trim() !== me).length,
      cpu,
      peakMiB: peak,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (Deno.args[0] === "--sender") {
  await senderMain(Deno.args.slice(1));
} else if ((await whySkip(["knockd", "hping3", "nft"], "flood")) === undefined) {
  const rows = await withTopology({}, async (t) => {
    await t.server.exec(["nft", "-f", "-"], {
      stdin:
        "table inet bench {\n  chain pre {\n    type filter hook prerouting priority -300; policy accept;\n" +
        "    tcp dport { 7000, 8000, 9000 } drop\n  }\n}\n",
    });
    const client = t.clients[0]!.ns;
    const out: Row[] = [];
    for (const rate of RATES) {
      for (const daemon of DAEMONS) {
        const row = await runOne(t, client, rate, daemon);
        out.push(row);
        say(
          `${String(rate).padStart(6)} ${daemon.padEnd(9)} ${
            Math.round(row.pps)
          } pps: opened ${row.opened}/${row.knocks}` +
            `, spoofed openings ${row.spoofedOpenings}, cpu ${row.cpu.toFixed(2)} s, VmHWM ${
              row.peakMiB.toFixed(1)
            } MiB`,
        );
      }
    }
    return out;
  });
  say("");
  say(
    `flood: spoofed SYNs to the first knock port for ${SECONDS} s, legit 3-port knock every ${KNOCK_INTERVAL_MS} ms`,
  );
  say("target     daemon     achieved pps   opened   cpu s   cpu %   VmHWM MiB");
  for (const r of rows) {
    say(
      `${String(r.rate).padEnd(10)} ${r.daemon.padEnd(10)} ${Math.round(r.pps).toString().padStart(12)} ${
        `${r.opened}/${r.knocks}`.padStart(8)
      } ${r.cpu.toFixed(2).padStart(7)} ${(100 * r.cpu / r.wall).toFixed(0).padStart(6)}% ${
        r.peakMiB.toFixed(1).padStart(11)
      }`,
    );
  }
  say("");
  say("knocktool / knockd      opened share   cpu     VmHWM");
  for (const rate of RATES) {
    const a = rows.find((r) => r.rate === rate && r.daemon === "knockd");
    const b = rows.find((r) => r.rate === rate && r.daemon === "knocktool");
    if (a === undefined || b === undefined) continue;
    const share = (r: Row): number => r.opened / Math.max(1, r.knocks);
    say(
      `${String(rate).padEnd(22)} ${
        (share(a) === 0 ? "inf" : (share(b) / share(a)).toFixed(2)).padStart(12)
      } ${(b.cpu / Math.max(0.01, a.cpu)).toFixed(2).padStart(7)} ${
        (b.peakMiB / a.peakMiB).toFixed(2).padStart(9)
      }`,
    );
  }
}
