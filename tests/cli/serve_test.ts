/**
 * `knocktool serve` in-process: replays of pcap files written here (`--read`), through the real libpcap,
 * filter, decoder, engine, commands, one-time sequences and logging.
 */
import assert from "node:assert/strict";
import { errorMessage } from "../../core/error_message.ts";
import { buildPacket, createRng, encodePcap, type PcapPacket } from "../../core/packet/mod.ts";
import { runCli } from "./_io.ts";

let skip: string | undefined;
try {
  const { PcapHandle } = await import("../../ffi/mod.ts");
  PcapHandle.libVersion();
} catch (error) {
  skip = `libpcap unavailable: ${errorMessage(error)}`;
  // deno-lint-ignore no-console
  console.log(`skipping serve replay tests: ${skip}`);
}

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const SERVER = "10.77.0.1";
const CLIENT = "10.77.0.2";

interface Knock {
  readonly at: number;
  readonly port: number;
  readonly proto?: "tcp" | "udp";
  readonly src?: string;
  readonly dst?: string;
  readonly flags?: number;
  readonly sport?: number;
  readonly seq?: number;
}

const SYN = 0x02;
const ACK = 0x10;

function pcap(knocks: readonly Knock[]): Uint8Array {
  const rng = createRng(7);
  const packets: PcapPacket[] = knocks.map((k, i) => {
    const src = k.src ?? CLIENT;
    const dst = k.dst ?? (src.includes(":") ? "fd77::1" : SERVER);
    const transport = (k.proto ?? "tcp") === "tcp"
      ? {
        protocol: "tcp" as const,
        dport: k.port,
        sport: k.sport ?? 40000 + i,
        seq: k.seq ?? 1000 + i,
        flags: k.flags ?? SYN,
      }
      : { protocol: "udp" as const, dport: k.port, sport: k.sport ?? 40000 + i };
    return { timeMs: T0 + k.at, data: buildPacket({ src, dst, transport }, rng) };
  });
  return encodePcap(packets, { linkType: 101 });
}

interface Replay {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

async function replay(
  conf: string,
  knocks: readonly Knock[],
  extra: readonly string[] = [],
): Promise<Replay> {
  const dir = await Deno.makeTempDir({ prefix: "kt-serve-" });
  const confText = conf.replaceAll("$DIR", dir);
  await Deno.writeTextFile(`${dir}/knockd.conf`, confText);
  await Deno.writeFile(`${dir}/in.pcap`, pcap(knocks));
  const r = await runCli(["serve", "-c", `${dir}/knockd.conf`, "--read", `${dir}/in.pcap`, "-v", ...extra]);
  return { ...r, dir };
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

const DOOR = `[options]
  logfile = $DIR/knockd.log
[openSSH]
  sequence = 7000,8000,9000
  seq_timeout = 5
  tcpflags = syn
  start_command = echo open %IP% >> $DIR/out
  cmd_timeout = 10
  stop_command = echo close %IP% >> $DIR/out
`;

const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: skip !== undefined, fn });

test("serve --read --dry-run: an opening logs knockd's lines, and the stop command at pcap time", async () => {
  const r = await replay(DOOR, [
    { at: 0, port: 7000 },
    { at: 100, port: 8000 },
    { at: 200, port: 9000 },
    { at: 20_000, port: 1234 }, // invisible: not a sequence port; only advances the pcap clock
  ], ["--dry-run"]);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.deepEqual(lines(r.stdout), [
    "10.77.0.2: openSSH: Stage 1",
    "10.77.0.2: openSSH: Stage 2",
    "10.77.0.2: openSSH: Stage 3",
    "10.77.0.2: openSSH: OPEN SESAME",
    `openSSH: running command: echo open 10.77.0.2 >> ${r.dir}/out`,
    "10.77.0.2: openSSH: command timeout",
    `openSSH: running command: echo close 10.77.0.2 >> ${r.dir}/out`,
  ]);
  // dry run: nothing ran
  await assert.rejects(Deno.stat(`${r.dir}/out`), Deno.errors.NotFound);
  // the logfile has knockd's format, no empty lines
  const log = lines(await Deno.readTextFile(`${r.dir}/knockd.log`));
  assert.equal(log.length, 7);
  assert.match(log[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d\] 10\.77\.0\.2: openSSH: Stage 1$/);
  assert.match(
    log[6]!,
    /^\[\d{4}-\d\d-\d\d \d\d:\d\d\] openSSH: running command: echo close 10\.77\.0\.2 >> /,
  );
});

