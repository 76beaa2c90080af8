/**
 * Cross-check with a real decoder: packets built here are written to pcap files with our own
 * writer and decoded by tcpdump, which verifies every checksum (`-vv`). Skipped, with the reason
 * printed, when tcpdump is not installed (tests/setup.sh installs it as root).
 */
import assert from "node:assert/strict";
import { parseMac } from "../../../core/packet/address.ts";
import { buildPacketDetailed, type BuiltPacket, type PacketSpec } from "../../../core/packet/build.ts";
import { encodeEthernet, ETHERTYPE } from "../../../core/packet/ethernet.ts";
import { encodePcap, LINKTYPE, type PcapWriterOptions } from "../../../core/packet/pcap_writer.ts";
import { createRng } from "../../../core/packet/rng.ts";
import { TCP_FLAG_BITS, TCP_FLAGS_MASK } from "../../../core/packet/tcp.ts";

async function tcpdumpMissing(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("tcpdump", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success ? undefined : "tcpdump --version failed";
  } catch (e) {
    return e instanceof Deno.errors.NotFound
      ? "tcpdump is not installed (run tests/setup.sh as root)"
      : String(e);
  }
}

const missing = await tcpdumpMissing();
if (missing !== undefined) {
  // deno-lint-ignore no-console
  console.warn(`skipping tcpdump cross-check: ${missing}`);
}

const BASE_MS = 1_700_000_000_000;

/** Writes the frames to a pcap file, runs `tcpdump -nn -vv -tt` on it, returns one text block per packet. */
async function decode(
  frames: readonly Uint8Array[],
  options: PcapWriterOptions,
  extra: string[] = [],
): Promise<string[]> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, encodePcap(frames.map((data, i) => ({ timeMs: BASE_MS + i, data })), options));
    const out = await new Deno.Command("tcpdump", { args: ["-r", path, "-nn", "-vv", "-tt", ...extra] })
      .output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const blocks = text.split(/^(?=\d{10}\.\d{6} )/m).filter((b) => b.trim() !== "");
    assert.equal(blocks.length, frames.length, text);
    blocks.forEach((block, i) =>
      assert.ok(block.startsWith(`${(BASE_MS / 1000 + i / 1000).toFixed(6)} `), block)
    );
    return blocks.map((b) => b.replace(/\s+/g, " "));
  } finally {
    await Deno.remove(path);
  }
}

interface Case {
  readonly spec: PacketSpec;
  /** Fragments that must appear in tcpdump's decode. */
  readonly expect: readonly (string | RegExp)[];
  /** True when every checksum must be reported correct, false when one must be reported wrong. */
  readonly good: boolean;
}

const knock = new TextEncoder().encode("knock");
const FPU = TCP_FLAG_BITS.fin | TCP_FLAG_BITS.psh | TCP_FLAG_BITS.urg;
const SECN = TCP_FLAG_BITS.syn | TCP_FLAG_BITS.ece | TCP_FLAG_BITS.cwr | TCP_FLAG_BITS.ns;
const V4 = { src: "10.213.0.1", dst: "10.213.0.2" };
const V6 = { src: "fd00:213::1", dst: "fd00:213::2" };
const ALL_OPTIONS = [
  { type: "mss", value: 1460 },
  { type: "nop" },
  { type: "wscale", shift: 7 },
  { type: "sackPermitted" },
  { type: "timestamp", value: 1234, echo: 0 },
  { type: "sack", blocks: [[1000, 2000]] },
] as const;

