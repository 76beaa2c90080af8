/**
 * knocktool's SPA door (docs/spa.md) under load, side by side with Debian's `fwknopd` 2.6.10 (issue 14): a
 * script, not a `deno bench` file.
 *
 *     deno run -A bench/spa.ts [--verify-only] [--seconds 14] [--modes junk,insider] [--rates 10000,30000,max]
 *     deno run -A bench/spa.ts --read [N]
 *
 * Part 1, verification rate (no root): `SpaDoor.datagram`, the whole per-datagram path of `serve` after the
 * capture, in-process, for: valid datagrams (distinct, each opens: decrypt, verify, replay state updated and
 * serialized for the state file); junk (305 random bytes with version 1: refused by mac1); datagrams of
 * another length (ignored at the length check); insider bogus (valid mac1, signed by a key that is not the
 * named user's: X25519, decryption and Ed25519 verification, then refused), without a budget and with the
 * default budget of 1000/s.
 *
 * Part 3 (`--read [N]`, no root): the whole daemon, `knocktool serve --read` of N junk datagrams and of N of
 * another length to an SPA door (capture, decoder, datagram doors, door, reject report), CPU time.
 *
 * Part 2, floods (root: three network namespaces on a bridge, deleted afterwards; every flood bounded by
 * `timeout`): for each mode, each daemon in turn in the server namespace, while one client namespace floods
 * udp/62201 (this script's `--sender` mode: one UDP socket, `sendto` in a loop, paced every millisecond
 * on the elapsed time, or `max`: no pacing, the highest rate this machine offers a single sender) and another client sends one
 * legitimate knock every 500 ms, 20 in all. Modes: `junk` (random 305-byte datagrams with version 1, 256
 * of them cycled: what an attacker without the enrolment bundle can send), `insider` (256 well-formed
 * datagrams with a valid mac1, sealed to the server but signed by a key that is not the named user's: what
 * an enrolled attacker can send; each costs the public-key step until the budget is spent), `replay` (one
 * valid datagram of the legitimate user, captured and sent again and again: refused by its ephemeral key). The daemons:
 * `knocktool serve` with an SPA door (`start_command = echo %IP% >> FILE`), and `fwknopd -f -i` with a
 * `SOURCE ANY` stanza whose CMD_CYCLE_OPEN runs a script that appends `$SRC` to a file, its legitimate client the real
 * `fwknop` (`-a` its own address); fwknopd gets the junk flood only (it has no insider mode: any packet
 * that authenticates is an authorized one). The server drops udp/62201 in its input hook (capture sees it
 * first; a prerouting drop would act before the bridge hands the frame to the capture when br_netfilter
 * is loaded). Reported: legitimate knocks that opened, achieved flood rate (rx_packets of the server's
 * interface), the daemon's CPU time over the flood plus 1.5 s (utime+stime; "cpu %" of one core), peak RSS
 * (VmHWM). It reports; it does not assert.
 *
 * Measured on 2026-12-08 (2-core shared AMD EPYC VM, Deno 2.9.6, fwknopd 2.6.10, libpcap 1.10.3; four
 * helpers shared the machine, so absolute numbers are noisy):
 *
 *     part 1: SpaDoor.datagram in-process (two runs)
 *     case                                   datagrams/s
 *     valid (opens; state serialized)         1288 / 1709
 *     junk, 305 bytes (bad mac1)             32429 / 52635
 *     another length (ignored)             7463689 / 7138690
 *     insider bogus, no budget                2619 / 4295
 *     insider bogus, budget 1000/s            7646 / 11527   (1000 bad-signature, the rest budget)
 *
 *     part 2, 14 s floods, 20 legitimate knocks (run at 02:43, load average about 5)
 *     target   mode      daemon      achieved pps   opened   cpu s   cpu %   VmHWM MiB
 *     10000    junk      knocktool          10001    20/20    3.78     24%       125.7
 *     10000    junk      fwknopd             9998     3/20    0.02      0%         5.5
 *     10000    insider   knocktool           9999    18/20    6.03     38%       141.7
 *     30000    junk      knocktool          30000    19/20    6.06     37%       123.3
 *     30000    junk      fwknopd            29997     0/20    0.01      0%         5.4
 *     30000    insider   knocktool          29866     9/20    4.30     27%       136.8
 *     max      junk      knocktool          39974    16/20    4.59     28%       126.3
 *     max      junk      fwknopd            65282     1/20    0.01      0%         5.5
 *     max      insider   knocktool          63544     8/20    5.15     32%       148.5
 *
 *     the same at 02:55 (load average about 6; no drops in the kernel's input backlog in either run)
 *     10000    junk      knocktool           9690    20/20    3.00     17%       122.5
 *     10000    junk      fwknopd            10001     2/20    0.02      0%         5.4
 *     10000    insider   knocktool           9995    11/20    3.57     21%       147.1
 *     30000    junk      knocktool          25712    13/20    2.63     15%       120.8
 *     30000    junk      fwknopd            29996     1/20    0.02      0%         5.4
 *     30000    insider   knocktool          28847     5/20    3.35     19%       144.7
 *     max      junk      knocktool          50232    12/20    5.79     36%       124.5
 *     max      junk      fwknopd            97519     0/20    0.02      0%         5.5
 *     max      insider   knocktool          40486    12/20    5.57     35%       147.8
 *
 *     replay mode, 03:12 (load average about 5)
 *     10000    replay    knocktool          10001    20/20    3.54     22%       125.5
 *     max      replay    knocktool         109643    15/20    9.66     61%       128.8
 *
 * 2026-12-08 04:05-04:11, after the junk path's fixes (mac1's keyed BLAKE2s state prepared once per door with
 * the key block and the version byte absorbed, copied into one reused instance: 5 compressions a datagram
 * instead of 6 and no hash set-up; a refusal's log line built only when it is logged; reject-report keys made
 * once), load average 0.4 to 1 (the machine nearly idle, so the sender reached 128k-167k pkt/s):
 *
 *     part 1: SpaDoor.datagram in-process    before (same run, 405911c)   after
 *     valid (opens; state serialized)         2541                        2658
 *     junk, 305 bytes (bad mac1)             79326                      131499 / 131000 (two runs)
 *     another length (ignored)            19443148                    27508856
 *     insider bogus, no budget                7631                        7883
 *     insider bogus, budget 1000/s           18615                       20979
 *
 *     part 3 (--read 200000): serve --read, CPU best of 3, start-up (300 ms) subtracted
 *     case                                   before      after
 *     junk, 305 bytes (bad mac1)              64309     103093 datagrams/s
 *     another length (ignored)              1111111    1000000 datagrams/s (the capture and decoder's floor)
 *
 *     part 2, 14 s floods, 20 legitimate knocks (two runs at max)
 *     target   mode      daemon      achieved pps   opened   cpu s   cpu %   VmHWM MiB
 *     30000    junk      knocktool          29998    20/20    5.09     32%       125.4
 *     30000    junk      fwknopd            30000     2/20    0.02      0%         5.4
 *     30000    replay    knocktool          30000    20/20    5.18     33%       125.1
 *     100000   junk      knocktool          99991    20/20   13.21     84%       124.7
 *     100000   junk      fwknopd            99958     0/20    0.02      0%         5.4
 *     100000   replay    knocktool          99719    17/20    9.76     62%       124.7
 *     max      junk      knocktool         138773     8/20   12.30     78%       123.6
 *     max      junk      fwknopd           146324     0/20    0.01      0%         5.4
 *     max      replay    knocktool         130763    15/20   12.17     77%       130.1
 *     max      junk      knocktool         127800    11/20   10.97     70%       125.0
 *     max      junk      fwknopd           191471     1/20    0.01      0%         5.5
 *     max      replay    knocktool         166877    11/20   13.74     87%       128.8
 *
 * Where the junk's time goes now (`deno run --cpu-prof`, the door alone): @noble/hashes' BLAKE2s compression
 * (`_compress`, `G1s`, `G2s`) 78%, GC 7%, timingSafeEqual 4%. That is the floor with this library: V8 does not
 * inline G1s/G2s into `_compress` within its default inlining budget; with
 * `--v8-flags=--max-inlined-bytecode-size-cumulative=5000` the same door refuses 233k-242k junk/s (not set
 * by knocktool: it is an engine-wide setting). The 200k/s target is not met with the default flags.
 *
 * Before these fixes (and under load average 5), the requirement "20/20 at the highest rate" was met at 10k
 * datagrams/s of junk only; after them (load average about 1, so not the same conditions) 20/20 at 100k
 * and 8-11/20 at the single sender's maximum of 128k-139k. Beyond what it can take, the daemon loses
 * datagrams in its capture ring (serve logs "capture buffer full"; `-B 262144` did not help: 14/20 at the maximum). fwknopd loses more at every rate
 * (it sleeps 100 ms between capture reads by default). docs/performance.md, "SPA".
 *
 * @module
 */