test("serve --read without --dry-run really runs start and stop commands with %IP%", async () => {
  const r = await replay(DOOR, [
    { at: 0, port: 7000 },
    { at: 100, port: 8000 },
    { at: 200, port: 9000 },
  ]);
  assert.equal(r.code, 0, r.stderr);
  // the file ends before cmd_timeout: the pending stop command runs at the end
  assert.equal(await Deno.readTextFile(`${r.dir}/out`), "open 10.77.0.2\nclose 10.77.0.2\n");
});

test("serve --read: a non-zero exit status is logged", async () => {
  const conf = "[d]\nsequence = 7000\nstart_command = exit 3\n";
  const r = await replay(conf, [{ at: 0, port: 7000 }]);
  assert.equal(r.code, 0);
  assert.deepEqual(lines(r.stdout), [
    "10.77.0.2: d: Stage 1",
    "10.77.0.2: d: OPEN SESAME",
    "d: running command: exit 3",
    "d: command returned non-zero status code (3)",
  ]);
});

test("serve --read: a wrong in-filter port fails the attempt with a reason; other ports are invisible", async () => {
  const r = await replay(DOOR, [
    { at: 0, port: 7000 },
    { at: 10, port: 1234 }, // not in any door: filtered out, like knockd
    { at: 20, port: 9000 },
    { at: 30, port: 8000 },
    { at: 40, port: 9000 },
  ], ["--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [
    "10.77.0.2: openSSH: Stage 1",
    "10.77.0.2: openSSH: sequence failed at stage 1: expected 8000/tcp, got 9000/tcp",
  ]);
});

test("serve --read: a sequence that takes longer than seq_timeout times out", async () => {
  const r = await replay(DOOR, [
    { at: 0, port: 7000 },
    { at: 1000, port: 8000 },
    { at: 6000, port: 9000 },
  ], ["--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [
    "10.77.0.2: openSSH: Stage 1",
    "10.77.0.2: openSSH: Stage 2",
    "10.77.0.2: openSSH: sequence timeout (stage 2)",
  ]);
});

test("serve --read: ACKs are filtered out by BPF; a retransmitted SYN is not a wrong knock", async () => {
  const r = await replay(DOOR, [
    { at: 0, port: 7000, sport: 5555, seq: 42 },
    { at: 10, port: 8000, flags: ACK },
    { at: 1000, port: 7000, sport: 5555, seq: 42 }, // kernel retransmission of the first SYN
    { at: 1100, port: 8000 },
    { at: 1200, port: 9000 },
  ], ["--dry-run", "-D"]);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.ok(out.includes("10.77.0.2: openSSH: retransmission ignored at stage 1 (port 7000/tcp)"), r.stdout);
  assert.ok(out.includes("10.77.0.2: openSSH: OPEN SESAME"), r.stdout);
  // the ACK never reached the decoder (no packet line for it)
  assert.ok(!out.some((l) => l.startsWith("tcp: 10.77.0.2:40001 ->")), r.stdout);
  assert.ok(out.some((l) => l.startsWith("adding pcap expression for door 'openSSH'")), r.stdout);
});

test("serve --read: IPv6 knocks, and the _6 command fallback with the canonical address", async () => {
  const conf = "[d]\nsequence = 7000,8000:udp\nstart_command = echo %IP%\n";
  const r = await replay(conf, [
    { at: 0, port: 7000, src: "fd77:0:0::2" },
    { at: 10, port: 8000, proto: "udp", src: "fd77::2" },
  ], ["--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [
    "fd77::2: d: Stage 1",
    "fd77::2: d: Stage 2",
    "fd77::2: d: OPEN SESAME",
    "d: running command: echo fd77::2",
  ]);
  const v4only = await replay(conf, [
    { at: 0, port: 7000, src: "fd77::2" },
    { at: 10, port: 8000, proto: "udp", src: "fd77::2" },
  ], ["--dry-run", "-4"]);
  assert.equal(v4only.stdout, "");
});

