/**
 * `knocktool knock` without privileges: argument errors through the whole CLI, the hits it
 * plans (recorded by a fake network, raw packets decoded by `core/decode`), doors from a config,
 * one-time sequences advanced atomically, decoys, `--verify`, and real TCP knocks on loopback.
 */
import assert from "node:assert/strict";
import { formatMessage } from "@optique/core/message";
import { parse } from "@optique/core/parser";
import { type KnockArgs, knockCommand } from "../../cli/knock/command.ts";
import type { KnockNet, ProbeResult } from "../../cli/knock/net.ts";
import { runKnock } from "../../cli/knock/run.ts";
import { writeFileAtomic } from "../../cli/fs.ts";
import { serviceByName } from "../../ffi/resolve.ts";
import { ERRNO, SocketError, socketError } from "../../ffi/socket.ts";
import { socketErrorText, withHint } from "../../cli/knock/hints.ts";
import dgram from "node:dgram";
import { decodeFrame } from "../../core/decode/mod.ts";
import { formatIP } from "../../core/packet/mod.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";
import { runCli } from "./_io.ts";

interface Sent {
  readonly kind: "tcp" | "udp" | "raw";
  readonly address: string;
  readonly port: number;
  readonly packet?: Uint8Array;
}

/** A network that records instead of sending. */
class FakeNet implements KnockNet {
  readonly sent: Sent[] = [];
  readonly sleeps: number[] = [];
  clock = 0;
  closed = false;
  failPorts = new Set<number>();
  probes: ProbeResult[] = [];
  service(name: string, protocol: "tcp" | "udp"): number | undefined {
    return ({ "ssh/tcp": 22, "ssh/udp": 22, "domain/udp": 53 } as Record<string, number>)[
      `${name}/${protocol}`
    ];
  }
  resolve(host: string): Uint8Array[] {
    if (host === "knock.example") return [Uint8Array.of(192, 0, 2, 7)];
    throw new Error("getaddrinfo: Name or service not known");
  }
  #hit(kind: Sent["kind"], address: Uint8Array, port: number, packet?: Uint8Array): void {
    if (this.failPorts.has(port)) throw new Error("connect: Network is unreachable");
    this.sent.push({ kind, address: formatIP(address), port, ...(packet ? { packet } : {}) });
  }
  tcp(address: Uint8Array, port: number): void {
    this.#hit("tcp", address, port);
  }
  udp(address: Uint8Array, port: number): void {
    this.#hit("udp", address, port);
  }
  raw(packet: Uint8Array, address: Uint8Array): void {
    const view = new DataView(packet.buffer, packet.byteOffset);
    const port = view.getUint16((packet[0]! >> 4) === 4 ? (packet[0]! & 15) * 4 + 2 : 42);
    this.#hit("raw", address, port, packet);
  }
  sourceFor(address: Uint8Array): Uint8Array {
    return address.length === 4
      ? Uint8Array.of(192, 0, 2, 1)
      : Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Uint8Array(11), 1);
  }
  probe(): Promise<ProbeResult> {
    this.clock += 100;
    return Promise.resolve(this.probes.shift() ?? { state: "timeout" });
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.clock += ms;
    return Promise.resolve();
  }
  now(): number {
    return this.clock;
  }
  wallClock(): number {
    return 1_700_000_000_000;
  }
  randomSeed(): number {
    return 1;
  }
  writeFileAtomic(path: string, data: Uint8Array): void {
    writeFileAtomic(path, data);
  }
  close(): void {
    this.closed = true;
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function knock(argv: string[], net: FakeNet, cwd?: string): Promise<Run> {
  const parsed = parse(knockCommand, ["knock", ...argv]);
  if (!parsed.success) throw new Error(formatMessage(parsed.error));
  let stdout = "", stderr = "";
  const real = denoIo();
  const io: Io = {
    ...real,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: () => cwd ?? real.cwd(),
    readFile: (p) => real.readFile(p),
  };
  const code = await runKnock(parsed.value as KnockArgs, io, net);
  return { code, stdout, stderr };
}

function summary(net: FakeNet): string[] {
  return net.sent.map((s) => `${s.kind} ${s.address}:${s.port}`);
}

Deno.test("knock: invalid ports and protocols are usage errors (exit 2), never a stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["10.0.0.1", "70000"], /PORT: port must be 1\.\.65535, got 70000 in "70000"/],
    [["10.0.0.1", "0"], /port must be 1\.\.65535, got 0/],
    [["10.0.0.1", "nosuchservice"], /unknown service "nosuchservice" for tcp/],
    [["10.0.0.1", "7x"], /invalid port "7x"/],
    [["10.0.0.1", "7000:sctp"], /unknown protocol "sctp"/],
    [["10.0.0.1", "7000:udp:x"], /unknown protocol "udp:x"/],
    [["-d", "-5", "10.0.0.1", "7000"], /delay cannot be negative, got -5/],
    [["-d", "soon", "10.0.0.1", "7000"], /-d\/--delay: must be an integer/],
    [["-4", "-6", "10.0.0.1", "7000"], /-4 and -6 cannot be combined/],
    [["-6", "10.0.0.1", "7000"], /-6: "10\.0\.0\.1" is not an IPv6 address/],
    [["--wait", "3", "10.0.0.1", "7000"], /--wait needs --verify/],
    [["--verify", "70000", "10.0.0.1", "7000"], /--verify: must be 1\.\.65535, got 70000/],
    [["--door", "x", "10.0.0.1"], /--door needs -c\/--config/],
    [["--flags", "syn,bogus", "10.0.0.1", "7000"], /--flags: Unrecognized TCP flag "bogus"/],
    [["10.0.0.1"], /Expected at least one PORT/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(["knock", ...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /^knocktool knock: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

Deno.test("knock: service names are looked up for the hit's protocol, as knock does", async () => {
  const net = new FakeNet();
  const r = await knock(["10.77.0.1", "ssh", "domain:udp", "7000"], net);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(summary(net), ["tcp 10.77.0.1:22", "udp 10.77.0.1:53", "tcp 10.77.0.1:7000"]);
  const udp = new FakeNet();
  assert.equal((await knock(["-u", "10.77.0.1", "domain"], udp)).code, 0, "-u looks the name up for udp");
  assert.deepEqual(summary(udp), ["udp 10.77.0.1:53"]);
  const unknown = await knock(["10.77.0.1", "domain:tcp"], new FakeNet());
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown service "domain" for tcp/);
});

Deno.test(
  "serviceByName() reads the system's services database",
  { ignore: Deno.build.os !== "linux" },
  () => {
    let ssh: number | undefined;
    try {
      ssh = serviceByName("ssh", "tcp");
    } catch (error) {
      throw new Error(`libc getservbyname failed: ${error}`);
    }
    // netbase's /etc/services lists ssh; without the file the lookup just finds nothing.
    if (ssh !== undefined) assert.equal(ssh, 22);
    assert.equal(serviceByName("no-such-service-knocktool", "tcp"), undefined);
  },
);

Deno.test("knock: hits in order, protocol suffixes case-insensitive, -u overrides, -v like knock, delay after every hit", async () => {
  const net = new FakeNet();
  const r = await knock(["-v", "-d", "25", "10.77.0.1", "7000", "8000:UDP", "9000:Tcp"], net);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(summary(net), ["tcp 10.77.0.1:7000", "udp 10.77.0.1:8000", "tcp 10.77.0.1:9000"]);
  assert.equal(
    r.stdout,
    "hitting tcp 10.77.0.1:7000\nhitting udp 10.77.0.1:8000\nhitting tcp 10.77.0.1:9000\n",
  );
  assert.deepEqual(net.sleeps, [25, 25, 25]);
  assert.ok(net.closed);

  const udp = new FakeNet();
  assert.equal((await knock(["-u", "fd77::1", "7000:tcp", "7100"], udp)).code, 0);
  assert.deepEqual(summary(udp), ["udp fd77::1:7000", "udp fd77::1:7100"]);

  const named = new FakeNet();
  assert.equal((await knock(["-v", "knock.example", "1234"], named)).stdout, "hitting tcp 192.0.2.7:1234\n");
  const unresolved = await knock(["nowhere.invalid", "1234"], new FakeNet());
  assert.equal(unresolved.code, 1);
  assert.match(
    unresolved.stderr,
    /Failed to resolve hostname "nowhere\.invalid": getaddrinfo: Name or service not known/,
  );
});

Deno.test("knock: a failed hit is reported, the rest still go out, exit status 1", async () => {
  const net = new FakeNet();
  net.failPorts.add(8000);
  const r = await knock(["10.0.0.1", "7000", "8000", "9000"], net);
  assert.equal(r.code, 1);
  assert.deepEqual(summary(net), ["tcp 10.0.0.1:7000", "tcp 10.0.0.1:9000"]);
  assert.match(r.stderr, /knocktool knock: tcp 10\.0\.0\.1:8000: connect: Network is unreachable/);
});

Deno.test("knock --flags: TCP hits become raw packets with exactly those flags (decoded), UDP hits stay plain", async () => {
  const net = new FakeNet();
  const r = await knock(["--flags", "fin", "10.0.0.1", "7000", "fd00::"], net);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid port "fd00" in "fd00::"/);
  assert.equal(net.sent.length, 0, "nothing is sent when an argument is bad");
  const net2 = new FakeNet();
  const ok = await knock(["-v", "--flags", "fin,psh,urg,!ack", "10.0.0.1", "7000", "8000:udp"], net2);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, "hitting tcp 10.0.0.1:7000 (fin,psh,urg)\nhitting udp 10.0.0.1:8000\n");
  const raw = net2.sent[0]!;
  assert.equal(raw.kind, "raw");
  const decoded = decodeFrame(101, raw.packet!, 0);
  assert.ok(decoded.ok);
  assert.equal(decoded.knock.flags, 0x01 | 0x08 | 0x20);
  assert.equal(decoded.knock.dport, 7000);
  assert.equal(decoded.knock.src, "192.0.2.1");
  assert.equal(decoded.knock.dst, "10.0.0.1");
  assert.equal(net2.sent[1]!.kind, "udp");
});

Deno.test("knock --flags takes hping3's letters and refuses spaces, like TCPFlags in the config", async () => {
  const net = new FakeNet();
  const ok = await knock(["--flags", "FPU", "10.0.0.1", "7000"], net);
  assert.equal(ok.code, 0, ok.stderr);
  const decoded = decodeFrame(101, net.sent[0]!.packet!, 0);
  assert.ok(decoded.ok && decoded.knock.flags === (0x01 | 0x08 | 0x20));
  const spaced = await knock(["--flags", "syn, ack", "10.0.0.1", "7000"], new FakeNet());
  assert.equal(spaced.code, 2);
  assert.match(spaced.stderr, /--flags: Unrecognized TCP flag " ack": no spaces around flags/);
});

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "knocktool-knock-" });
}