import { parseIPv4 } from "../core/address.ts";
import { buildPacket, createRng, encodePcapHeader, encodePcapRecord } from "../core/packet/mod.ts";
import { parseConfig } from "../core/config/parse.ts";
import { KNOCKTOOL_EXTENSIONS } from "../core/config/extensions.ts";
import {
  formatServerKey,
  publicKeyObject,
  publicKeyOf,
  ReplayState,
  sealSpa,
  serverKeys,
  SpaDoor,
  toBase64Url,
} from "../core/spa/mod.ts";
import { sockaddr, Socket } from "../ffi/socket.ts";
import {
  type ExecResult,
  KNOCKTOOL,
  poll,
  type Spawned,
  type Topology,
  whySkip,
  withTopology,
} from "../tools/netns/mod.ts";
import { cpuSeconds, peakMiB, rxPackets } from "./_proc.ts";

function option(name: string): string | undefined {
  const at = Deno.args.indexOf(name);
  return at === -1 ? undefined : Deno.args[at + 1];
}

const SECONDS = Number(option("--seconds") ?? 14);
type Mode = "junk" | "insider" | "replay";
const MODES = (option("--modes") ?? "junk,insider,replay").split(",") as Mode[];
const RATES: (number | "max")[] = (option("--rates") ?? "10000,30000,max").split(",").map((r) =>
  r === "max" ? "max" : Number(r)
);
const SCRIPT = new URL(import.meta.url).pathname;
/** `--serve-args "..."`: more arguments for `knocktool serve` (e.g. `-B 131072`), split on spaces. */
const SERVE_ARGS = (option("--serve-args") ?? "").split(" ").filter((a) => a !== "");
const SPA_PORT = 62201;
const KNOCKS = 20;
const INTERVAL_MS = 500;

