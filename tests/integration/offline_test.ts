/**
 * Pcap files written by the tests, read back through the real libpcap (`openOffline`), filtered with BPF,
 * dispatched and decoded.
 */
import assert from "node:assert/strict";
import { decodeFrame, LinkType } from "../../core/decode/mod.ts";
import type { Knock } from "../../core/knock.ts";
import { buildPacket, createRng, encodeEthernet, type PacketSpec } from "../../core/packet/mod.ts";
import { compileCheck, PcapError, PcapHandle } from "../../ffi/mod.ts";
import { sll, sll2 } from "../core/decode/_frames.ts";
import { libpcapAvailable, writeTempPcap } from "./_pcap.ts";

const ignore = !(await libpcapAvailable());
const T0 = 1_764_000_000_000;

const MAC_A = new Uint8Array([2, 0, 0, 0, 0, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 0, 2]);

function ip(spec: PacketSpec, seed: number): Uint8Array {
  return buildPacket(spec, createRng(seed));
}

function eth(packet: Uint8Array, vlan?: number): Uint8Array {
  const etherType = (packet[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  return encodeEthernet(
    vlan === undefined
      ? { dst: MAC_B, src: MAC_A, etherType }
      : { dst: MAC_B, src: MAC_A, etherType, vlan: { id: vlan } },
    packet,
  );
}

const SYN = 0x02;
const ACK = 0x10;

/** The packets of the Ethernet capture, in order; `expect` is the knock after decoding. */
const ethernetPackets: { label: string; data: Uint8Array; knock?: Omit<Knock, "timeMs"> }[] = [
  {
    label: "v4 syn 7000",
    data: eth(
      ip({
        src: "10.200.1.2",
        dst: "10.200.1.1",
        transport: { protocol: "tcp", sport: 40000, dport: 7000, seq: 1 },
      }, 1),
    ),
    knock: {
      family: 4,
      src: "10.200.1.2",
      dst: "10.200.1.1",
      protocol: "tcp",
      sport: 40000,
      dport: 7000,
      flags: SYN,
      seq: 1,
    },
  },
  {
    label: "v4 syn+ack 8000",
    data: eth(
      ip({
        src: "10.200.1.2",
        dst: "10.200.1.1",
        transport: { protocol: "tcp", sport: 40001, dport: 8000, seq: 2, flags: SYN | ACK, ack: 5 },
      }, 2),
    ),
    knock: {
      family: 4,
      src: "10.200.1.2",
      dst: "10.200.1.1",
      protocol: "tcp",
      sport: 40001,
      dport: 8000,
      flags: SYN | ACK,
      seq: 2,
    },
  },
  {
    label: "v4 udp 9000",
    data: eth(
      ip({
        src: "10.200.1.3",
        dst: "10.200.1.1",
        transport: { protocol: "udp", sport: 5353, dport: 9000 },
        payload: new Uint8Array([1, 2, 3]),
      }, 3),
    ),
    knock: {
      family: 4,
      src: "10.200.1.3",
      dst: "10.200.1.1",
      protocol: "udp",
      sport: 5353,
      dport: 9000,
      flags: 0,
      seq: 0,
    },
  },
  {
    label: "v4 syn 7000 to another host",
    data: eth(
      ip({
        src: "10.200.1.2",
        dst: "10.200.1.9",
        transport: { protocol: "tcp", sport: 40002, dport: 7000, seq: 3 },
      }, 4),
    ),
    knock: {
      family: 4,
      src: "10.200.1.2",
      dst: "10.200.1.9",
      protocol: "tcp",
      sport: 40002,
      dport: 7000,
      flags: SYN,
      seq: 3,
    },
  },
  {
    label: "v4 icmp echo",
    data: eth(ip({ src: "10.200.1.2", dst: "10.200.1.1", transport: { protocol: "icmp" } }, 5)),
  },
  {
    label: "v6 syn 7000",
    data: eth(
      ip({
        src: "fd00:200::2",
        dst: "fd00:200::1",
        transport: { protocol: "tcp", sport: 40003, dport: 7000, seq: 0xfffffff0 },
      }, 6),
    ),
    knock: {
      family: 6,
      src: "fd00:200::2",
      dst: "fd00:200::1",
      protocol: "tcp",
      sport: 40003,
      dport: 7000,
      flags: SYN,
      seq: 0xfffffff0,
    },
  },
  {
    label: "v6 udp 9000",
    data: eth(
      ip({
        src: "fd00:200::2",
        dst: "fd00:200::1",
        transport: { protocol: "udp", sport: 40004, dport: 9000 },
      }, 7),
    ),
    knock: {
      family: 6,
      src: "fd00:200::2",
      dst: "fd00:200::1",
      protocol: "udp",
      sport: 40004,
      dport: 9000,
      flags: 0,
      seq: 0,
    },
  },
  {
    label: "v4 syn 7000 in VLAN 42",
    data: eth(
      ip({
        src: "10.200.1.4",
        dst: "10.200.1.1",
        transport: { protocol: "tcp", sport: 40005, dport: 7000, seq: 4 },
      }, 8),
      42,
    ),
    knock: {
      family: 4,
      src: "10.200.1.4",
      dst: "10.200.1.1",
      protocol: "tcp",
      sport: 40005,
      dport: 7000,
      flags: SYN,
      seq: 4,
    },
  },
  {
    label: "v4 syn 6000",
    data: eth(
      ip({
        src: "10.200.1.2",
        dst: "10.200.1.1",
        transport: { protocol: "tcp", sport: 40006, dport: 6000, seq: 5 },
      }, 9),
    ),
    knock: {
      family: 4,
      src: "10.200.1.2",
      dst: "10.200.1.1",
      protocol: "tcp",
      sport: 40006,
      dport: 6000,
      flags: SYN,
      seq: 5,
    },
  },
];

function timeOf(index: number): number {
  return T0 + index * 1000 + 0.25 + index; // fractional milliseconds survive as microseconds
}

/** Reads every frame of `path` (optionally filtered) and decodes it. */
function readAll(
  path: string,
  filter?: string,
  max = -1,
): { knocks: Knock[]; lengths: number[]; linktype: number } {
  using pcap = PcapHandle.openOffline(path);
  if (filter !== undefined) pcap.setFilter(filter);
  const linktype = pcap.datalink();
  const knocks: Knock[] = [];
  const lengths: number[] = [];
  while (
    pcap.dispatch(max, (tsMs, caplen, len, bytes) => {
      assert.equal(bytes.length, caplen);
      lengths.push(len);
      const result = decodeFrame(linktype, bytes, tsMs);
      if (result.ok) knocks.push(result.knock);
    }) > 0
  ) {
    // drain the file
  }
  return { knocks, lengths, linktype };
}

function expected(labels: string[]): Knock[] {
  return labels.map((label) => {
    const index = ethernetPackets.findIndex((p) => p.label === label);
    const knock = ethernetPackets[index]?.knock;
    assert.ok(knock, label);
    return { ...knock, timeMs: timeOf(index) };
  });
}

function assertKnocks(actual: Knock[], wanted: Knock[]): void {
  assert.equal(actual.length, wanted.length, JSON.stringify(actual.map((k) => `${k.dst}:${k.dport}`)));
  actual.forEach((k, i) => {
    const w = wanted[i]!;
    assert.ok(Math.abs(k.timeMs - w.timeMs) < 0.002, `timeMs ${k.timeMs} vs ${w.timeMs}`);
    assert.deepEqual({ ...k, timeMs: 0 }, { ...w, timeMs: 0 });
  });
}

Deno.test({
  name: "openOffline() reads an Ethernet capture and every frame decodes as built",
  ignore,
  async fn() {
    await using file = await writeTempPcap(
      ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
      { linkType: LinkType.ETHERNET },
    );
    const { knocks, lengths, linktype } = readAll(file.path);
    assert.equal(linktype, LinkType.ETHERNET);
    assert.equal(lengths.length, ethernetPackets.length);
    assertKnocks(knocks, expected(ethernetPackets.filter((p) => p.knock).map((p) => p.label)));
  },
});

Deno.test({
  name: "setFilter() delivers only the packets the BPF filter accepts",
  ignore,
  async fn() {
    await using file = await writeTempPcap(
      ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
      { linkType: LinkType.ETHERNET },
    );
    // Plain port filter: VLAN-tagged frames do not match without the `vlan` keyword, ICMP and 6000 are out.
    assertKnocks(
      readAll(file.path, "tcp dst port 7000 or udp dst port 9000").knocks,
      expected(["v4 syn 7000", "v4 udp 9000", "v4 syn 7000 to another host", "v6 syn 7000", "v6 udp 9000"]),
    );
    // knockd's own filter shape (docs/knockd.md §2.2): host, ports, SYN set and ACK clear.
    const knockd =
      "((dst host 10.200.1.1) and (((tcp dst port 7000 or 8000) and tcp[tcpflags] & tcp-syn != 0" +
      " and tcp[tcpflags] & tcp-ack == 0) or (udp dst port 9000)))";
    assertKnocks(readAll(file.path, knockd).knocks, expected(["v4 syn 7000", "v4 udp 9000"]));
    assertKnocks(
      readAll(file.path, "vlan and tcp dst port 7000").knocks,
      expected(["v4 syn 7000 in VLAN 42"]),
    );
    assertKnocks(
      readAll(file.path, "ip6 and dst host fd00:200::1").knocks,
      expected(["v6 syn 7000", "v6 udp 9000"]),
    );
    assert.deepEqual(readAll(file.path, "tcp dst port 1").knocks, []);
  },
});

Deno.test({
  name: "dispatch() honours its packet count and rethrows handler errors",
  ignore,
  async fn() {
    await using file = await writeTempPcap(
      ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
      { linkType: LinkType.ETHERNET },
    );
    using pcap = PcapHandle.openOffline(file.path);
    let seen = 0;
    assert.equal(pcap.dispatch(2, () => seen++), 2);
    assert.equal(seen, 2);
    assert.throws(
      () =>
        pcap.dispatch(-1, () => {
          seen++;
          throw new RangeError("handler failed");
        }),
      { name: "RangeError", message: "handler failed" },
    );
    assert.equal(seen, 3, "the dispatch stopped after the throwing handler");
    // The handle is still usable afterwards.
    let rest = 0;
    while (pcap.dispatch(-1, () => rest++) > 0) { /* drain */ }
    assert.equal(rest, ethernetPackets.length - 3);
    assert.throws(() => pcap.stats(), (e: unknown) => e instanceof PcapError && e.kind === "stats");
  },
});

Deno.test({
  name: "close() inside a frame handler stops the dispatch safely; nested dispatch() is refused",
  ignore,
  async fn() {
    await using file = await writeTempPcap(
      ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
      { linkType: LinkType.ETHERNET },
    );
    const pcap = PcapHandle.openOffline(file.path);
    let seen = 0;
    assert.throws(
      () => pcap.dispatch(-1, () => pcap.dispatch(-1, () => {})),
      (e: unknown) =>
        e instanceof PcapError && e.kind === "dispatch" && /inside a frame handler/.test(e.message),
    );
    const processed = pcap.dispatch(-1, () => {
      seen++;
      pcap.close();
      assert.equal(pcap.closed, true);
    });
    assert.equal(seen, 1, "no frame after close()");
    assert.ok(processed >= 0);
    assert.equal(pcap.closed, true);
    assert.throws(
      () => pcap.dispatch(-1, () => {}),
      (e: unknown) => e instanceof PcapError && e.kind === "closed",
    );
    pcap.close();
  },
});

Deno.test({
  name: "openOffline() handles SLL, SLL2 and raw captures, IPv4 and IPv6",
  ignore,
  async fn() {
    const v4 = ip({
      src: "10.200.1.2",
      dst: "10.200.1.1",
      transport: { protocol: "tcp", sport: 1111, dport: 7000, seq: 9 },
    }, 10);
    const v6 = ip({
      src: "fd00:200::2",
      dst: "fd00:200::1",
      transport: { protocol: "udp", sport: 2222, dport: 9000 },
    }, 11);
    const want = [
      {
        family: 4,
        src: "10.200.1.2",
        dst: "10.200.1.1",
        protocol: "tcp",
        sport: 1111,
        dport: 7000,
        flags: SYN,
        seq: 9,
      },
      {
        family: 6,
        src: "fd00:200::2",
        dst: "fd00:200::1",
        protocol: "udp",
        sport: 2222,
        dport: 9000,
        flags: 0,
        seq: 0,
      },
    ];
    const variants: [number, Uint8Array, Uint8Array][] = [
      [LinkType.LINUX_SLL, sll(0x0800, v4), sll(0x86dd, v6)],
      [LinkType.LINUX_SLL2, sll2(0x0800, v4), sll2(0x86dd, v6)],
      [LinkType.LINKTYPE_RAW, v4, v6],
    ];
    for (const [linkType, a, b] of variants) {
      for (const precision of ["micro", "nano"] as const) {
        await using file = await writeTempPcap(
          [{ timeMs: T0 + 0.5, data: a }, { timeMs: T0 + 1.5, data: b }],
          { linkType, precision },
        );
        const all = readAll(file.path);
        const context = `linktype ${linkType} ${precision}`;
        // libpcap maps LINKTYPE_RAW (101) in files to DLT_RAW (12).
        assert.equal(all.linktype, linkType === LinkType.LINKTYPE_RAW ? LinkType.RAW : linkType, context);
        assert.deepEqual(
          all.knocks.map((k) => ({ ...k, timeMs: 0 })),
          want.map((k) => ({ ...k, timeMs: 0 })),
          context,
        );
        assert.deepEqual(all.knocks.map((k) => k.timeMs), [T0 + 0.5, T0 + 1.5], context);
        const filtered = readAll(file.path, "udp dst port 9000");
        assert.deepEqual(filtered.knocks.map((k) => k.dport), [9000], context);
      }
    }
  },
});

Deno.test({
  name: "openOffline() reports a missing or malformed file as a PcapError",
  ignore,
  async fn() {
    assert.throws(
      () => PcapHandle.openOffline("/nonexistent/knocktool.pcap"),
      (e: unknown) =>
        e instanceof PcapError && e.kind === "open-failed" && /No such file or directory/.test(e.message) &&
        e.message.includes('"/nonexistent/knocktool.pcap"'),
    );
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/junk.pcap`, "this is not a capture file at all");
      assert.throws(
        () => PcapHandle.openOffline(`${dir}/junk.pcap`),
        (e: unknown) =>
          e instanceof PcapError && e.kind === "open-failed" && /unknown file format/.test(e.message),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openDead() with compileCheck() rejects a bad port with libpcap's message",
  ignore,
  fn() {
    const result = compileCheck("tcp dst port 70000");
    assert.deepEqual(result, { ok: false, message: "illegal port number 70000 > 65535" });
    assert.deepEqual(compileCheck("tcp dst port 7000 and tcp[tcpflags] & tcp-syn != 0"), { ok: true });
    using dead = PcapHandle.openDead(LinkType.ETHERNET, 65535);
    assert.equal(dead.datalink(), LinkType.ETHERNET);
    assert.equal(dead.snapshot(), 65535);
    const bad = dead.compileCheck("tcp dst port");
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : "", /syntax error/);
    assert.throws(
      () => dead.setFilter("udp dst port 70000"),
      (e: unknown) =>
        e instanceof PcapError && e.kind === "filter" && e.detail === "illegal port number 70000 > 65535" &&
        e.message === 'Cannot compile filter "udp dst port 70000": illegal port number 70000 > 65535',
    );
    // Link-type specific: an Ethernet-only primitive fails on a raw handle.
    assert.equal(compileCheck("ether host 02:00:00:00:00:01", LinkType.RAW).ok, false);
    assert.equal(compileCheck("ether host 02:00:00:00:00:01", LinkType.ETHERNET).ok, true);
  },
});

/** Every frame of `path` as (time, caplen, len, bytes copied), read with `dispatch` or `next` in batches. */
function frames(path: string, how: "dispatch" | "next", batch: number, filter?: string): string[] {
  using pcap = PcapHandle.openOffline(path);
  if (filter !== undefined) pcap.setFilter(filter);
  const out: string[] = [];
  const onFrame = (tsMs: number, caplen: number, len: number, bytes: Uint8Array) => {
    assert.equal(bytes.length, caplen);
    out.push(`${tsMs.toFixed(3)} ${caplen} ${len} ${[...bytes].join(",")}`);
  };
  while ((how === "dispatch" ? pcap.dispatch(batch, onFrame) : pcap.next(batch, onFrame)) > 0) {
    // drain the file
  }
  return out;
}

Deno.test({
  name: "next() (pcap_next_ex) reads the same frames as dispatch(), in any batch size, filtered or not",
  ignore,
  async fn() {
    // Frames of every length in the fixture, then a longer one (the view over libpcap's buffer grows).
    const big = new Uint8Array(1400).fill(7);
    big.set(ethernetPackets[0]!.data);
    await using file = await writeTempPcap(
      [
        ...ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
        { timeMs: timeOf(ethernetPackets.length), data: big },
        { timeMs: timeOf(ethernetPackets.length + 1), data: ethernetPackets[1]!.data },
      ],
      { linkType: LinkType.ETHERNET },
    );
    const all = frames(file.path, "dispatch", -1);
    assert.equal(all.length, ethernetPackets.length + 2);
    assert.ok(new Set(all.map((f) => f.split(" ")[1])).size > 3, "frames of several lengths");
    for (const batch of [1, 2, 7, 8192]) {
      assert.deepEqual(frames(file.path, "next", batch), all, `batch ${batch}`);
    }
    const filter = "tcp dst port 7000 or udp dst port 9000";
    assert.deepEqual(frames(file.path, "next", 3, filter), frames(file.path, "dispatch", -1, filter));
  },
});

Deno.test({
  name: "next() honours its count, rethrows handler errors, stops on close() in a handler, refuses nesting",
  ignore,
  async fn() {
    await using file = await writeTempPcap(
      ethernetPackets.map((p, i) => ({ timeMs: timeOf(i), data: p.data })),
      { linkType: LinkType.ETHERNET },
    );
    const pcap = PcapHandle.openOffline(file.path);
    let seen = 0;
    assert.equal(pcap.next(2, () => seen++), 2);
    assert.throws(
      () =>
        pcap.next(100, () => {
          seen++;
          throw new RangeError("handler failed");
        }),
      { name: "RangeError", message: "handler failed" },
    );
    assert.equal(seen, 3, "the read stopped at the throwing handler");
    assert.throws(
      () => pcap.next(10, () => pcap.next(1, () => {})),
      (e: unknown) =>
        e instanceof PcapError && e.kind === "dispatch" && /inside a frame handler/.test(e.message),
    );
    seen = 0;
    assert.equal(pcap.next(100, () => void (seen++, pcap.close())), 1);
    assert.equal(seen, 1, "no frame after close()");
    assert.equal(pcap.closed, true);
    assert.throws(
      () => pcap.next(1, () => {}),
      (e: unknown) => e instanceof PcapError && e.kind === "closed",
    );
    // At the end of a file: 0.
    using again = PcapHandle.openOffline(file.path);
    let rest = 0;
    while (again.next(5, () => rest++) > 0) { /* drain */ }
    assert.equal(rest, ethernetPackets.length);
    assert.equal(again.next(5, () => rest++), 0);
  },
});
