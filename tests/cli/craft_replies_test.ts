/**
 * `knocktool craft --replies` without privileges: a fake network answers each probe after a delay
 * on a fake clock, and craft prints hping3's lines (SYN/ACK, RST, ICMP port unreachable, echo reply,
 * a duplicate), ignores its own probes seen on loopback, waits `--wait` for silent targets, and
 * prints the statistics; option conflicts are usage errors.
 */
import assert from "node:assert/strict";
import { formatMessage } from "@optique/core/message";
import { parse } from "@optique/core/parser";
import { type CraftArgs, craftCommand, runCraft } from "../../cli/craft/command.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";
import { TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { buildPacket, createRng, readPacket } from "../../core/packet/mod.ts";
import { type FakeAnswer, type FakeCraftNet, fakeNet, type FakeNetOptions } from "./_craft_net.ts";

const V4 = ["--dst", "10.0.0.2", "--src", "10.0.0.1"];

async function craftWith(argv: string[], net: FakeCraftNet) {
  const parsed = parse(craftCommand, ["craft", ...argv]);
  if (!parsed.success) throw new Error(formatMessage(parsed.error));
  let stdout = "", stderr = "";
  const io: Io = { ...denoIo(), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCraft(parsed.value as CraftArgs, io, net);
  return { code, stdout, stderr };
}

const rng = createRng(1);

/** What a Linux host answers to a TCP or UDP probe: SYN/ACK when `open`, else RST/ACK or ICMP port unreachable. */
function host(open: Set<number>, delayMs = 0.5): (probe: Uint8Array) => FakeAnswer[] {
  return (probe) => {
    const p = readPacket(probe)!;
    const t = p.transport;
    const ip = { ttl: 64, df: true, id: 0 };
    if (t.protocol === "tcp") {
      const syn = open.has(t.dport);
      const bytes = buildPacket({
        src: p.dst,
        dst: p.src,
        ip,
        transport: {
          protocol: "tcp",
          sport: t.dport,
          dport: t.sport,
          seq: syn ? 1234 : 0,
          ack: (t.seq + 1) >>> 0,
          flags: syn ? TCP_FLAG_BITS.syn | TCP_FLAG_BITS.ack : TCP_FLAG_BITS.rst | TCP_FLAG_BITS.ack,
          window: syn ? 64240 : 0,
          ...(syn ? { options: [{ type: "mss", value: 1460 }] } : {}),
        },
      }, rng);
      return [{ delayMs, bytes }];
    }
    if (t.protocol === "udp") {
      const bytes = buildPacket({
        src: p.dst,
        dst: p.src,
        ip: { ttl: 64, id: 7 },
        transport: { protocol: "icmp", type: 3, code: 3, rest: new Uint8Array(4) },
        payload: probe.subarray(0, 28),
      }, rng);
      return [{ delayMs, bytes }];
    }
    if (t.protocol === "icmp" && t.type === 8) {
      const bytes = buildPacket({
        src: p.dst,
        dst: p.src,
        ip: { ttl: 63, id: 9 },
        transport: { protocol: "icmp", type: 0, id: t.id, seq: t.seq },
      }, rng);
      return [{ delayMs, bytes }];
    }
    return [];
  };
}

function net(options: FakeNetOptions = {}): FakeCraftNet {
  return fakeNet({ responder: host(new Set([22])), ...options });
}

Deno.test("craft --replies: SYN/ACK from an open port, RST/ACK from a closed one, in hping3's format", async () => {
  const open = net();
  const r = await craftWith([...V4, "-S", "-p", "22", "-c", "2", "--replies"], open);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    "CRAFT 10.0.0.2 (fake0 10.0.0.2): S set, 40 headers + 0 data bytes\n" +
      "len=44 ip=10.0.0.2 ttl=64 DF id=0 sport=22 flags=SA seq=0 win=64240 rtt=0.5 ms\n" +
      "len=44 ip=10.0.0.2 ttl=64 DF id=0 sport=22 flags=SA seq=1 win=64240 rtt=0.5 ms\n",
  );
  assert.match(
    r.stderr,
    /\n--- 10\.0\.0\.2 craft statistic ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = 0\.5\/0\.5\/0\.5 ms\n$/,
  );
  assert.deepEqual(open.listens, [{
    device: "fake0",
    filter: "ip and dst host 10.0.0.1 and ((src host 10.0.0.2 and (tcp or udp)) or icmp)",
  }]);

  const closed = await craftWith([...V4, "-S", "-p", "23", "--replies"], net());
  assert.equal(closed.code, 0, closed.stderr);
  assert.match(
    closed.stdout,
    /\nlen=40 ip=10\.0\.0\.2 ttl=64 DF id=0 sport=23 flags=RA seq=0 win=0 rtt=0\.5 ms\n$/,
  );
});

Deno.test("craft --replies: ICMP port unreachable for UDP, echo replies for -1, and a sequence matched per step", async () => {
  const udp = await craftWith([...V4, "-2", "-p", "23", "-s", "40000", "--replies"], net());
  assert.equal(udp.code, 0, udp.stderr);
  assert.match(
    udp.stdout,
    /^CRAFT 10\.0\.0\.2 \(fake0 10\.0\.0\.2\): udp mode set, 28 headers \+ 0 data bytes\n/,
  );
  assert.match(
    udp.stdout,
    /\nICMP Port Unreachable from ip=10\.0\.0\.2 ttl=64 id=7 len=56 sport=40000 dport=23 seq=0 rtt=0\.5 ms\n$/,
  );
  const echo = await craftWith([...V4, "-1", "--icmp-seq", "5", "-c", "2", "--replies"], net());
  assert.equal(echo.code, 0, echo.stderr);
  assert.match(echo.stdout, /\nlen=28 ip=10\.0\.0\.2 ttl=63 id=9 icmp_seq=5 seq=0 rtt=0\.5 ms\n/);
  assert.match(echo.stdout, /\nlen=28 ip=10\.0\.0\.2 ttl=63 id=9 icmp_seq=5 seq=1 rtt=0\.5 ms\n$/);
  const knock = await craftWith([...V4, "--sequence", "23,22,24:udp", "--replies"], net());
  assert.equal(knock.code, 0, knock.stderr);
  const lines = knock.stdout.trim().split("\n").slice(1);
  assert.match(lines[0]!, /sport=23 flags=RA seq=0 /);
  assert.match(lines[1]!, /sport=22 flags=SA seq=1 /);
  assert.match(lines[2]!, /^ICMP Port Unreachable .* dport=24 seq=2 /);
});

Deno.test("craft --replies: a silent target waits --wait after the last probe, 100% loss, exit 1", async () => {
  const silent = fakeNet({ responder: () => [] });
  const start = silent.now();
  const r = await craftWith([...V4, "-S", "-p", "22", "-c", "3", "--replies", "--wait", "2.5"], silent);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "CRAFT 10.0.0.2 (fake0 10.0.0.2): S set, 40 headers + 0 data bytes\n");
  assert.match(r.stderr, /3 packets transmitted, 0 packets received, 100% packet loss/);
  assert.match(r.stderr, /knocktool craft: no answer to any of the 3 probes\n$/);
  assert.ok(Math.abs(silent.now() - start - 2500) < 1, `waited ${silent.now() - start} ms`);
  // An answer ends the wait at once; a late one (after --wait) is not counted.
  const quick = fakeNet({ responder: host(new Set([22]), 3) });
  const q = await craftWith([...V4, "-p", "22", "--replies"], quick);
  assert.equal(q.code, 0);
  assert.ok(quick.now() < 4, `stopped waiting at ${quick.now()} ms`);
  const late = await craftWith(
    [...V4, "-p", "22", "--replies", "--wait", "0.5"],
    fakeNet({ responder: host(new Set(), 900) }),
  );
  assert.equal(late.code, 1);
  assert.match(late.stderr, /1 packets transmitted, 0 packets received/);
});