Deno.test("knock -c --door: sequence, protocols and tcpflags come from the config", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/knockd.conf`,
      "[options]\n  UseSyslog\n[openSSH]\n  sequence = 7000,8000:udp,9000\n  tcpflags = syn\n" +
        "[fin]\n  sequence = 1111:tcp,2222:tcp\n  tcpflags = fin,!ack\n",
    );
    const plain = new FakeNet();
    const r = await knock(["-c", "knockd.conf", "--door", "openSSH", "10.0.0.1"], plain, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(plain), ["tcp 10.0.0.1:7000", "udp 10.0.0.1:8000", "tcp 10.0.0.1:9000"]);

    const fin = new FakeNet();
    assert.equal((await knock(["-c", `${dir}/knockd.conf`, "--door", "fin", "10.0.0.1"], fin)).code, 0);
    assert.deepEqual(summary(fin), ["raw 10.0.0.1:1111", "raw 10.0.0.1:2222"]);
    for (const s of fin.sent) {
      const d = decodeFrame(101, s.packet!, 0);
      assert.ok(d.ok && d.knock.flags === 0x01, "FIN only");
    }

    const missing = await knock(["-c", "knockd.conf", "--door", "nope", "10.0.0.1"], new FakeNet(), dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--door: no door "nope" in knockd\.conf \(doors: "openSSH", "fin"\)/);
    const withPorts = await knock(
      ["-c", "knockd.conf", "--door", "fin", "10.0.0.1", "7000"],
      new FakeNet(),
      dir,
    );
    assert.equal(withPorts.code, 2);
    assert.match(withPorts.stderr, /PORT arguments cannot be combined with --door/);

    await Deno.writeTextFile(`${dir}/bad.conf`, "[d]\nsequence = 70000\n");
    const bad = await knock(["-c", "bad.conf", "--door", "d", "10.0.0.1"], new FakeNet(), dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.conf:2:\d+: .*70000.*knockd would refuse this config/);
    const absent = await knock(["-c", "absent.conf", "--door", "d", "10.0.0.1"], new FakeNet(), dir);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /Cannot read config ".*absent\.conf": No such file or directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knock -c --door with one_time_sequences: uses the first unused line of the client's copy and marks it atomically", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/knockd.conf`,
      `[otp]\n  one_time_sequences = ${dir}/server_otp\n  seq_timeout = 5\n`,
    );
    const original = "# used ones get a #\n 1111,2222:udp\n3333,4444\n\n 5555:udp,6666\n";
    await Deno.writeTextFile(`${dir}/client_otp`, original);
    await Deno.chmod(`${dir}/client_otp`, 0o600);
    const args = ["-c", "knockd.conf", "--door", "otp", "--otp-file", "client_otp", "10.0.0.1"];

    const first = new FakeNet();
    const r1 = await knock(["-v", ...args], first, dir);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(summary(first), ["tcp 10.0.0.1:1111", "udp 10.0.0.1:2222"]);
    assert.match(r1.stdout, /marked one-time sequence on line 2 of .*client_otp used/);
    assert.equal(await Deno.readTextFile(`${dir}/client_otp`), original.replace(" 1111", "#1111"));

    const second = new FakeNet();
    assert.equal((await knock(args, second, dir)).code, 0);
    assert.deepEqual(summary(second), ["tcp 10.0.0.1:3333", "tcp 10.0.0.1:4444"]);
    // No digit destroyed (unlike knockd): "#" is inserted before a line without a leading space.
    assert.match(await Deno.readTextFile(`${dir}/client_otp`), /^#3333,4444$/m);

    // A failed hit does not advance the file.
    const failing = new FakeNet();
    failing.failPorts.add(6666);
    assert.equal((await knock(args, failing, dir)).code, 1);
    assert.match(await Deno.readTextFile(`${dir}/client_otp`), /^ 5555:udp,6666$/m);
    assert.equal((await knock(args, new FakeNet(), dir)).code, 0);

    const empty = await knock(args, new FakeNet(), dir);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /No unused one-time sequence left in ".*client_otp"/);

    // Atomic replacement: permissions kept, no temporary file left behind.
    assert.equal((await Deno.stat(`${dir}/client_otp`)).mode! & 0o777, 0o600);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["client_otp", "knockd.conf"]);

    // Without --otp-file the path in the config is used.
    await Deno.writeTextFile(`${dir}/server_otp`, " 7777,8888\n");
    const own = new FakeNet();
    assert.equal((await knock(["-c", "knockd.conf", "--door", "otp", "10.0.0.1"], own, dir)).code, 0);
    assert.deepEqual(summary(own), ["tcp 10.0.0.1:7777", "tcp 10.0.0.1:8888"]);
    assert.equal(await Deno.readTextFile(`${dir}/server_otp`), "#7777,8888\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knock --decoys: never a port of any door, real hits keep their order", async () => {
  const dir = await tempDir();
  try {
    const doorPorts = [7000, 8000, 9000, 1111, 2222, 3333, 40000];
    await Deno.writeTextFile(
      `${dir}/knockd.conf`,
      "[a]\n  sequence = 7000,8000:udp,9000\n[b]\n  sequence = 1111,2222,3333:udp\n[c]\n  sequence = 40000\n",
    );
    for (let seed = 0; seed < 30; seed++) {
      const net = new FakeNet();
      const r = await knock(
        [
          "-c",
          "knockd.conf",
          "--door",
          "a",
          "--decoys",
          "40",
          "--seed",
          String(seed),
          "--verify",
          "22",
          "--wait",
          "0",
          "10.0.0.1",
        ],
        net,
        dir,
      );
      assert.equal(r.code, 1); // the fake port never opens
      const ports = net.sent.map((s) => s.port);
      assert.equal(ports.length, 43);
      const real = net.sent.filter((s) => doorPorts.includes(s.port));
      assert.deepEqual(real.map((s) => `${s.kind}:${s.port}`), ["tcp:7000", "udp:8000", "tcp:9000"]);
      for (const p of ports) {
        if (!doorPorts.includes(p)) assert.ok(p >= 1024 && p !== 22, `decoy port ${p}`);
      }
    }
    // Without a config: not a port of the sequence.
    const net = new FakeNet();
    assert.equal((await knock(["--decoys", "100", "10.0.0.1", "5000", "5001"], net)).code, 0);
    assert.equal(net.sent.length, 102);
    assert.deepEqual(net.sent.filter((s) => s.port === 5000 || s.port === 5001).map((s) => s.port), [
      5000,
      5001,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knock --verify: reports open or not within --wait", async () => {
  const open = new FakeNet();
  open.probes = [{ state: "timeout" }, { state: "closed", reason: "Connection refused", errno: 111 }, {
    state: "open",
  }];
  const r = await knock(["--verify", "22", "10.0.0.1", "7000"], open);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^10\.0\.0\.1:22 is open \(after 0\.\d s\)\n$/);

  const shut = new FakeNet();
  const s = await knock(["--verify", "22", "--wait", "2", "10.0.0.1", "7000"], shut);
  assert.equal(s.code, 1);
  assert.equal(s.stdout, "10.0.0.1:22 did not open within 2 s (last attempt: no answer)\n");
});

Deno.test("knock: real TCP knocks on loopback reach a listener; --verify sees it open", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const accepted = listener.accept();
  const r = await runCli(["knock", "-v", "127.0.0.1", String(port)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `hitting tcp 127.0.0.1:${port}\n`);
  const conn = await accepted; // the SYN arrived (loopback completes the handshake in the kernel)
  conn.close();
  const v = await runCli(["knock", "--verify", String(port), "--wait", "2", "127.0.0.1", String(port)]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`127\\.0\\.0\\.1:${port} is open`));
});

Deno.test("knock: real UDP knocks on loopback are one 0x00 byte each; a refused --verify says why", async () => {
  const receiver = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
    const port = receiver.address().port;
    const got: number[][] = [];
    const two = new Promise<void>((resolve) =>
      receiver.on("message", (m: Uint8Array) => got.push([...m]) === 2 && resolve())
    );
    const r = await runCli(["knock", "127.0.0.1", `${port}:udp`, `${port}:UDP`]);
    assert.equal(r.code, 0, r.stderr);
    await two;
    assert.deepEqual(got, [[0], [0]]);
  } finally {
    receiver.close();
  }
  const closed = (() => {
    using probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return probe.addr.port;
  })();
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = target.accept();
  const v = await runCli([
    "knock",
    "--verify",
    String(closed),
    "--wait",
    "1",
    "127.0.0.1",
    String(target.addr.port),
  ]);
  assert.equal(v.code, 1);
  assert.equal(
    v.stdout,
    `127.0.0.1:${closed} did not open within 1 s (last attempt: Connection refused)\n`,
  );
  (await accepted).close();
});