test("serve --read: one-time sequences rotate atomically and the last one disables the door", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-otp-" });
  await Deno.writeTextFile(`${dir}/otp`, " 1111,2222\n3333,4444:udp\n");
  const conf = `[otp]\none_time_sequences = ${dir}/otp\nstart_command = echo %IP%\n`;
  const r = await replay(conf, [
    { at: 0, port: 3333 }, // not yet: the current sequence is 1111,2222
    { at: 10, port: 1111 },
    { at: 20, port: 2222 },
    { at: 30, port: 1111 }, // used up: invisible now
    { at: 40, port: 3333 },
    { at: 50, port: 4444, proto: "udp" },
    { at: 60, port: 3333 },
  ], ["--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [
    "10.77.0.2: otp: Stage 1",
    "10.77.0.2: otp: Stage 2",
    "10.77.0.2: otp: OPEN SESAME",
    "otp: running command: echo 10.77.0.2",
    "10.77.0.2: otp: Stage 1",
    "10.77.0.2: otp: Stage 2",
    "10.77.0.2: otp: OPEN SESAME",
    "otp: running command: echo 10.77.0.2",
    "no more sequences left in the one time sequences file for door otp --> disabling the door",
  ]);
  // knockd's marks, without destroying the first digit; no temp file left behind
  assert.equal(await Deno.readTextFile(`${dir}/otp`), "#1111,2222\n#3333,4444:udp\n");
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assert.deepEqual(names, ["otp"]);
});

test("serve --read --log-format json: one object per line with fields", async () => {
  const r = await replay("[options]\nLogFile = $DIR/log.json\n[d]\nsequence = 7000,8000\n", [
    { at: 0, port: 7000 },
    { at: 5, port: 8000 },
  ], ["--dry-run", "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const records = lines(r.stdout).map((l) => JSON.parse(l));
  assert.deepEqual(records[0], {
    time: new Date(T0).toISOString(),
    level: "info",
    message: "10.77.0.2: d: Stage 1",
    event: "stage",
    src: "10.77.0.2",
    door: "d",
    stage: 1,
  });
  assert.equal(records[2].message, "10.77.0.2: d: OPEN SESAME");
  assert.equal(records[2].time, new Date(T0 + 5).toISOString());
  assert.equal(records[2].event, "open");
  // the logfile gets the same JSON lines
  const file = lines(await Deno.readTextFile(`${r.dir}/log.json`)).map((l) => JSON.parse(l));
  assert.deepEqual(file, records);
});

test("serve: a bad config prints lint-style diagnostics and exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-bad-" });
  await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 7000,70000\n");
  const r = await runCli(["serve", "-c", `${dir}/knockd.conf`, "-i", "lo"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, new RegExp(`^${dir}/knockd\\.conf:2:17: error\\[KT\\d{3}\\]: `, "m"));
  assert.ok(!r.stderr.includes("    at "), "no stack trace");
  const missing = await runCli(["serve", "-c", `${dir}/nope.conf`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.conf: error: cannot read config file: No such file or directory/);
});

test("serve: a missing interface is a clean error with exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-if-" });
  await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 7000\n");
  const r = await runCli(["serve", "-c", `${dir}/knockd.conf`, "-i", "nonexist0"]);
  assert.deepEqual(r, { code: 1, stdout: "", stderr: "knocktool: no such interface: nonexist0\n" });
  const fromConfig = await Deno.writeTextFile(
    `${dir}/k2.conf`,
    "[options]\nInterface = lo,nonexist1\n[d]\nsequence = 7000\n",
  );
  assert.equal(fromConfig, undefined);
  const r2 = await runCli(["serve", "-c", `${dir}/k2.conf`]);
  assert.equal(r2.code, 1);
  assert.equal(r2.stderr, "knocktool: no such interface: nonexist1\n");
});

Deno.test("serve -V and -h", async () => {
  const v = await runCli(["serve", "-V"]);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^knocktool \d+\.\d+\.\d+\n$/);
  const h = await runCli(["serve", "-h"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-c, --config <file>/);
});

