import assert from "node:assert/strict";
import { decodeFrame, type DecodeResult, LinkType } from "../../../core/decode/mod.ts";
import type { Knock } from "../../../core/knock.ts";
import {
  ahHeader,
  cat,
  ethernet,
  extHeader,
  fragHeader,
  ipv4,
  ipv6,
  pad,
  sll,
  sll2,
  tcp,
  udp,
} from "./_frames.ts";
import { T, tcpKnock4, tcpKnock6, udpKnock4, udpKnock6, validFrames } from "./_matrix.ts";

function ok(result: DecodeResult): Knock {
  if (!result.ok) assert.fail(`expected a knock, got reason "${result.reason}"`);
  return result.knock;
}

function reason(result: DecodeResult): string {
  if (result.ok) assert.fail(`expected a failure, got knock ${JSON.stringify(result.knock)}`);
  return result.reason;
}

for (const { name, linktype, frame, knock } of validFrames) {
  Deno.test(`decodeFrame() decodes ${name}`, () => {
    assert.deepEqual(ok(decodeFrame(linktype, frame, T)), knock);
  });
}

Deno.test("decodeFrame() reads a frame that is a view into a larger buffer", () => {
  const frame = ethernet(0x0800, ipv4(tcp({ dport: 9999 })));
  const big = new Uint8Array(frame.length + 20).fill(0xee);
  big.set(frame, 7);
  const view = big.subarray(7, 7 + frame.length);
  assert.equal(ok(decodeFrame(LinkType.ETHERNET, view, T)).dport, 9999);
});

Deno.test("decodeFrame() follows nested VLAN tags up to 8 and rejects 9", () => {
  const ip = ipv4(tcp({ dport: 1234 }));
  const tags = (n: number): [number, number][] =>
    Array.from({ length: n }, (_, i) => [[0x8100, 0x88a8, 0x9100][i % 3]!, i + 1]);
  assert.equal(ok(decodeFrame(LinkType.ETHERNET, ethernet(0x0800, ip, tags(8)), T)).dport, 1234);
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, ethernet(0x0800, ip, tags(9)), T)), "vlan-too-deep");
});

Deno.test("decodeFrame() follows a VLAN tag after a Linux cooked header", () => {
  const inner = cat([0, 42, 0x86, 0xdd], ipv6(udp(), { next: 17 }));
  assert.deepEqual(ok(decodeFrame(LinkType.LINUX_SLL, sll(0x8100, inner), T)), udpKnock6);
  assert.deepEqual(ok(decodeFrame(LinkType.LINUX_SLL2, sll2(0x8100, inner), T)), udpKnock6);
});

Deno.test("decodeFrame() rejects non-IP link payloads", () => {
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, ethernet(0x0806, new Uint8Array(28)), T)), "not-ip");
  // 802.3 length field instead of an ethertype.
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, ethernet(0x0040, new Uint8Array(64)), T)), "not-ip");
  assert.equal(reason(decodeFrame(LinkType.LINUX_SLL, sll(0x0806, new Uint8Array(28)), T)), "not-ip");
  assert.equal(
    reason(decodeFrame(LinkType.RAW, new Uint8Array([0x50, ...new Array(40).fill(0)]), T)),
    "not-ip",
  );
  assert.equal(reason(decodeFrame(LinkType.IPV4, ipv6(tcp()), T)), "ipv4-bad-version");
  assert.equal(reason(decodeFrame(LinkType.IPV6, ipv4(tcp()), T)), "ipv6-bad-version");
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, ethernet(0x0800, ipv6(tcp())), T)), "ipv4-bad-version");
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, ethernet(0x86dd, ipv4(tcp())), T)), "ipv6-bad-version");
});

Deno.test("decodeFrame() rejects unsupported link types", () => {
  const ip = ipv4(tcp());
  for (const lt of [0, 9, 105, 108, 127, 147, -1, 1e9]) {
    assert.equal(reason(decodeFrame(lt, ip, T)), "unsupported-linktype", `linktype ${lt}`);
  }
});