Deno.test("knock hints: the privilege of raw sockets and SO_MARK, the firewall behind sendto's EPERM", () => {
  assert.equal(
    socketErrorText("socket", ERRNO.EPERM, true),
    "Raw sockets need root or cap_net_raw (socket: Operation not permitted)",
  );
  assert.equal(
    socketErrorText("socket", ERRNO.EACCES, true),
    "Raw sockets need root or cap_net_raw (socket: Permission denied)",
  );
  assert.equal(socketErrorText("socket", ERRNO.EPERM), "socket: Operation not permitted");
  assert.equal(
    socketErrorText("sendto", ERRNO.EPERM),
    'sendto: Operation not permitted (a firewall OUTPUT rule, e.g. "ct state invalid drop", refused the packet)',
  );
  assert.equal(
    socketErrorText("setsockopt SO_MARK", ERRNO.EPERM),
    "SO_MARK needs cap_net_admin (setsockopt: Operation not permitted)",
  );
  assert.equal(socketErrorText("connect", ERRNO.ENETUNREACH), "connect: Network is unreachable");

  const hinted = withHint(socketError("socket", ERRNO.EPERM), true);
  assert.ok(hinted instanceof SocketError);
  assert.equal(hinted.message, "Raw sockets need root or cap_net_raw (socket: Operation not permitted)");
  assert.equal(hinted.syscall, "socket");
  assert.equal(hinted.errno, ERRNO.EPERM);
  const plain = socketError("connect", ERRNO.ENETUNREACH);
  assert.equal(withHint(plain), plain);
  const gai = new SocketError("getaddrinfo: Name or service not known", "getaddrinfo", 0, -2);
  assert.equal(withHint(gai, true), gai);
  const other = new Error("not a socket error");
  assert.equal(withHint(other, true), other);
});

const asRoot = Deno.uid() === 0;
const hasCapsh = (() => {
  try {
    return Deno.statSync("/usr/sbin/capsh").isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "knock --flags without cap_net_raw: the hit fails with the privilege hint, exit status 1",
  ignore: !asRoot || !hasCapsh,
  async fn() {
    const main = new URL("../../cli/main.ts", import.meta.url).pathname;
    const line = [Deno.execPath(), "run", "-A", main, "knock", "--flags", "syn", "127.0.0.1", "9"]
      .map((a) => `'${a}'`).join(" ");
    const out = await new Deno.Command("/usr/sbin/capsh", {
      args: ["--drop=cap_net_raw", "--", "-c", line],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.equal(
      stderr,
      "knocktool knock: tcp 127.0.0.1:9: Raw sockets need root or cap_net_raw (socket: Operation not permitted)\n",
    );
  },
});