const isRoot = Deno.uid() === 0;

async function poll(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

async function tcpKnock(port: number): Promise<void> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
  } catch {
    // refused: the SYN was sent, that is the knock
  }
}

Deno.test({
  name:
    "serve -d on lo: pidfile, live knock runs the command, bad reload keeps the old config, SIGTERM runs the stop",
  ignore: skip !== undefined || !isRoot,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-daemon-" });
    const conf = `${dir}/knockd.conf`;
    const good = `[d]\nsequence = 47001,47002\ntcpflags = syn\ncmd_timeout = 60\n` +
      `start_command = echo open %IP% >> ${dir}/out\nstop_command = echo close %IP% >> ${dir}/out\n`;
    await Deno.writeTextFile(conf, good);
    const main = new URL("../../cli/main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "serve",
        "-c",
        conf,
        "-i",
        "lo",
        "-d",
        "-p",
        `${dir}/kt.pid`,
        "-g",
        `${dir}/log`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const pidText = await Deno.readTextFile(`${dir}/kt.pid`);
    assert.match(pidText, /^\d+\n$/);
    const pid = Number(pidText.trim());
    try {
      await poll(
        async () => (await readOr(`${dir}/log`)).includes("starting up, listening on lo"),
        "start-up",
      );
      await tcpKnock(47001);
      await tcpKnock(47002);
      await poll(async () => (await readOr(`${dir}/out`)) === "open 127.0.0.1\n", "start command");
      // A bad config on reload is logged; the old doors keep working.
      await Deno.writeTextFile(conf, "[d]\nsequence = 70000\n");
      Deno.kill(pid, "SIGHUP");
      await poll(
        async () => (await readOr(`${dir}/log`)).includes("keeping the old configuration"),
        "reload",
      );
      const log = await readOr(`${dir}/log`);
      assert.match(log, /\] re-reading config file: .*knockd\.conf\n/);
      assert.match(log, /knockd\.conf:2:12: error\[KT\d+\]: /);
      await Deno.writeTextFile(conf, good);
      await tcpKnock(47001);
      await tcpKnock(47002);
      await poll(async () => (await readOr(`${dir}/out`)).split("open").length === 3, "second opening");
    } finally {
      Deno.kill(pid, "SIGTERM");
    }
    // SIGTERM: both pending stop commands run, then the pidfile is removed.
    await poll(async () => (await readOr(`${dir}/log`)).includes("shutting down"), "shutdown");
    await poll(async () => !(await readOr(`${dir}/kt.pid`)), "pidfile removal");
    assert.equal(
      await readOr(`${dir}/out`),
      "open 127.0.0.1\nopen 127.0.0.1\nclose 127.0.0.1\nclose 127.0.0.1\n",
    );
    const log = await readOr(`${dir}/log`);
    assert.equal(
      log.split("127.0.0.1: d: shutting down before cmd_timeout, running the stop command now").length,
      3,
    );
    assert.match(log, /\] d: running command: echo close 127\.0\.0\.1 >> .*\n\[[-0-9: ]+\] shutting down\n$/);
  },
});

async function hasCommand(name: string): Promise<boolean> {
  try {
    const r = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" }).output();
    return r.success;
  } catch {
    return false;
  }
}

const canDropCaps = isRoot && await hasCommand("setpriv");