Deno.test("decodeFrame() skips IPv4 options of every length", () => {
  for (let words = 1; words <= 10; words++) {
    const frame = ethernet(0x0800, ipv4(tcp({ dport: 5000 + words }), { optionWords: words }));
    assert.equal(ok(decodeFrame(LinkType.ETHERNET, frame, T)).dport, 5000 + words, `optionWords ${words}`);
  }
});

Deno.test("decodeFrame() validates the IPv4 header length", () => {
  for (const ihl of [0, 1, 4]) {
    const frame = ethernet(0x0800, ipv4(tcp(), { ihl }));
    assert.equal(reason(decodeFrame(LinkType.ETHERNET, frame, T)), "ipv4-bad-header-length", `ihl ${ihl}`);
  }
  // IHL 15 claims 60 bytes of header but the packet has 20 + 20.
  const long = ipv4(tcp(), { ihl: 15 });
  assert.equal(reason(decodeFrame(LinkType.RAW, long.subarray(0, 50), T)), "truncated-ipv4");
});

Deno.test("decodeFrame() validates the IPv4 total length", () => {
  assert.equal(
    reason(decodeFrame(LinkType.RAW, ipv4(tcp(), { totalLength: 19 }), T)),
    "ipv4-bad-total-length",
  );
  // Total length ends inside the TCP header.
  assert.equal(
    reason(decodeFrame(LinkType.RAW, ipv4(tcp(), { totalLength: 30 }), T)),
    "l4-exceeds-ip-length",
  );
  assert.equal(
    reason(decodeFrame(LinkType.RAW, ipv4(udp(), { protocol: 17, totalLength: 27 }), T)),
    "l4-exceeds-ip-length",
  );
});

Deno.test("decodeFrame() ignores Ethernet padding after the IP packet", () => {
  // 14 + 20 + 8 + 2 = 44 bytes, padded to 60 with garbage.
  const frame = pad(ethernet(0x0800, ipv4(udp(), { protocol: 17 })), 60).fill(0xff, 44);
  assert.deepEqual(ok(decodeFrame(LinkType.ETHERNET, frame, T)), udpKnock4);
  // A TCP header that only "fits" thanks to padding is not accepted.
  const short = pad(ethernet(0x0800, ipv4(tcp(), { totalLength: 30 })), 60);
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, short, T)), "l4-exceeds-ip-length");
});

Deno.test("decodeFrame() accepts a capture cut by the snaplen once the transport header is in", () => {
  const full = ethernet(0x0800, ipv4(tcp({ dataOffset: 10, payload: new Array(100).fill(7) })));
  // Cut after the 20 fixed TCP bytes, before the options end.
  assert.deepEqual(ok(decodeFrame(LinkType.ETHERNET, full.subarray(0, 14 + 20 + 20), T)), tcpKnock4);
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, full.subarray(0, 14 + 20 + 19), T)), "truncated-tcp");
  const full6 = ethernet(0x86dd, ipv6(udp(40001, 8000, new Array(50).fill(1)), { next: 17 }));
  assert.deepEqual(ok(decodeFrame(LinkType.ETHERNET, full6.subarray(0, 14 + 40 + 8), T)), udpKnock6);
  assert.equal(reason(decodeFrame(LinkType.ETHERNET, full6.subarray(0, 14 + 40 + 7), T)), "truncated-udp");
});

Deno.test("decodeFrame() accepts a first IPv4 fragment and rejects later ones", () => {
  const first = ipv4(tcp({ payload: new Array(16).fill(0) }), { moreFragments: true });
  assert.deepEqual(ok(decodeFrame(LinkType.RAW, first, T)), tcpKnock4);
  for (const offset of [1, 185, 0x1fff]) {
    const later = ipv4(tcp(), { fragmentOffset: offset, moreFragments: offset !== 0x1fff });
    assert.equal(reason(decodeFrame(LinkType.RAW, later, T)), "fragment-not-first", `offset ${offset}`);
  }
});