// deno-lint-ignore no-console
const say = (text: string): void => console.log(text);
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/** Fixed keys for one run (written to files for the daemons and clients). */
function makeKeys() {
  return { server: random(32), mac1: random(32), alice: random(32), mallory: random(32) };
}
type Keys = ReturnType<typeof makeKeys>;

function seal(keys: Keys, signer: Uint8Array, timestampMs: number): Uint8Array {
  return sealSpa({
    serverPublic: publicKeyOf("x25519", keys.server),
    mac1: keys.mac1,
    userPrivate: signer,
    ephemeralPrivate: random(32),
    request: {
      user: "alice",
      timestampMs,
      nonce: random(16),
      address: { kind: "source" },
      door: "spa",
      durationS: 0,
    },
  });
}

function junk(): Uint8Array {
  const d = random(305);
  d[0] = 1;
  return d;
}

function door(keys: Keys, budget: number): SpaDoor {
  return new SpaDoor({
    door: parseConfig("[spa]\nSPA_Port = 62201\nstart_command = echo %IP%\ncmd_timeout = 30\n", {
      extensions: KNOCKTOOL_EXTENSIONS,
    }).config.doors[0]!,
    ports: [SPA_PORT],
    keys: serverKeys(keys.server, keys.mac1),
    users: new Map([["alice", publicKeyObject("ed25519", publicKeyOf("ed25519", keys.alice))]]),
    windowMs: 3_600_000,
    budget,
    replay: new ReplayState(0),
    statePath: "/dev/null",
  });
}

/** Datagrams per second through `door.datagram`, and how many ended in each verdict. */
function rate(d: SpaDoor, datagrams: readonly Uint8Array[], now: (i: number) => number) {
  const counts = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < datagrams.length; i++) {
    const v = d.datagram({
      family: 4,
      src: "192.0.2.1",
      dst: "192.0.2.2",
      sport: 1,
      dport: SPA_PORT,
      payload: datagrams[i]!,
      timeMs: now(i),
    }, now(i));
    const k = v.kind === "reject" ? v.reason : v.kind;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const s = (performance.now() - start) / 1000;
  return { perSecond: datagrams.length / s, counts: [...counts].map(([k, n]) => `${k} ${n}`).join(", ") };
}