Deno.test({
  name: "serve without CAP_NET_RAW: a clean message and exit 1",
  ignore: skip !== undefined || !canDropCaps,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-caps-" });
    await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 7000\n");
    const main = new URL("../../cli/main.ts", import.meta.url).pathname;
    const out = await new Deno.Command("setpriv", {
      args: [
        "--inh-caps=-net_raw",
        "--bounding-set=-net_raw",
        "--",
        Deno.execPath(),
        "run",
        "-A",
        main,
        "serve",
        "-c",
        `${dir}/knockd.conf`,
        "-i",
        "lo",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.equal(
      new TextDecoder().decode(out.stderr),
      "knocktool: cannot capture on lo: run as root or grant cap_net_raw\n",
    );
  },
});

// openlog() always talks to /dev/log: only testable where no syslog daemon owns it.
let devLogFree = false;
try {
  Deno.lstatSync("/dev/log");
} catch {
  devLogFree = isRoot && await hasCommand("python3");
}

Deno.test({
  name: "serve with UseSyslog: daemon facility, notice level, ident knocktool",
  ignore: skip !== undefined || !devLogFree,
  fn: async () => {
    const listener = new Deno.Command("python3", {
      args: [
        "-c",
        `import socket,os,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)
s.bind("/dev/log")
print("ready",flush=True)
s.settimeout(10)
try:
  for i in range(2): print(s.recv(4096).decode(),flush=True)
finally:
  os.unlink("/dev/log")`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = listener.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let got = "";
    while (!got.includes("ready\n")) got += (await reader.read()).value ?? "";
    const r = await replay("[options]\nUseSyslog\n[d]\nsequence = 7000\n", [{ at: 0, port: 7000 }]);
    assert.equal(r.code, 0, r.stderr);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got += value;
    }
    await listener.status;
    const frames = lines(got).slice(1);
    assert.equal(frames.length, 2, got);
    assert.match(frames[0]!, /^<29>\w{3} [ \d]\d \d\d:\d\d:\d\d knocktool: 10\.77\.0\.2: d: Stage 1$/);
    assert.match(frames[1]!, /^<29>\w{3} [ \d]\d \d\d:\d\d:\d\d knocktool: 10\.77\.0\.2: d: OPEN SESAME$/);
  },
});

Deno.test({
  name: "serve --read: Ethernet frames, also 802.1Q-tagged ones (the filter's vlan half), IPv4 and IPv6",
  ignore: skip !== undefined,
  fn: async () => {
    const { encodeEthernet, ETHERTYPE } = await import("../../core/packet/mod.ts");
    const rng = createRng(3);
    const mac = (n: number) => new Uint8Array([2, 0, 0, 0, 0, n]);
    const frame = (src: string, dport: number, vlan: number | undefined, i: number) => {
      const ip = buildPacket({
        src,
        dst: src.includes(":") ? "fd77::1" : SERVER,
        transport: { protocol: "tcp", dport, sport: 40000 + i, seq: i, flags: SYN },
      }, rng);
      return encodeEthernet({
        dst: mac(1),
        src: mac(2),
        etherType: src.includes(":") ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4,
        ...(vlan === undefined ? {} : { vlan: { id: vlan } }),
      }, ip);
    };
    const dir = await Deno.makeTempDir({ prefix: "kt-vlan-" });
    await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 7000,8000\ntcpflags = syn\n");
    const packets = [
      frame("10.77.0.2", 7000, 42, 0),
      frame("10.77.0.2", 8000, 42, 1),
      frame("10.77.0.3", 7000, undefined, 2),
      frame("10.77.0.3", 8000, undefined, 3),
      frame("fd77::3", 7000, 7, 4),
      frame("fd77::3", 8000, 7, 5),
    ].map((data, i) => ({ timeMs: T0 + i, data }));
    await Deno.writeFile(`${dir}/in.pcap`, encodePcap(packets, { linkType: 1 }));
    const r = await runCli(["serve", "-c", `${dir}/knockd.conf`, "--read", `${dir}/in.pcap`, "-v"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).filter((l) => l.endsWith("OPEN SESAME")), [
      "10.77.0.2: d: OPEN SESAME",
      "10.77.0.3: d: OPEN SESAME",
      "fd77::3: d: OPEN SESAME",
    ]);
  },
});

test("serve --read: a capture of an unsupported link type is a clean error, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-dlt-" });
  await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 7000,8000\ntcpflags = syn\n");
  // DLT_NULL (BSD loopback): a 4-byte address-family header, which knockd and knocktool do not decode.
  const data = Uint8Array.of(
    2,
    0,
    0,
    0,
    ...buildPacket(
      { src: CLIENT, dst: SERVER, transport: { protocol: "tcp", dport: 7000 } },
      createRng(1),
    ),
  );
  await Deno.writeFile(`${dir}/in.pcap`, encodePcap([{ timeMs: T0, data }], { linkType: 0 }));
  const r = await runCli(["serve", "-c", `${dir}/knockd.conf`, "--read", `${dir}/in.pcap`, "-v"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^knocktool: unsupported link-layer type: 0/m);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  await Deno.remove(dir, { recursive: true });
});

test("serve --read: after a one-time-sequence rotation IPv6 knocks use the new ports too (knockd: stale v6 filter)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-otp6-" });
  await Deno.writeTextFile(`${dir}/otp`, " 1111,2222\n 3333,4444\n 5555\n");
  const conf = `[otp]\none_time_sequences = ${dir}/otp\n`;
  const r = await replay(conf, [
    { at: 0, port: 1111, src: "fd77::2" },
    { at: 10, port: 2222, src: "fd77::2" },
    { at: 20, port: 3333, src: "fd77::2" },
    { at: 30, port: 4444, src: "fd77::2" },
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lines(r.stdout).filter((l) => l === "fd77::2: otp: OPEN SESAME").length, 2, r.stdout);
  assert.equal(await Deno.readTextFile(`${dir}/otp`), "#1111,2222\n#3333,4444\n 5555\n");
});

