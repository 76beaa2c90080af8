/**
 * `knocktool craft` without privileges: argument errors name their option, `--dry-run --hexdump`
 * gives exact bytes, `--json` fields, `--pcap` files decoded by `core/decode`, every flag round
 * trip, per-packet variation with valid checksums (checked by an independent sum here), seeds,
 * send failures, and pacing with a fake clock.
 */
import assert from "node:assert/strict";
import { formatMessage } from "@optique/core/message";
import { parse } from "@optique/core/parser";
import { type CraftArgs, craftCommand, runCraft } from "../../cli/craft/command.ts";
import type { CraftNet } from "../../cli/craft/net.ts";
import { fakeNet } from "./_craft_net.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";
import { decodeFrame } from "../../core/decode/mod.ts";
import { TCP_FLAG_BITS, TCP_FLAGS } from "../../core/config/flags.ts";
import { runCli } from "./_io.ts";

const V4 = ["--dst", "10.0.0.2", "--src", "10.0.0.1"];
const V6 = ["--dst", "fd00::2", "--src", "fd00::1"];

/** Ones'-complement sum of 16-bit words (independent of core/packet). */
function sum16(bytes: Uint8Array, initial = 0): number {
  let s = initial;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** True when the IPv4 header checksum and the TCP/UDP/ICMP checksum verify. */
function checksumsValid(p: Uint8Array): boolean {
  const v4 = p[0]! >> 4 === 4;
  const hl = v4 ? (p[0]! & 15) * 4 : 40;
  if (v4 && sum16(p.subarray(0, hl)) !== 0xffff) return false;
  const proto = v4 ? p[9]! : p[6]!;
  const seg = p.subarray(hl);
  if (proto === 1) return sum16(seg) === 0xffff;
  const pseudo = v4
    ? [...p.subarray(12, 20), 0, proto, seg.length >> 8, seg.length & 255]
    : [...p.subarray(8, 40), 0, 0, seg.length >> 8, seg.length & 255, 0, 0, 0, proto];
  return sum16(seg, sum16(Uint8Array.from(pseudo))) === 0xffff;
}

function fromHexdump(text: string): Uint8Array[] {
  const packets: number[][] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) packets.push([]);
    const m = /^[0-9a-f]{4} {2}(.{23}) {2}(.{23}) {2}\|/.exec(line);
    if (m) {
      packets.at(-1)!.push(
        ...`${m[1]} ${m[2]}`.trim().split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)),
      );
    }
  }
  return packets.map((p) => Uint8Array.from(p));
}