function verifyRates(): void {
  const keys = makeKeys();
  const t0 = 1_760_000_000_000;
  const valid = Array.from({ length: 3000 }, (_, i) => seal(keys, keys.alice, t0 + i));
  const insider = Array.from({ length: 3000 }, (_, i) => seal(keys, keys.mallory, t0 + i));
  const junks = Array.from({ length: 200_000 }, junk);
  const short = Array.from({ length: 200_000 }, () => random(64));
  const rows: [string, ReturnType<typeof rate>][] = [
    ["valid (opens; state serialized)", rate(door(keys, 1e6), valid, (i) => t0 + i)],
    ["junk, 305 bytes (bad mac1)", rate(door(keys, 1e6), junks, () => t0)],
    ["another length (ignored)", rate(door(keys, 1e6), short, () => t0)],
    ["insider bogus, no budget", rate(door(keys, 1e6), insider, (i) => t0 + i)],
    ["insider bogus, budget 1000/s", rate(door(keys, 1000), insider, () => t0)],
  ];
  say("part 1: SpaDoor.datagram in-process");
  say("case                                   datagrams/s   verdicts");
  for (const [name, r] of rows) {
    say(`${name.padEnd(38)} ${Math.round(r.perSecond).toString().padStart(11)}   ${r.counts}`);
  }
}

/**
 * `--sender HOST SECONDS HEXFILE RATE`: sends the datagrams of HEXFILE (one a line) in a loop, RATE a second
 * (paced on the elapsed time every millisecond), or as fast as it can (`max`).
 */
async function senderMain(args: readonly string[]): Promise<void> {
  const [host, secondsText, file, rateText] = args;
  const paced = rateText !== "max";
  const perSecond = Number(rateText);
  const datagrams = (await Deno.readTextFile(file!)).trim().split("\n").map(unhex);
  const socket = Socket.open(4, "datagram");
  const to = sockaddr(parseIPv4(host!), SPA_PORT);
  const start = performance.now();
  const deadline = start + Number(secondsText) * 1000;
  let sent = 0;
  let errors = 0;
  for (let now = start; now < deadline; now = performance.now()) {
    const due = paced ? Math.floor(((now - start) / 1000) * perSecond) : sent + 256;
    while (sent < due) {
      try {
        socket.sendTo(datagrams[sent % datagrams.length]!, to);
      } catch {
        errors++;
      }
      sent++;
    }
    if (paced) await new Promise((r) => setTimeout(r, 1));
  }
  socket.close();
  await Deno.stdout.write(new TextEncoder().encode(`sent ${sent} errors ${errors}\n`));
}