const canNetns = isRoot && await hasCommand("ip") && await hasCommand("knock");

Deno.test({
  name: "serve -i lo in a namespace: an address added later is in the rebuilt filter and opens the door",
  ignore: skip !== undefined || !canNetns,
  fn: async () => {
    const ns = `ktf1-${Deno.pid}`;
    const ip = (...args: string[]) =>
      new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
    assert.equal((await ip("netns", "add", ns)).code, 0);
    const dir = await Deno.makeTempDir({ prefix: "kt-addr-" });
    let daemon: Deno.ChildProcess | undefined;
    let output = "";
    try {
      assert.equal((await ip("-n", ns, "link", "set", "lo", "up")).code, 0);
      await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 47021,47022\ntcpflags = syn\n");
      const main = new URL("../../cli/main.ts", import.meta.url).pathname;
      daemon = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          ns,
          Deno.execPath(),
          "run",
          "-A",
          main,
          "serve",
          "-c",
          `${dir}/knockd.conf`,
          "-i",
          "lo",
          "-v",
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = daemon.stdout.pipeThrough(new TextDecoderStream()).getReader();
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          output += value;
        }
      })();
      await poll(() => output.includes("starting up, listening on lo\n"), "start-up");
      assert.equal((await ip("-n", ns, "addr", "add", "10.99.0.1/32", "dev", "lo")).code, 0);
      await poll(
        () => /^addresses of lo changed: 10\.99\.0\.1 127\.0\.0\.1 /m.test(output),
        "address change",
      );
      const knock = await new Deno.Command("ip", {
        args: ["netns", "exec", ns, "knock", "10.99.0.1", "47021", "47022"],
      }).output();
      assert.equal(knock.code, 0);
      await poll(() => /^10\.99\.0\.1: d: OPEN SESAME$/m.test(output), "opening");
    } catch (error) {
      throw new Error(`${errorMessage(error)}\n--- daemon output ---\n${output}`);
    } finally {
      if (daemon !== undefined) {
        try {
          daemon.kill("SIGTERM");
        } catch {
          // gone
        }
        await daemon.status;
        await daemon.stderr.cancel().catch(() => {});
      }
      await ip("netns", "del", ns);
    }
    assert.match(output, /shutting down\n$/);
  },
});

Deno.test("writeFileAtomic keeps the permission bits and leaves no temporary file", async () => {
  const { writeFileAtomic } = await import("../../cli/fs.ts");
  const dir = await Deno.makeTempDir({ prefix: "kt-atomic-" });
  await Deno.writeTextFile(`${dir}/seq`, "1,2\n", { mode: 0o600 });
  await Deno.chmod(`${dir}/seq`, 0o640);
  writeFileAtomic(`${dir}/seq`, "#1,2\n3,4\n");
  assert.equal(await Deno.readTextFile(`${dir}/seq`), "#1,2\n3,4\n");
  assert.equal((await Deno.stat(`${dir}/seq`)).mode! & 0o777, 0o640);
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assert.deepEqual(names, ["seq"]);
  assert.throws(() => writeFileAtomic(`${dir}/missing-dir/seq`, "x"), Deno.errors.NotFound);
});