Deno.test("craft: bad values are usage errors that name the option (exit 2), never a stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [[...V4, "--dport", "7000", "--ttl", "300"], /--ttl: must be 0\.\.255, got 300/],
    [[...V4, "--dport", "7000", "--ttl", "x"], /--ttl: must be an integer 0\.\.255, got "x"/],
    [[...V4], /--dport: required for TCP/],
    [[...V4, "--dport", "70000"], /--dport: must be 0\.\.65535, got 70000/],
    [[...V4, "--dport", "7000", "--flags", "syn,bogus"], /--flags: Unrecognized TCP flag "bogus"/],
    [[...V4, "--proto", "sctp", "--dport", "1"], /--proto: must be tcp, udp or icmp, got "sctp"/],
    [[...V6, "--dport", "7000", "--id", "5"], /--id: applies to IPv4 only/],
    [[...V6, "--dport", "7000", "--df"], /--df: applies to IPv4 only/],
    [[...V4, "--dport", "7000", "--flow-label", "5"], /--flow-label: applies to IPv6 only/],
    [[...V4, "--dport", "7000", "--flow-label", "5"], /--flow-label: applies to IPv6 only/],
    [[...V6, "--dport", "7000", "--flow-label", "0x100000"], /--flow-label: must be 0\.\.1048575/],
    [[...V4, "--dport", "7000", "--tcp-opt", "mss=70000"], /--tcp-opt mss: must be 0\.\.65535, got 70000/],
    [[...V4, "--dport", "7000", "--tcp-opt", "bogus"], /--tcp-opt: unknown option "bogus"/],
    [
      [...V4, "--dport", "7000", "--ip-opt", "nop,bogus"],
      /--ip-opt: unknown option "bogus" \(expected nop, eol, ra/,
    ],
    [[...V4, "--dport", "7000", "--tcp-opt", "eol=1"], /--tcp-opt/],
    [[...V4, "--dport", "7000", "--tcp-opt", "raw=0"], /--tcp-opt raw: Odd hex digit/],
    [[...V4, "--dport", "7000", "--ip-opt", "rr=12"], /--ip-opt rr: must be 1\.\.9, got 12/],
    [[...V4, "--dport", "7000", "--data", "a", "--data-hex", "41"], /give at most one/],
    [[...V4, "--dport", "7000", "--data-hex", "4g"], /--data-hex: Invalid hex digit "g"/],
    [[...V4, "--proto", "udp", "--dport", "7000", "--flags", "fin"], /--flags: applies to TCP only/],
    [[...V4, "--proto", "icmp", "--dport", "7000"], /--dport: ICMP has no ports/],
    [[...V4, "--sequence", "7000,70000"], /--sequence: port must be 1\.\.65535, got 70000/],
    [[...V4, "--sequence", "7000", "--dport", "1"], /--sequence: cannot be combined with --dport/],
    [[...V4, "--dport", "1", "--count", "0"], /-c\/--count: must be 1\.\.\d+, got 0/],
    [[...V4, "--dport", "1", "--rate", "fast"], /--rate: must be a number/],
    [["--dst", "10.0.0.2", "--src", "fd00::1", "--dport", "1"], /--src: "fd00::1" is IPv6 but --dst is IPv4/],
    [[
      ...V4,
      "--dport",
      "1",
      "--tcp-opt",
      "mss=1,mss=1,mss=1,mss=1,mss=1,mss=1,mss=1,mss=1,mss=1,mss=1,mss=1",
    ], /packet: "options" must be at most 40 bytes/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(["craft", "--dry-run", ...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /^knocktool craft: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

Deno.test("craft --dry-run --hexdump: exact bytes of a fully specified IPv4 packet", async () => {
  const r = await runCli([
    "craft",
    ...V4,
    "--dport",
    "7000",
    "--sport",
    "40000",
    "--seq",
    "0x01020304",
    "--id",
    "0x1234",
    "--ttl",
    "64",
    "--flags",
    "fin,psh,urg",
    "--urg",
    "5",
    "--data",
    "hi",
    "--dry-run",
    "--hexdump",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    "# 1: 10.0.0.1.40000 > 10.0.0.2.7000: tcp [FPU] seq 16909060 win 64240, 42 bytes\n" +
      "0000  45 00 00 2a 12 34 00 00  40 06 54 98 0a 00 00 01  |E..*.4..@.T.....|\n" +
      "0010  0a 00 00 02 9c 40 1b 58  01 02 03 04 00 00 00 00  |.....@.X........|\n" +
      "0020  50 29 fa f0 7c b9 00 05  68 69                    |P)..|...hi|\n",
  );
  // Checksums 0x5498 and 0x7cb9 were computed separately with Python (RFC 1071 sum).
  const [packet] = fromHexdump(r.stdout);
  assert.ok(checksumsValid(packet!), "independent checksum check");
  assert.equal(r.stderr, "", "a dry run prints no send statistics");
});

Deno.test("craft --json: one object per packet with every field; IPv6 fields and TCP options", async () => {
  const r = await runCli([
    "craft",
    ...V6,
    "--dport",
    "7000",
    "--flags",
    "syn,ece,cwr,!ack",
    "--hop-limit",
    "3",
    "--traffic-class",
    "0x28",
    "--flow-label",
    "0xbeef",
    "--tcp-opt",
    "mss=1460,sackok,ts=1:0,nop,wscale=7",
    "--window",
    "1024",
    "--count",
    "3",
    "--seed",
    "9",
    "--dry-run",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  for (const [i, p] of lines.entries()) {
    assert.equal(p.index, i);
    assert.equal(p.sent, false);
    assert.deepEqual(
      { ...p.ip, payloadLength: undefined },
      {
        version: 6,
        src: "fd00::1",
        dst: "fd00::2",
        trafficClass: 0x28,
        flowLabel: 0xbeef,
        payloadLength: undefined,
        nextHeader: 6,
        hopLimit: 3,
      },
    );
    assert.equal(p.transport.protocol, "tcp");
    assert.deepEqual(p.transport.flags, ["syn", "ece", "cwr"]);
    assert.equal(p.transport.window, 1024);
    assert.equal(p.transport.dataOffset, 10);
    assert.equal(p.transport.options, "020405b40402080a000000010000000001030307");
    assert.ok(checksumsValid(Uint8Array.from(p.hex.match(/../g).map((h: string) => parseInt(h, 16)))));
  }
  assert.notEqual(lines[0].transport.sport, lines[1].transport.sport, "random sport varies per packet");
  assert.notEqual(lines[1].transport.seq, lines[2].transport.seq, "random seq varies per packet");
  const again = await runCli([
    "craft",
    ...V6,
    "--dport",
    "7000",
    "--count",
    "3",
    "--seed",
    "9",
    "--dry-run",
    "--json",
  ]);
  const again2 = await runCli([
    "craft",
    ...V6,
    "--dport",
    "7000",
    "--count",
    "3",
    "--seed",
    "9",
    "--dry-run",
    "--json",
  ]);
  const strip = (s: string) => s.replace(/"timeMs":[0-9.]+,/g, "");
  assert.equal(strip(again.stdout), strip(again2.stdout), "the same seed gives the same packets");
});

Deno.test("craft: every TCP flag alone and in combinations round-trips through core/decode", async () => {
  const specs: [string, number][] = TCP_FLAGS.map((f) => [f, TCP_FLAG_BITS[f]]);
  specs.push(["syn,!ack", 0x02], ["all", 0x1ff], ["none", 0], ["fin,psh,urg", 0x29], ["syn,ack", 0x12], [
    "all,!ns,!syn",
    0xfd,
  ]);
  for (const [spec, bits] of specs) {
    for (const dst of [V4, V6]) {
      const r = await runCli(["craft", ...dst, "--dport", "7000", "--flags", spec, "--dry-run", "--json"]);
      assert.equal(r.code, 0, `${spec}: ${r.stderr}`);
      const hex = JSON.parse(r.stdout).hex as string;
      const d = decodeFrame(101, Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))), 0);
      assert.ok(d.ok, spec);
      assert.equal(d.knock.flags, bits, `${spec} decoded as ${d.knock.flags.toString(16)}`);
      assert.equal(d.knock.dport, 7000);
    }
  }
});

Deno.test("craft --pcap: the file holds exactly the packets, decodable by core/decode (sequence, UDP, ICMP)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-craft-" });
  try {
    const r = await runCli([
      "craft",
      ...V4,
      "--sequence",
      "7000:tcp,8000:UDP,9000",
      "--count",
      "2",
      "--data-hex",
      "6b6e6f636b",
      "--dry-run",
      "--hexdump",
      "--pcap",
      `${dir}/out.pcap`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const file = await Deno.readFile(`${dir}/out.pcap`);
    const view = new DataView(file.buffer);
    assert.equal(view.getUint32(0, true), 0xa1b2c3d4);
    assert.equal(view.getUint32(20, true), 101, "LINKTYPE_RAW");
    const records: Uint8Array[] = [];
    for (let at = 24; at < file.length;) {
      const len = view.getUint32(at + 8, true);
      records.push(file.subarray(at + 16, at + 16 + len));
      at += 16 + len;
    }
    assert.deepEqual(records, fromHexdump(r.stdout), "pcap holds what the hexdump shows");
    const decoded = records.map((p) => decodeFrame(101, p, 0));
    assert.deepEqual(
      decoded.map((d) => (d.ok ? `${d.knock.protocol}:${d.knock.dport}` : d.reason)),
      ["tcp:7000", "udp:8000", "tcp:9000", "tcp:7000", "udp:8000", "tcp:9000"],
    );
    for (const p of records) {
      assert.ok(checksumsValid(p));
      assert.equal(new TextDecoder().decode(p.subarray(p.length - 5)), "knock");
    }

    const icmp = await runCli(["craft", ...V6, "--proto", "icmp", "--icmp-seq", "7", "--dry-run", "--json"]);
    const obj = JSON.parse(icmp.stdout);
    assert.deepEqual({ ...obj.transport, checksum: 0, id: 0 }, {
      protocol: "icmpv6",
      type: 128,
      code: 0,
      checksum: 0,
      id: 0,
      seq: 7,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("craft --bad-checksum: the transport checksum is wrong, everything else right", async () => {
  const r = await runCli(["craft", ...V4, "--dport", "7000", "--bad-checksum", "--dry-run", "--json"]);
  const p = Uint8Array.from((JSON.parse(r.stdout).hex as string).match(/../g)!.map((h) => parseInt(h, 16)));
  assert.equal(sum16(p.subarray(0, 20)), 0xffff, "IP header checksum still right");
  assert.ok(!checksumsValid(p), "TCP checksum wrong");
});

async function craftWith(
  argv: string[],
  net: CraftNet,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const parsed = parse(craftCommand, ["craft", ...argv]);
  if (!parsed.success) throw new Error(formatMessage(parsed.error));
  let stdout = "", stderr = "";
  const io: Io = { ...denoIo(), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCraft(parsed.value as CraftArgs, io, net);
  return { code, stdout, stderr };
}

Deno.test("craft: sent packets equal the pcap; resolved names and the route's source address are used", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-craft-" });
  try {
    const net = fakeNet();
    const r = await craftWith([
      "--dst",
      "knock.example",
      "--dport",
      "7000",
      "--count",
      "200",
      "--pcap",
      `${dir}/s.pcap`,
    ], net);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sent 200 of 200 packets/);
    assert.equal(net.sent.length, 200);
    const file = await Deno.readFile(`${dir}/s.pcap`);
    const view = new DataView(file.buffer);
    let at = 24;
    for (const packet of net.sent) {
      const len = view.getUint32(at + 8, true);
      assert.deepEqual(file.subarray(at + 16, at + 16 + len), packet);
      assert.ok(checksumsValid(packet), "patched checksums stay valid");
      at += 16 + len;
    }
    const d = decodeFrame(101, net.sent[0]!, 0);
    assert.ok(d.ok && d.knock.src === "192.0.2.1" && d.knock.dst === "192.0.2.9");
    assert.ok(new Set(net.sent.map((p) => (p[20]! << 8) | p[21]!)).size > 150, "source ports vary");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("craft: a failed send gives exit 1 with the reason; no privilege gives the raw-socket message", async () => {
  const failing = await craftWith([...V4, "--dport", "7000", "--count", "10"], fakeNet({ failEvery: 3 }));
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /sent 7 of 10 packets/);
  assert.match(failing.stderr, /knocktool craft: 3 of 10 packets failed: sendto: Operation not permitted/);

  const denied = await craftWith(
    [...V4, "--dport", "7000"],
    fakeNet({ openError: "Raw sockets need root or cap_net_raw (socket: Operation not permitted)" }),
  );
  assert.equal(denied.code, 1);
  assert.match(
    denied.stderr,
    /Raw sockets need root or cap_net_raw .*--dry-run builds packets without sending/,
  );
});

Deno.test("craft --rate/--duration/--delay: paced in batches, not one timer per packet", async () => {
  const fast = fakeNet({ sendCostMs: 0.001 });
  const r = await craftWith([...V4, "--dport", "7000", "--count", "10000", "--rate", "100000"], fast);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fast.sent.length, 10000);
  assert.ok(fast.sleeps.length <= 110, `${fast.sleeps.length} sleeps for 10000 packets at 100 kpps`);
  const total = fast.sleeps.reduce((a, b) => a + b, 0);
  assert.ok(total > 85 && total < 101, `slept ${total} ms for 100 ms of packets`);

  const timed = fakeNet({ sendCostMs: 0.01 });
  const t = await craftWith([...V4, "--dport", "7000", "--duration", "0.5"], timed);
  assert.equal(t.code, 0);
  assert.ok(
    timed.sent.length >= 49_000 && timed.sent.length <= 50_300,
    `${timed.sent.length} packets in 0.5 s`,
  );

  const seq = fakeNet();
  const s = await craftWith([...V4, "--sequence", "1,2:udp,3", "--delay", "250"], seq);
  assert.equal(s.code, 0);
  assert.deepEqual(seq.sleeps, [250, 250], "a delay between steps, none after the last");
});

Deno.test("craft: patched copies keep valid checksums for every protocol and family (ack, UDP, ICMP id)", async () => {
  const variants = [
    ["--dport", "7000", "--flags", "syn,ack"],
    ["--dport", "7000", "--flags", "ack,psh", "--data", "odd"],
    ["--proto", "udp", "--dport", "8000", "--data", "x"],
    ["--proto", "udp", "--dport", "8000"],
    ["--proto", "icmp", "--data", "ping!"],
  ];
  for (const family of [V4, V6]) {
    for (const variant of variants) {
      const r = await runCli([
        "craft",
        ...family,
        ...variant,
        "--count",
        "300",
        "--seed",
        "4",
        "--dry-run",
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const packets = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(packets.length, 300);
      const distinct = new Set<string>();
      for (const p of packets) {
        const bytes = Uint8Array.from((p.hex as string).match(/../g)!.map((h) => parseInt(h, 16)));
        assert.ok(checksumsValid(bytes), `${variant.join(" ")}: bad checksum in ${p.hex}`);
        distinct.add(p.hex);
      }
      assert.ok(distinct.size > 290, `${variant.join(" ")}: copies vary (${distinct.size} distinct)`);
      if (variant.includes("syn,ack")) {
        assert.ok(new Set(packets.map((p) => p.transport.ack)).size > 290, "random ack varies");
      }
    }
  }
});