/** `--client HOST KEYFILE`: 20 legitimate SPA datagrams, 500 ms apart. */
async function clientMain(args: readonly string[]): Promise<void> {
  const [host, file] = args;
  const keys: Keys = JSON.parse(
    await Deno.readTextFile(file!),
    (_, v) => typeof v === "string" ? unhex(v) : v,
  );
  const socket = Socket.open(4, "datagram");
  const to = sockaddr(parseIPv4(host!), SPA_PORT);
  for (let i = 0; i < KNOCKS; i++) {
    socket.sendTo(seal(keys, keys.alice, Date.now()), to);
    await Deno.stdout.write(new TextEncoder().encode(`sent ${i + 1}\n`));
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  socket.close();
}

/** Packets the kernel dropped because a CPU's input backlog was full (/proc/net/softnet_stat, column 2). */
async function backlogDrops(): Promise<number> {
  const text = await Deno.readTextFile("/proc/net/softnet_stat");
  return text.trim().split("\n").reduce((sum, line) => sum + parseInt(line.split(" ")[1] ?? "0", 16), 0);
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

type Daemon = "knocktool" | "fwknopd";

interface Row {
  readonly mode: string;
  readonly rate: number | "max";
  readonly daemon: Daemon;
  readonly pps: number;
  readonly opened: number;
  /** Packets dropped by the kernel before any capture (full input backlog), during the run. */
  readonly drops: number;
  readonly cpu: number;
  readonly wall: number;
  readonly peakMiB: number;
}

async function startKnocktool(t: Topology, dir: string, keys: Keys, output: string): Promise<Spawned> {
  await Deno.writeTextFile(
    `${dir}/server.key`,
    formatServerKey({ privateKey: keys.server, mac1: keys.mac1 }),
  );
  await Deno.chmod(`${dir}/server.key`, 0o600);
  await Deno.writeTextFile(`${dir}/users`, `alice ${toBase64Url(publicKeyOf("ed25519", keys.alice))}\n`);
  await Deno.writeTextFile(
    `${dir}/knockd.conf`,
    `[spa]\n  SPA_Port = ${SPA_PORT}\n  SPA_Server_Key = ${dir}/server.key\n  SPA_Users = ${dir}/users\n` +
      `  SPA_State = ${dir}/state.json\n  start_command = echo %IP% >> ${output}\n  cmd_timeout = 30\n`,
  );
  const [deno, run, ...rest] = KNOCKTOOL;
  const daemon = t.server.spawn([
    deno!,
    run!,
    ...rest,
    "serve",
    "-i",
    t.serverIf,
    "-c",
    `${dir}/knockd.conf`,
    "--state-dir",
    dir,
    "-v",
    ...SERVE_ARGS,
  ]);
  await daemon.waitForLine(/^starting up, listening on /, 30_000);
  return daemon;
}

async function startFwknopd(t: Topology, dir: string, fw: { key: string; hmac: string }, output: string) {
  await Deno.writeTextFile(
    `${dir}/fwknopd.conf`,
    `PCAP_INTF ${t.serverIf}\nENABLE_PCAP_PROMISC N\nPCAP_FILTER udp port ${SPA_PORT}\nFWKNOP_RUN_DIR ${dir}\n`,
  );
  await Deno.writeTextFile(
    `${dir}/access.conf`,
    `SOURCE ANY\nKEY_BASE64 ${fw.key}\nHMAC_KEY_BASE64 ${fw.hmac}\nOPEN_PORTS tcp/22\n` +
      `CMD_CYCLE_OPEN ${dir}/open.sh $SRC\nCMD_CYCLE_CLOSE NONE\nCMD_CYCLE_TIMER 1\n`,
  );
  // fwknopd runs the command without a shell: a script appends the address.
  await Deno.writeTextFile(`${dir}/open.sh`, `#!/bin/sh\necho "$1" >> ${output}\n`);
  await Deno.chmod(`${dir}/open.sh`, 0o755);
  for (const f of ["fwknopd.conf", "access.conf"]) await Deno.chmod(`${dir}/${f}`, 0o600);
  const daemon = t.server.spawn([
    "fwknopd",
    "-f",
    "-c",
    `${dir}/fwknopd.conf`,
    "-a",
    `${dir}/access.conf`,
    "-i",
    t.serverIf,
    "-d",
    `${dir}/digest.cache`,
    "-p",
    `${dir}/fwknopd.pid`,
  ]);
  if (
    !(await poll(() => Promise.resolve(daemon.output().includes("Starting fwknopd main event loop")), 20_000))
  ) {
    throw new Error(`fwknopd did not start\n${daemon.output()}`);
  }
  return daemon;
}

function fwknopClient(host: string, me: string, fw: { key: string; hmac: string }): string[] {
  const one =
    `fwknop -A tcp/22 -a ${me} -D ${host} --use-hmac --key-base64-rijndael ${fw.key} --key-base64-hmac ${fw.hmac}`;
  return [
    "sh",
    "-c",
    `for i in $(seq ${KNOCKS}); do ${one}; echo sent $i; sleep ${INTERVAL_MS / 1000}; done`,
  ];
}

async function runOne(
  t: Topology,
  mode: Mode,
  rate: number | "max",
  daemon: Daemon,
  fw: { key: string; hmac: string },
) {
  const dir = await Deno.makeTempDir({ prefix: "kt-bench-spa-" });
  try {
    const keys = makeKeys();
    const output = `${dir}/opened`;
    const flooder = t.clients[0]!;
    const legit = t.clients[1]!;
    const floodFile = `${dir}/flood.hex`;
    const t0 = Date.now();
    const captured = seal(keys, keys.alice, t0);
    const flood = Array.from(
      { length: 256 },
      (_, i) => mode === "junk" ? junk() : mode === "replay" ? captured : seal(keys, keys.mallory, t0 + i),
    );
    await Deno.writeTextFile(floodFile, flood.map(hex).join("\n") + "\n");
    const keyFile = `${dir}/keys.json`;
    await Deno.writeTextFile(keyFile, JSON.stringify(keys, (_, v) => v instanceof Uint8Array ? hex(v) : v));
    await using server = daemon === "knocktool"
      ? await startKnocktool(t, dir, keys, output)
      : await startFwknopd(t, dir, fw, output);
    const pid = server.pid;
    const cpu0 = await cpuSeconds(pid);
    const rx0 = await rxPackets(t);
    const drops0 = await backlogDrops();
    const started = performance.now();
    const floodCmd = [
      ...KNOCKTOOL.slice(0, 4),
      SCRIPT,
      "--sender",
      t.serverV4,
      String(SECONDS),
      floodFile,
      String(rate),
    ];
    const legitCmd = daemon === "knocktool"
      ? [...KNOCKTOOL.slice(0, 4), SCRIPT, "--client", t.serverV4, keyFile]
      : fwknopClient(t.serverV4, legit.v4, fw);
    const [sent, knocks]: [ExecResult, ExecResult] = await Promise.all([
      flooder.ns.exec(["timeout", "-s", "INT", String(SECONDS + 30), ...floodCmd], {
        check: false,
        timeoutMs: SECONDS * 1000 + 45_000,
      }),
      (async () => {
        await new Promise((r) => setTimeout(r, 500));
        return await legit.ns.exec(legitCmd, { timeoutMs: SECONDS * 1000 + 45_000 });
      })(),
    ]);
    const rx = (await rxPackets(t)) - rx0;
    const drops = (await backlogDrops()) - drops0;
    const floodSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const cpu = (await cpuSeconds(pid)) - cpu0;
    const wall = (performance.now() - started) / 1000;
    const peak = await peakMiB(pid);
    if (server.status !== undefined) throw new Error(`${daemon} exited\n${server.output()}`);
    const opened = (await readText(output)).split("\n").filter((l) => l.trim() === legit.v4).length;
    if (Deno.env.get("SPA_BENCH_DEBUG") === "1") {
      say(`${sent.stdout}${sent.stderr}${knocks.stdout}${knocks.stderr}`);
      say(server.output().split("\n").filter((l) => !/bad-mac|SPA OPEN|running command/.test(l)).join("\n"));
    }
    return {
      mode,
      rate,
      daemon,
      pps: rx / Math.max(SECONDS, floodSeconds - 1.5),
      opened,
      drops,
      cpu,
      wall,
      peakMiB: peak,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function floods(): Promise<void> {
  const fwOut = await new Deno.Command("fwknop", { args: ["--key-gen"], stdout: "piped" }).output();
  const text = new TextDecoder().decode(fwOut.stdout);
  const fw = {
    key: /KEY_BASE64:\s+(\S+)/.exec(text)?.[1] ?? "",
    hmac: /HMAC_KEY_BASE64:\s+(\S+)/.exec(text)?.[1] ?? "",
  };
  const rows = await withTopology({ clients: 2 }, async (t) => {
    await t.server.exec(["nft", "-f", "-"], {
      stdin: "table inet bench {\n  chain in {\n    type filter hook input priority 0; policy accept;\n" +
        `    udp dport ${SPA_PORT} drop\n  }\n}\n`,
    });
    const out: Row[] = [];
    for (const rate of RATES) {
      for (const mode of MODES) {
        for (const daemon of ["knocktool", "fwknopd"] as const) {
          if (daemon === "fwknopd" && mode !== "junk") continue;
          const row = await runOne(t, mode, rate, daemon, fw);
          out.push(row);
          say(`${rate} ${mode} ${daemon}: ${Math.round(row.pps)} pps, opened ${row.opened}/${KNOCKS}`);
        }
      }
    }
    return out;
  });
  say("");
  say(`part 2: flood of udp/${SPA_PORT} for ${SECONDS} s (one sender), legit SPA every ${INTERVAL_MS} ms`);
  say("target   mode      daemon      achieved pps   opened   backlog drops   cpu s   cpu %   VmHWM MiB");
  for (const r of rows) {
    say(
      `${String(r.rate).padEnd(8)} ${r.mode.padEnd(9)} ${r.daemon.padEnd(11)} ${
        Math.round(r.pps).toString().padStart(12)
      } ${`${r.opened}/${KNOCKS}`.padStart(8)} ${String(r.drops).padStart(15)} ${
        r.cpu.toFixed(2).padStart(7)
      } ${(100 * r.cpu / r.wall).toFixed(0).padStart(6)}% ${r.peakMiB.toFixed(1).padStart(11)}`,
    );
  }
}

/** A raw-IP pcap of `n` UDP datagrams to the SPA port, cycling 256 payloads made by `payload`. */
async function writeCapture(path: string, n: number, payload: () => Uint8Array): Promise<void> {
  const rng = createRng(7);
  const frames = Array.from({ length: 256 }, (_, i) =>
    buildPacket({
      src: `198.51.100.${i}`,
      dst: "192.0.2.1",
      transport: { protocol: "udp", sport: 40000 + i, dport: SPA_PORT },
      payload: payload(),
    }, rng));
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.write(encodePcapHeader({ linkType: 101 }));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    // 100k datagrams a second of capture time.
    chunks.push(
      encodePcapRecord({ timeMs: 1_760_000_000_000 + i / 100, data: frames[i % 256]! }, { linkType: 101 }),
    );
    if (chunks.length === 4096 || i === n - 1) {
      const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of chunks) all.set(c, (at += c.length) - c.length);
      await file.write(all);
      chunks.length = 0;
    }
  }
  file.close();
}

/** CPU ms (user + system) of `knocktool serve --read FILE`, best of `runs`. */
async function serveCpu(conf: string, capture: string, runs: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const cpuFile = await Deno.makeTempFile({ prefix: "knocktool-cpu-" });
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%U %S", "-o", cpuFile, ...KNOCKTOOL, "serve", "-c", conf, "--read", capture, "--dry-run"],
      stdout: "null",
      stderr: "piped",
    }).output();
    const [user, system] = (await Deno.readTextFile(cpuFile)).trim().split(/\s+/).slice(-2).map(Number);
    await Deno.remove(cpuFile);
    if (out.code !== 0) {
      throw new Error(
        `serve --read ${capture}: exit ${out.code}: ${new TextDecoder().decode(out.stderr).slice(-500)}`,
      );
    }
    best = Math.min(best, ((user ?? NaN) + (system ?? NaN)) * 1000);
  }
  return best;
}