Deno.test("decodeFrame() reads TCP flags including NS, and the sequence number unsigned", () => {
  for (const flags of [0x00, 0x01, 0x02, 0x12, 0x10, 0x04, 0x29, 0x80, 0x40, 0xff, 0x100, 0x102, 0x1ff]) {
    const frame = ethernet(0x0800, ipv4(tcp({ flags, seq: 0xfffffffe })));
    const knock = ok(decodeFrame(LinkType.ETHERNET, frame, T));
    assert.equal(knock.flags, flags, `flags 0x${flags.toString(16)}`);
    assert.equal(knock.seq, 0xfffffffe);
  }
});

Deno.test("decodeFrame() validates the TCP data offset", () => {
  for (const dataOffset of [0, 1, 4]) {
    const frame = ipv4(tcp({ dataOffset }));
    assert.equal(reason(decodeFrame(LinkType.RAW, frame, T)), "tcp-bad-data-offset", `offset ${dataOffset}`);
  }
  // Data offset 15 = 60 bytes, but the IP packet carries only the 20-byte header.
  const bytes = ipv4(tcp());
  bytes[20 + 12] = 0xf0;
  assert.equal(reason(decodeFrame(LinkType.RAW, bytes, T)), "tcp-bad-data-offset");
  assert.equal(ok(decodeFrame(LinkType.RAW, ipv4(tcp({ dataOffset: 15 })), T)).dport, 7000);
});

Deno.test("decodeFrame() rejects ICMP, ICMPv6 and other protocols as not-tcp-udp", () => {
  const icmp = ipv4(new Uint8Array([8, 0, 0, 0, 0, 1, 0, 1]), { protocol: 1 });
  assert.equal(reason(decodeFrame(LinkType.RAW, icmp, T)), "not-tcp-udp");
  const icmp6 = ipv6(new Uint8Array([128, 0, 0, 0, 0, 1, 0, 1]), { next: 58 });
  assert.equal(reason(decodeFrame(LinkType.RAW, icmp6, T)), "not-tcp-udp");
  for (const protocol of [2, 47, 50, 51, 132, 255]) {
    assert.equal(reason(decodeFrame(LinkType.RAW, ipv4(tcp(), { protocol }), T)), "not-tcp-udp");
  }
  assert.equal(reason(decodeFrame(LinkType.RAW, ipv6(tcp(), { next: 132 }), T)), "not-tcp-udp");
});

Deno.test("decodeFrame() walks every IPv6 extension header", () => {
  const cases: [string, number, Uint8Array][] = [
    ["hop-by-hop", 0, extHeader(6)],
    ["hop-by-hop, 3 units", 0, extHeader(6, 3)],
    ["routing", 43, extHeader(6, 2)],
    ["destination options", 60, extHeader(6, 1)],
    ["mobility", 135, extHeader(6)],
    ["HIP", 139, extHeader(6, 1)],
    ["shim6", 140, extHeader(6)],
    ["AH", 51, ahHeader(6, 4)],
    ["AH, odd length", 51, ahHeader(6, 1)],
    ["first fragment", 44, fragHeader(6, 0, true)],
    ["atomic fragment", 44, fragHeader(6, 0, false)],
    [
      "hop-by-hop, destination options, routing, fragment, AH, destination options",
      0,
      cat(
        extHeader(60),
        extHeader(43, 1),
        extHeader(44, 2),
        fragHeader(51, 0, true),
        ahHeader(60),
        extHeader(6),
      ),
    ],
  ];
  for (const [name, first, headers] of cases) {
    const frame = ethernet(0x86dd, ipv6(cat(headers, tcp()), { next: first }));
    assert.deepEqual(ok(decodeFrame(LinkType.ETHERNET, frame, T)), tcpKnock6, name);
  }
  const udpAfterHbh = ipv6(cat(extHeader(17), udp()), { next: 0 });
  assert.deepEqual(ok(decodeFrame(LinkType.IPV6, udpAfterHbh, T)), udpKnock6);
});

