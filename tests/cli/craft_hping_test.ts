/**
 * `knocktool craft` for hping3, sendip and packit users, without privileges: hping3's short options
 * build the same packets as the long ones, flag letters, `-1`/`-2`, `-d` sizes, `-i` intervals,
 * random sources and destinations in a CIDR block, what `--dry-run` says about the source it
 * chose, and the exit status of an I/O error (74) distinct from a failed send (1).
 */
import assert from "node:assert/strict";
import { formatMessage } from "@optique/core/message";
import { parse } from "@optique/core/parser";
import { type CraftArgs, craftCommand, EXIT_IO, runCraft } from "../../cli/craft/command.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";
import { type FakeCraftNet, fakeNet, type FakeNetOptions } from "./_craft_net.ts";
import { runCli } from "./_io.ts";

const V4 = ["--dst", "10.0.0.2", "--src", "10.0.0.1"];

async function craftWith(argv: string[], net: FakeCraftNet) {
  const parsed = parse(craftCommand, ["craft", ...argv]);
  if (!parsed.success) throw new Error(formatMessage(parsed.error));
  let stdout = "", stderr = "";
  const io: Io = { ...denoIo(), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCraft(parsed.value as CraftArgs, io, net);
  return { code, stdout, stderr };
}

/** The fields of craft's `--json` objects these tests read. */
interface JsonPacket {
  readonly hex: string;
  readonly payload: string;
  readonly ip: { readonly src: string; readonly dst: string };
}

function packets(stdout: string): JsonPacket[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** Ones'-complement sum of 16-bit words. */
function sum16(bytes: Uint8Array, initial = 0): number {
  let s = initial;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function checksumsValid(p: Uint8Array): boolean {
  const hl = (p[0]! & 15) * 4;
  if (sum16(p.subarray(0, hl)) !== 0xffff) return false;
  const proto = p[9]!;
  const seg = p.subarray(hl);
  if (proto === 1) return sum16(seg) === 0xffff;
  const pseudo = [...p.subarray(12, 20), 0, proto, seg.length >> 8, seg.length & 255];
  return sum16(seg, sum16(Uint8Array.from(pseudo))) === 0xffff;
}

function bytesOf(p: JsonPacket): Uint8Array {
  return Uint8Array.from(p.hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

Deno.test("craft: hping3's short options build exactly the packets of the long ones", async () => {
  const pairs: [string[], string[]][] = [
    [["-p", "22", "-s", "4000", "-c", "3"], ["--dport", "22", "--sport", "4000", "--count", "3"]],
    [["-a", "10.9.9.9", "-p", "1"], ["--src", "10.9.9.9", "--dport", "1"]],
    [["-p", "1", "-t", "7", "-o", "16", "-N", "99", "-y", "-x", "-g", "3"], [
      "--dport",
      "1",
      "--ttl",
      "7",
      "--tos",
      "16",
      "--id",
      "99",
      "--df",
      "--mf",
      "--frag-offset",
      "3",
    ]],
    [["-p", "1", "-w", "512", "-M", "100", "-L", "200", "-A", "-b"], [
      "--dport",
      "1",
      "--window",
      "512",
      "--seq",
      "100",
      "--ack",
      "200",
      "--flags",
      "ack",
      "--bad-checksum",
    ]],
    [["-2", "-p", "53"], ["--proto", "udp", "--dport", "53"]],
    [["-1", "-C", "13", "-K", "0"], ["--proto", "icmp", "--icmp-type", "13", "--icmp-code", "0"]],
    [["-S", "-A", "-F", "-R", "-P", "-U", "-X", "-Y", "-p", "1"], ["--flags", "FSRPAUXY", "--dport", "1"]],
    [["-SA", "-p", "1"], ["--flags", "syn,ack", "--dport", "1"]],
    [["-FPU", "-p", "1"], ["--flags", "fin,psh,urg", "--dport", "1"]],
    [["-p", "1", "--flags", "SA"], ["--dport", "1", "--flags", "syn,ack"]],
  ];
  for (const [short, long] of pairs) {
    const common = ["--dst", "10.0.0.2", "--seed", "9", "--dry-run", "--json"];
    const a = await runCli(["craft", ...common, ...short]);
    const b = await runCli(["craft", ...common, ...long]);
    assert.equal(a.code, 0, `${short.join(" ")}: ${a.stderr}`);
    assert.equal(b.code, 0, `${long.join(" ")}: ${b.stderr}`);
    const hex = (out: string) => packets(out).map((p) => p.hex);
    assert.deepEqual(hex(a.stdout), hex(b.stdout), `${short.join(" ")} is ${long.join(" ")}`);
  }
});

Deno.test("craft: flag letters, -1/-2 and --proto, -d with the payload: conflicts and errors name the options", async () => {
  const cases: [string[], RegExp][] = [
    [
      [...V4, "-p", "1", "-S", "--flags", "ack"],
      /--flags: cannot be combined with -S \(give the flags one way\)/,
    ],
    [[...V4, "-2", "-p", "1", "-S"], /-S: applies to TCP only/],
    [[...V4, "-1", "-2", "-p", "1"], /-2 and -1: give one protocol/],
    [[...V4, "-2", "--proto", "tcp", "-p", "1"], /--proto and -2: give one protocol/],
    [[...V4, "--sequence", "1,2", "-2"], /--sequence: gives the protocols itself, drop -2/],
    [[...V4, "-p", "1", "-d", "70000"], /-d\/--data-size: must be 0\.\.65535, got 70000/],
    [
      [...V4, "-p", "1", "--flags", "syn, ack"],
      /--flags: Unrecognized TCP flag " ack": no spaces around flags/,
    ],
    [[...V4, "-p", "1", "--flags", ""], /--flags: Empty TCP flag/],
    [[...V4, "-p", "1", "-i", "x"], /-i\/--interval: must be seconds \(1, 0\.5\) or microseconds after a u/],
    [[...V4, "-p", "1", "-i", "u0"], /-i\/--interval: must be more than 0/],
    [[...V4, "-p", "1", "-i", "1", "--rate", "5"], /--rate and -i\/--interval: give one way of pacing/],
    [[...V4, "-p", "1", "-i", "1", "--delay", "5"], /-i\/--interval and --delay: give one way of pacing/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(["craft", "--dry-run", ...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /^knocktool craft: /);
  }
  const missing = await runCli(["craft", "-p", "1", "--dry-run"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Error: Missing option `--dst`/);
});

Deno.test("craft -d N: exactly N payload bytes, the payload given cut or padded with zeros", async () => {
  const cases: [string[], string][] = [
    [["-d", "4"], "00000000"],
    [["-d", "5", "--data", "ab"], "6162000000"],
    [["-d", "2", "--data", "knock"], "6b6e"],
    [["-d", "0", "--data-hex", "ff"], ""],
    [["-2", "-d", "3"], "000000"],
  ];
  for (const [extra, payload] of cases) {
    const r = await runCli(["craft", ...V4, "-p", "7", "--dry-run", "--json", ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const p = packets(r.stdout)[0]!;
    assert.equal(p.payload, payload, extra.join(" "));
    assert.ok(checksumsValid(bytesOf(p)), `checksum with ${extra.join(" ")}`);
  }
});

Deno.test("craft -i: hping3's interval paces the packets (u1000 is 1 ms, 1 is one second)", async () => {
  const micro = fakeNet();
  const r = await craftWith([...V4, "-p", "1", "-c", "100", "-i", "u10000"], micro);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(micro.sent.length, 100);
  const total = micro.sleeps.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 990) < 1, `slept ${total} ms for 100 packets 10 ms apart`);
  const seconds = fakeNet();
  await craftWith([...V4, "-p", "1", "-c", "3", "-i", "1"], seconds);
  assert.deepEqual(seconds.sleeps, [1000, 1000]);
});

Deno.test("craft --rand-source/--rand-dest: random addresses in the CIDR blocks, valid checksums, seeded", async () => {
  const args = ["--dst", "10.1.0.0/16", "--rand-dest", "-a", "172.16.0.0/12", "--rand-source", "-c", "300"];
  for (const proto of [["-p", "7000"], ["-2", "-p", "53"], ["-1"]]) {
    const r = await runCli(["craft", ...args, ...proto, "--seed", "1", "--dry-run", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const all = packets(r.stdout);
    assert.equal(all.length, 300);
    for (const p of all) {
      assert.match(p.ip.dst, /^10\.1\.\d+\.\d+$/);
      const [a, b] = p.ip.src.split(".").map(Number);
      assert.ok(a === 172 && b! >= 16 && b! < 32, `source ${p.ip.src} in 172.16.0.0/12`);
      assert.ok(checksumsValid(bytesOf(p)), `${proto.join(" ")}: checksums of ${p.hex}`);
    }
    assert.ok(new Set(all.map((p) => p.ip.src)).size > 290, "sources vary");
    assert.ok(new Set(all.map((p) => p.ip.dst)).size > 250, "destinations vary");
    const again = await runCli(["craft", ...args, ...proto, "--seed", "1", "--dry-run", "--json"]);
    assert.deepEqual(
      packets(again.stdout).map((p) => p.hex),
      all.map((p) => p.hex),
      "the same seed, the same packets",
    );
  }
  // Without a block, --rand-source draws from the whole family; the route lookup is not needed.
  const any = await runCli([
    "craft",
    "--dst",
    "10.0.0.2",
    "--rand-source",
    "-p",
    "1",
    "-c",
    "50",
    "--dry-run",
    "--json",
  ]);
  assert.equal(any.code, 0, any.stderr);
  assert.ok(new Set(packets(any.stdout).map((p) => p.ip.src.split(".")[0])).size > 10, "first bytes vary");
  const errors: [string[], RegExp][] = [
    [["--dst", "10.1.0.0/16", "-p", "1"], /--dst: "10\.1\.0\.0\/16" is a CIDR block; add --rand-dest/],
    [["--dst", "10.1.0.1", "--rand-dest", "-p", "1"], /--rand-dest: --dst must be a CIDR block/],
    [
      ["--dst", "10.1.0.1", "-a", "10.0.0.0/8", "-p", "1"],
      /--src: "10\.0\.0\.0\/8" is a CIDR block; add --rand-source/,
    ],
    [
      ["--dst", "10.1.0.1", "-a", "10.0.0.1", "--rand-source", "-p", "1"],
      /--rand-source: --src must be a CIDR block/,
    ],
    [["--dst", "10.1.0.0/33", "--rand-dest", "-p", "1"], /--dst prefix: must be 0\.\.32, got 33/],
    [["--dst", "fd00::/64", "--rand-dest", "-4", "-p", "1"], /--dst: "fd00::\/64" is not an IPv4 block/],
  ];
  for (const [argv, pattern] of errors) {
    const r = await runCli(["craft", ...argv, "--dry-run"]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

Deno.test("craft --rand-dest sends each packet to its own destination", async () => {
  const net = fakeNet();
  const r = await craftWith(
    ["--dst", "10.7.0.0/24", "--rand-dest", "-p", "1", "-c", "50", "--seed", "2"],
    net,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(new Set(net.sent.map((p) => p[19])).size > 30, "last destination bytes vary");
  for (const p of net.sent) assert.deepEqual([...p.subarray(16, 19)], [10, 7, 0]);
});

Deno.test("craft --dry-run says which source it chose and why; without a route it needs --src (exit 2)", async () => {
  const routed = await craftWith(["--dst", "10.0.0.2", "-p", "1", "--dry-run"], fakeNet());
  assert.equal(routed.code, 0, routed.stderr);
  assert.equal(
    routed.stderr,
    "knocktool craft: source 192.0.2.1: the kernel's choice for the route to 10.0.0.2 via fake0 (--src sets another)\n",
  );
  assert.match(routed.stdout, /^192\.0\.2\.1\.\d+ > 10\.0\.0\.2\.1: tcp \[S\]/);
  const given = await craftWith([...V4, "-p", "1", "--dry-run"], fakeNet());
  assert.equal(given.stderr, "", "nothing to say when --src is given");
  const options: FakeNetOptions = { noRoute: "connect: Network is unreachable" };
  const unrouted = await craftWith(["--dst", "10.0.0.2", "-p", "1", "--dry-run"], fakeNet(options));
  assert.equal(unrouted.code, 2);
  assert.equal(unrouted.stdout, "", "no packet with a made-up source");
  assert.match(
    unrouted.stderr,
    /--src: required with --dry-run when there is no route to 10\.0\.0\.2 \(connect: Network is unreachable\)/,
  );
  const sending = await craftWith(["--dst", "10.0.0.2", "-p", "1"], fakeNet(options));
  assert.equal(sending.code, 1);
  assert.match(sending.stderr, /No source address: no route to 10\.0\.0\.2 .*; give --src/);
  const spoofed = await craftWith([...V4, "-p", "1", "--dry-run"], fakeNet(options));
  assert.equal(spoofed.code, 0, "a given source needs no route");
});

Deno.test("craft: an unwritable --pcap or unreadable --data-file is exit 74 naming the file, before any packet", async () => {
  assert.equal(EXIT_IO, 74);
  const pcap = await runCli(["craft", ...V4, "-p", "1", "--pcap", "/proc/nope.pcap", "--dry-run"]);
  assert.equal(pcap.code, 74, pcap.stderr);
  assert.equal(pcap.stdout, "", "nothing printed before the error");
  assert.match(pcap.stderr, /^knocktool craft: --pcap: cannot write "\/proc\/nope\.pcap": /);
  const net = fakeNet();
  const sending = await craftWith([...V4, "-p", "1", "--pcap", "/nonexistent/dir/x.pcap"], net);
  assert.equal(sending.code, 74);
  assert.equal(net.sent.length, 0, "nothing sent when the pcap cannot be written");
  const data = await runCli(["craft", ...V4, "-p", "1", "-E", "/nonexistent/x", "--dry-run"]);
  assert.equal(data.code, 74);
  assert.match(data.stderr, /-E\/--data-file: cannot read "\/nonexistent\/x": No such file or directory/);
  const help = await runCli(["craft", "--help"], { env: { COLUMNS: "200" } });
  assert.match(help.stdout, /74 a file could not be read or written/);
  assert.match(help.stdout, /1 a send failed/);
});