/**
 * `--read [N]`: the whole daemon on captures (no root): `knocktool serve --read` of N junk datagrams (305
 * bytes, version 1: refused by mac1), and of N datagrams of another length (ignored), to an SPA door; CPU
 * time, best of 3, minus the same on an empty capture (start-up).
 */
async function readRates(n: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-spa-read-" });
  try {
    const keys = makeKeys();
    await Deno.writeTextFile(
      `${dir}/server.key`,
      formatServerKey({ privateKey: keys.server, mac1: keys.mac1 }),
    );
    await Deno.chmod(`${dir}/server.key`, 0o600);
    await Deno.writeTextFile(`${dir}/users`, `alice ${toBase64Url(publicKeyOf("ed25519", keys.alice))}\n`);
    await Deno.writeTextFile(
      `${dir}/knockd.conf`,
      `[spa]\n  SPA_Port = ${SPA_PORT}\n  SPA_Server_Key = ${dir}/server.key\n  SPA_Users = ${dir}/users\n` +
        `  SPA_State = ${dir}/state.json\n  start_command = echo %IP%\n  cmd_timeout = 30\n`,
    );
    await writeCapture(`${dir}/empty.pcap`, 0, junk);
    await writeCapture(`${dir}/junk.pcap`, n, junk);
    await writeCapture(`${dir}/short.pcap`, n, () => random(64));
    const startup = await serveCpu(`${dir}/knockd.conf`, `${dir}/empty.pcap`, 3);
    say("");
    say(
      `part 3: serve --read, ${n} datagrams to the SPA door (CPU, best of 3, start-up ${
        Math.round(startup)
      } ms subtracted)`,
    );
    for (
      const [name, file] of [["junk, 305 bytes (bad mac1)", "junk"], ["another length (ignored)", "short"]]
    ) {
      const ms = await serveCpu(`${dir}/knockd.conf`, `${dir}/${file}.pcap`, 3) - startup;
      say(`${name!.padEnd(38)} ${Math.round(n / (ms / 1000)).toString().padStart(11)} datagrams/s`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (Deno.args[0] === "--read") {
  await readRates(Number(Deno.args[1] ?? 300_000));
} else if (Deno.args[0] === "--sender") {
  await senderMain(Deno.args.slice(1));
} else if (Deno.args[0] === "--client") {
  await clientMain(Deno.args.slice(1));
} else {
  verifyRates();
  if (!Deno.args.includes("--verify-only")) {
    if ((await whySkip(["nft", "fwknopd", "fwknop", "iptables"], "spa flood")) === undefined) await floods();
  }
}