Deno.test("decodeFrame() rejects non-first IPv6 fragments, ESP and no-next-header", () => {
  const later = ipv6(cat(fragHeader(6, 100, true), tcp()), { next: 44 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, later, T)), "fragment-not-first");
  const last = ipv6(cat(extHeader(44), fragHeader(17, 1, false), udp()), { next: 0 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, last, T)), "fragment-not-first");
  const esp = ipv6(new Uint8Array(32), { next: 50 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, esp, T)), "ipv6-esp");
  const espAfterDst = ipv6(cat(extHeader(50), new Uint8Array(32)), { next: 60 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, espAfterDst, T)), "ipv6-esp");
  const none = ipv6(cat(extHeader(59), new Uint8Array(16)), { next: 60 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, none, T)), "ipv6-no-next-header");
  assert.equal(
    reason(decodeFrame(LinkType.IPV6, ipv6(new Uint8Array(0), { next: 59 }), T)),
    "ipv6-no-next-header",
  );
});

Deno.test("decodeFrame() bounds the IPv6 extension header walk at 8 headers", () => {
  const chain = (n: number): Uint8Array =>
    cat(...Array.from({ length: n }, (_, i) => extHeader(i === n - 1 ? 6 : 60)), tcp());
  assert.deepEqual(ok(decodeFrame(LinkType.IPV6, ipv6(chain(8), { next: 60 }), T)), tcpKnock6);
  assert.equal(
    reason(decodeFrame(LinkType.IPV6, ipv6(chain(9), { next: 60 }), T)),
    "ipv6-ext-header-chain-too-long",
  );
});

Deno.test("decodeFrame() bounds IPv6 extension headers by the payload length", () => {
  // The destination options header claims 16 bytes but the payload length says 8.
  const frame = ipv6(cat(extHeader(6, 1), tcp()), { next: 60, payloadLength: 8 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, frame, T)), "truncated-ipv6-ext-header");
  // Payload length ends inside the TCP header.
  const short = ipv6(tcp(), { payloadLength: 12 });
  assert.equal(reason(decodeFrame(LinkType.IPV6, short, T)), "l4-exceeds-ip-length");
  // Payload length 0 with hop-by-hop (jumbogram): read to the end of the capture.
  const jumbo = ipv6(cat(extHeader(6), tcp()), { next: 0, payloadLength: 0 });
  assert.deepEqual(ok(decodeFrame(LinkType.IPV6, jumbo, T)), tcpKnock6);
  // Ethernet padding after an IPv6 packet is ignored.
  const padded = pad(ethernet(0x86dd, ipv6(udp(40001, 8000, []), { next: 17 })), 100).fill(0xff, 62);
  assert.deepEqual(ok(decodeFrame(LinkType.ETHERNET, padded, T)), udpKnock6);
});

Deno.test("decodeFrame() formats addresses canonically", () => {
  const frame = ipv6(tcp(), { src: "2001:db8:0:0:1:0:0:1", dst: "fe80:0:0:0:0:0:0:abcd" });
  const knock = ok(decodeFrame(LinkType.IPV6, frame, T));
  assert.equal(knock.src, "2001:db8::1:0:0:1");
  assert.equal(knock.dst, "fe80::abcd");
  const frame4 = ipv4(udp(), { protocol: 17, src: "0.0.0.0", dst: "255.255.255.255" });
  const knock4 = ok(decodeFrame(LinkType.IPV4, frame4, T));
  assert.equal(knock4.src, "0.0.0.0");
  assert.equal(knock4.dst, "255.255.255.255");
});