Deno.test("craft --replies: a second answer is DUP!, its own probes seen on loopback are not answers", async () => {
  const twice = fakeNet({ responder: (p) => [...host(new Set([22]))(p), ...host(new Set([22]), 1)(p)] });
  const r = await craftWith([...V4, "-p", "22", "-c", "2", "-i", "u10000", "--replies"], twice);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\nlen=44 .* seq=0 win=64240 rtt=0\.5 ms\nDUP! len=44 .* seq=0 win=64240 rtt=1\.0 ms\n/,
  );
  assert.match(r.stdout, /\nlen=44 .* seq=1 win=64240 rtt=0\.5 ms\n/);
  assert.match(r.stderr, /2 packets transmitted, 2 packets received, 0% packet loss/);
  // On lo the capture sees the probe itself, here with equal ports and addresses both ways.
  const loop = fakeNet({ responder: (p) => [{ delayMs: 0.1, bytes: p }, ...host(new Set())(p)] });
  const l = await craftWith(
    ["--dst", "127.0.0.1", "--src", "127.0.0.1", "-p", "9", "-s", "9", "--replies"],
    loop,
  );
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout.split("\n").filter((x) => x.startsWith("len=")).length, 1, l.stdout);
  assert.match(l.stdout, /flags=RA seq=0 win=0 rtt=0\.5 ms\n$/);
});

Deno.test("craft --replies --json: one object per reply with its probe's index and the RTT", async () => {
  const r = await craftWith([...V4, "-p", "22", "--replies", "--json"], net());
  assert.equal(r.code, 0, r.stderr);
  const [probe, reply] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(probe.index, 0);
  assert.equal(reply.reply, 0);
  assert.equal(reply.rttMs, 0.5);
  assert.equal(reply.duplicate, false);
  assert.deepEqual(reply.transport.flags, ["syn", "ack"]);
  assert.equal(reply.transport.options, "020405b4");
});

Deno.test("craft --replies: conflicts are usage errors; a capture that cannot start is exit 1", async () => {
  const cases: [string[], RegExp][] = [
    [[...V4, "-p", "1", "--replies", "--dry-run"], /--replies: nothing is sent with --dry-run/],
    [
      ["--dst", "10.0.0.2", "--rand-source", "-p", "1", "--replies"],
      /--replies: the answers go to the random sources/,
    ],
    [[...V4, "-p", "1", "--wait", "3"], /--wait: only with --replies/],
    [[...V4, "-p", "1", "--replies", "--wait", "soon"], /--wait: must be a number/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await craftWith(argv, net());
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  const denied = net({ listenError: 'Cannot open "fake0": permission denied' });
  const r = await craftWith([...V4, "-p", "1", "--replies"], denied);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /knocktool craft: --replies: Cannot open "fake0": permission denied/);
  assert.equal(denied.sent.length, 0, "nothing sent when the answers cannot be heard");
  const device = net();
  await craftWith([...V4, "-p", "1", "--replies", "-I", "eth7"], device);
  assert.equal(device.listens[0]?.device, "eth7");
  const rand = net();
  const spread = await craftWith([
    "--dst",
    "10.0.0.0/30",
    "--rand-dest",
    "-a",
    "10.0.0.9",
    "-p",
    "22",
    "-c",
    "4",
    "--replies",
  ], rand);
  assert.equal(spread.code, 0, spread.stderr);
  assert.equal(rand.listens[0]?.filter, "ip and dst host 10.0.0.9 and (tcp or udp or icmp)");
  assert.match(spread.stderr, /4 packets transmitted, 4 packets received/);
});