const CASES: readonly Case[] = [
  {
    spec: { ...V4, transport: { protocol: "tcp", sport: 40000, dport: 7000, flags: FPU, seq: 5 } },
    expect: [
      "10.213.0.1.40000 > 10.213.0.2.7000: Flags [FPU]",
      "seq 5,",
      "win 64240",
      "ttl 64",
      "flags [none]",
    ],
    good: true,
  },
  {
    spec: { ...V4, transport: { protocol: "tcp", dport: 7000, flags: TCP_FLAGS_MASK } },
    expect: ["Flags [FSRP.UEW]"],
    good: true,
  },
  {
    spec: {
      ...V4,
      ip: { tos: 0xb8, ttl: 33, id: 4242, df: true },
      transport: {
        protocol: "tcp",
        sport: 40200,
        dport: 7000,
        seq: 1000,
        flags: SECN,
        window: 1024,
        options: ALL_OPTIONS,
      },
      payload: knock,
    },
    expect: [
      "tos 0xb8",
      "ttl 33, id 4242, offset 0, flags [DF]",
      "Flags [SEW]",
      "seq 1000:1005, win 1024",
      "options [mss 1460,nop,wscale 7,sackOK,TS val 1234 ecr 0,sack 1 {1000:2000},eol], length 5",
    ],
    good: true,
  },
  {
    spec: {
      ...V6,
      ip: { tos: 0xb8, flowLabel: 0x12345, ttl: 7 },
      transport: {
        protocol: "tcp",
        sport: 40300,
        dport: 7000,
        flags: FPU,
        urgentPointer: 5,
        options: ALL_OPTIONS,
      },
      payload: knock,
    },
    expect: [
      "IP6 (class 0xb8, flowlabel 0x12345, hlim 7, next-header TCP (6)",
      "fd00:213::1.40300 > fd00:213::2.7000: Flags [FPU]",
      "urg 5",
      "sack 1 {1000:2000}",
    ],
    good: true,
  },
  {
    spec: { ...V6, transport: { protocol: "tcp", dport: 7000, flags: TCP_FLAG_BITS.syn } },
    expect: ["Flags [S]"],
    good: true,
  },
  {
    spec: { ...V4, transport: { protocol: "udp", sport: 5000, dport: 9999 }, payload: knock },
    expect: ["10.213.0.1.5000 > 10.213.0.2.9999: [udp sum ok] UDP, length 5"],
    good: true,
  },
  {
    spec: { ...V6, transport: { protocol: "udp", sport: 5000, dport: 9999 }, payload: knock },
    expect: ["fd00:213::1.5000 > fd00:213::2.9999: [udp sum ok] UDP, length 5"],
    good: true,
  },
  {
    spec: { ...V4, transport: { protocol: "icmp", id: 77, seq: 3 }, payload: knock },
    expect: ["ICMP echo request, id 77, seq 3, length 13"],
    good: true,
  },
  {
    spec: { ...V6, transport: { protocol: "icmpv6", id: 77, seq: 3 }, payload: knock },
    expect: ["[icmp6 sum ok] ICMP6, echo request, id 77, seq 3"],
    good: true,
  },
  {
    spec: {
      ...V4,
      ip: { options: [{ type: "rr", addresses: [new Uint8Array(4), new Uint8Array(4)] }, { type: "nop" }] },
      transport: { protocol: "tcp", dport: 7000 },
    },
    expect: ["length 52, options (RR 0.0.0.0 0.0.0.0,NOP)", "Flags [S]"],
    good: true,
  },
  {
    spec: {
      ...V4,
      ip: { options: [{ type: "routerAlert" }] },
      transport: { protocol: "udp", sport: 1, dport: 2 },
    },
    expect: ["length 32, options (RA)", "[udp sum ok]"],
    good: true,
  },
  {
    spec: {
      ...V4,
      ip: { options: [{ type: "timestamp", words: [0, 0, 0] }] },
      transport: { protocol: "udp", sport: 1, dport: 2 },
    },
    expect: ["length 44, options (timestamp TS{TSONLY ^ 0@ 0@ 0@})", "[udp sum ok]"],
    good: true,
  },
  {
    // A middle fragment: tcpdump shows the offset in bytes and does not parse TCP in it.
    spec: {
      ...V4,
      ip: { id: 999, mf: true, fragmentOffset: 185 },
      transport: { protocol: "raw", number: 6 },
      payload: new Uint8Array(16),
    },
    expect: ["id 999, offset 1480, flags [+], proto TCP (6), length 36"],
    good: true,
  },
  {
    spec: { ...V4, transport: { protocol: "tcp", dport: 7000 }, badChecksum: "both" },
    expect: [/bad cksum [0-9a-f]+ \(->[0-9a-f]+\)!/, /cksum 0x[0-9a-f]{4} \(incorrect -> 0x[0-9a-f]{4}\)/],
    good: false,
  },
  {
    spec: { ...V6, transport: { protocol: "tcp", dport: 7000 }, badChecksum: true },
    expect: [/cksum 0x[0-9a-f]{4} \(incorrect -> 0x[0-9a-f]{4}\)/],
    good: false,
  },
  {
    spec: { ...V4, transport: { protocol: "udp", dport: 9 }, badChecksum: true, payload: knock },
    expect: [/\[bad udp cksum 0x[0-9a-f]{4} -> 0x[0-9a-f]{4}!\]/],
    good: false,
  },
  {
    spec: { ...V6, transport: { protocol: "udp", dport: 9 }, badChecksum: true },
    expect: [/\[bad udp cksum /],
    good: false,
  },
  {
    spec: { ...V4, transport: { protocol: "icmp" }, badChecksum: true },
    expect: [/wrong icmp cksum [0-9a-f]+ \(->[0-9a-f]+\)!/],
    good: false,
  },
  {
    spec: { ...V6, transport: { protocol: "icmpv6" }, badChecksum: true },
    expect: [/\[bad icmp6 cksum /],
    good: false,
  },
];

const BAD = /incorrect|bad cksum|bad udp cksum|wrong icmp cksum|bad icmp6 cksum|bad hdr length|truncated/;

Deno.test({
  name: "tcpdump -vv decodes every packet kind with the fields we set and checksums (correct)",
  ignore: missing !== undefined,
  fn: async () => {
    const rng = createRng(2026);
    const built: BuiltPacket[] = CASES.map((c) => buildPacketDetailed(c.spec, rng));
    const blocks = await decode(built.map((b) => b.bytes), { linkType: LINKTYPE.raw });
    CASES.forEach((c, i) => {
      const block = blocks[i]!;
      for (const fragment of c.expect) {
        if (typeof fragment === "string") {
          assert.ok(block.includes(fragment), `case ${i}: "${fragment}" not in\n${block}`);
        } else assert.match(block, fragment, `case ${i}`);
      }
      if (c.good) {
        assert.doesNotMatch(block, BAD, `case ${i}`);
        const t = built[i]!.transport;
        // Where tcpdump prints the TCP checksum, it is the one we report.
        if (t.protocol === "tcp") {
          assert.ok(
            block.includes(`cksum 0x${t.checksum.toString(16).padStart(4, "0")} (correct)`),
            `case ${i}: ${block}`,
          );
        }
      } else {
        assert.match(block, BAD, `case ${i}`);
      }
    });
  },
});

Deno.test({
  name: "tcpdump reads an Ethernet (LINKTYPE 1) file with VLAN-tagged and plain frames",
  ignore: missing !== undefined,
  fn: async () => {
    const src = parseMac("02:00:00:00:00:01"), dst = parseMac("66:67:99:1b:a3:31");
    const rng = createRng(1);
    const v4 =
      buildPacketDetailed({ ...V4, transport: { protocol: "tcp", sport: 1234, dport: 7000 } }, rng).bytes;
    const v6 =
      buildPacketDetailed({ ...V6, transport: { protocol: "udp", sport: 1234, dport: 9999 } }, rng).bytes;
    const blocks = await decode(
      [
        encodeEthernet({ src, dst, etherType: ETHERTYPE.ipv4 }, v4),
        encodeEthernet({ src, dst, etherType: ETHERTYPE.ipv6, vlan: { id: 100 } }, v6),
      ],
      { linkType: LINKTYPE.ethernet },
      ["-e"],
    );
    assert.match(blocks[0]!, /02:00:00:00:00:01 > 66:67:99:1b:a3:31, ethertype IPv4 \(0x0800\)/);
    assert.match(blocks[0]!, /cksum 0x[0-9a-f]{4} \(correct\)/);
    assert.match(blocks[1]!, /ethertype 802\.1Q \(0x8100\).*vlan 100.*ethertype IPv6/);
    assert.match(blocks[1]!, /\[udp sum ok\]/);
    for (const block of blocks) assert.doesNotMatch(block, BAD);
  },
});
