import assert from "node:assert/strict";
import {
  AddressSyntaxError,
  canonicalIP,
  formatIP,
  formatIPv4,
  formatIPv6,
  formatMac,
  parseIP,
  parseIPv4,
  parseIPv6,
  parseMac,
  tryParseIP,
  tryParseIPv4,
  tryParseIPv6,
} from "../../../core/packet/address.ts";
import { createRng } from "../../../core/packet/rng.ts";
import { fromHex, hex } from "./_parse.ts";
import vectors from "./_inet_vectors.json" with { type: "json" };

Deno.test("parseIPv4: dotted quads", () => {
  assert.deepEqual(parseIPv4("10.213.0.1"), Uint8Array.of(10, 213, 0, 1));
  assert.deepEqual(parseIPv4("0.0.0.0"), new Uint8Array(4));
  assert.deepEqual(parseIPv4("255.255.255.255"), new Uint8Array(4).fill(255));
});

// Every one of these is also refused by glibc inet_pton(AF_INET) (checked with Python's socket.inet_pton).
const BAD_V4: readonly [string, RegExp][] = [
  ["", /Expected a decimal number/],
  ["1", /Expected 4 dotted parts/],
  ["1.2.3", /Expected 4 dotted parts/],
  ["1.2.3.4.5", /Unexpected character "\."/],
  ["256.1.1.1", /IPv4 part "256" is over 255 in "256.1.1.1" at column 1/],
  ["01.2.3.4", /leading zero in "01.2.3.4" at column 1/],
  ["1.2.3.04", /leading zero .* at column 7/],
  ["1..2.3", /Unexpected character "\." in "1..2.3" at column 3/],
  ["1.2.3.4 ", /Unexpected character " "/],
  [" 1.2.3.4", /Unexpected character " "/],
  ["1.2.3.a", /Unexpected character "a"/],
  ["0x1.2.3.4", /Unexpected character "x"/],
  ["1.2.3.-4", /Unexpected character "-"/],
  ["1234.1.1.1", /more than 3 digits/],
  ["1.2.3.4.", /Unexpected character "\."/],
];

Deno.test("parseIPv4: malformed input throws AddressSyntaxError with the position", () => {
  for (const [text, message] of BAD_V4) {
    assert.throws(() => parseIPv4(text), (e: unknown) => {
      assert.ok(e instanceof AddressSyntaxError, `${text}: ${String(e)}`);
      assert.match(e.message, message, text);
      assert.equal(e.input, text);
      assert.ok(e.offset >= 0 && e.offset <= text.length);
      return true;
    });
    assert.equal(tryParseIPv4(text), undefined, text);
  }
});

Deno.test("parseIPv6: compression, embedded IPv4, case (bytes from glibc inet_pton)", () => {
  const cases: [string, string][] = [
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
    ["1:2:3:4:5:6::8", "00010002000300040005000600000008"],
    ["::ffff:1.2.3.4", "00000000000000000000ffff01020304"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ["::", "00000000000000000000000000000000"],
    ["0:0:0:0:0:0:0:0", "00000000000000000000000000000000"],
    ["ABCD:EF01::", "abcdef01000000000000000000000000"],
    ["1:2:3:4:5::1.2.3.4", "00010002000300040005000001020304"],
    ["::0:1.2.3.4", "00000000000000000000000001020304"],
    ["fd77::2", "fd770000000000000000000000000002"],
    ["::1", "00000000000000000000000000000001"],
  ];
  for (const [text, bytes] of cases) {
    assert.equal(hex(parseIPv6(text)), bytes, text);
  }
});

// Every one of these is also refused by glibc inet_pton(AF_INET6).
const BAD_V6: readonly [string, RegExp][] = [
  ["", /Empty address/],
  [":", /Single leading ":"/],
  ["1:2", /Expected 8 groups/],
  ["1:2:3:4:5:6:7", /Expected 8 groups/],
  ["1:2:3:4:5:6:7:8:9", /Too many groups/],
  ["1::2::3", /Second "::" in "1::2::3" at column 5/],
  [":1::2", /Single leading ":"/],
  ["1::2:", /Trailing ":"/],
  ["12345::", /more than 4 hex digits/],
  ["::g", /Unexpected character "g"/],
  ["1:2:3:4:5:6:7::8:9", /Too many groups .* at column 18/],
  ["fe80::1%eth0", /Zone index is not supported .* at column 8/],
  ["::1.2.3", /Expected 4 dotted parts/],
  ["::1.2.3.4.5", /Unexpected character "\."/],
  ["1.2.3.4::", /Unexpected character ":"/],
  ["::01.2.3.4", /leading zero/],
  ["1:2:3:4:5:6:7:1.2.3.4", /Too many groups/],
  ["::ffff:256.1.1.1", /over 255/],
  [":::", /Unexpected character ":"/],
  ["1:::2", /Unexpected character ":"/],
  ["1:2:3:4:5:6:7:8::", /at least one group/],
  ["::1:2:3:4:5:6:7:8", /"::" must stand for at least one group/],
  [" ::1", /Unexpected character " " in " ::1" at column 1/],
  ["::1 ", /Unexpected character " "/],
];

Deno.test("parseIPv6: malformed input throws AddressSyntaxError with the position", () => {
  for (const [text, message] of BAD_V6) {
    assert.throws(() => parseIPv6(text), (e: unknown) => {
      assert.ok(e instanceof AddressSyntaxError, `${text}: ${String(e)}`);
      assert.match(e.message, message, text);
      return true;
    });
    assert.equal(tryParseIPv6(text), undefined, text);
  }
});

Deno.test("formatIPv6: RFC 5952 plus glibc's dotted tails (expected text from glibc inet_ntop)", () => {
  const cases: [string, string][] = [
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["00000000000000000000ffff01020304", "::ffff:1.2.3.4"],
    ["00000000000000000000000001020304", "::1.2.3.4"],
    ["00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
    ["00010000000000000000000000000000", "1::"],
    ["00010000000000010000000000000001", "1:0:0:1::1"],
    ["00010000000000000001000000000001", "1::1:0:0:1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    ["fd770000000000000000000000000002", "fd77::2"],
    ["00000000000000000000ffff0a000001", "::ffff:10.0.0.1"],
    ["00000000000000000000ffff00000102", "::ffff:0.0.1.2"],
    ["00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
    ["00010002000300040005000600070008", "1:2:3:4:5:6:7:8"],
    ["00010000000300040005000600070008", "1:0:3:4:5:6:7:8"],
    ["00000000000100000000000000000000", "0:0:1::"],
    ["0064ff9b0000000000000000c0000221", "64:ff9b::c000:221"],
    ["00000000000000000000fffe01020304", "::fffe:102:304"],
    ["00000000000000000000000100000000", "::1:0:0"],
    ["00000000000000000000ffffffffffff", "::ffff:255.255.255.255"],
    ["fe800000000000000000000000010002", "fe80::1:2"],
    // Random, zero-heavy addresses (seeded Python generator, expected from glibc).
    ["04deffff005c00000001000100010000", "4de:ffff:5c:0:1:1:1:0"],
    ["a73700000000ffff0000a63400004d19", "a737::ffff:0:a634:0:4d19"],
    ["0000ffff000065e80000000000a1e23b", "0:ffff:0:65e8::a1:e23b"],
    ["ffff00005b7f0000bb8d00000000b74a", "ffff:0:5b7f:0:bb8d::b74a"],
    ["00000019560e00000000000000010000", "0:19:560e::1:0"],
    ["ffff0003000000000001000000000000", "ffff:3:0:0:1::"],
    ["000012fb0000000000d4c78e000000a3", "0:12fb::d4:c78e:0:a3"],
    ["00bf000d0000ffff00000001ffff0000", "bf:d:0:ffff:0:1:ffff:0"],
    ["00010000000000000000ccece16f0000", "1::ccec:e16f:0"],
    ["ffff0001000000004f99956c00000000", "ffff:1::4f99:956c:0:0"],
    ["f39a00b9aca40000002000004133f5bd", "f39a:b9:aca4:0:20:0:4133:f5bd"],
    ["00010000000000000000000000980000", "1::98:0"],
    ["0000000000000000ffff000000000001", "::ffff:0:0:1"],
    ["00000000000000000000000700000001", "::7:0:1"],
    ["ffff0001ffff00000001000000000050", "ffff:1:ffff:0:1::50"],
    ["000000000000c48e58255cb200800042", "::c48e:5825:5cb2:80:42"],
    ["007d7deb000000010000000100000000", "7d:7deb:0:1:0:1::"],
    ["009c00010000000000000000ef340cdf", "9c:1::ef34:cdf"],
    ["00000001231e000000000000aa9f0000", "0:1:231e::aa9f:0"],
    ["00000000000000007f4e000000000000", "::7f4e:0:0:0"],
    ["ffff000000007b1a001321ca00000000", "ffff::7b1a:13:21ca:0:0"],
    ["00000000000000f30060000026e60000", "::f3:60:0:26e6:0"],
    ["b28e0000000000000000000000000000", "b28e::"],
    ["00000000ffff0000000000d600000000", "::ffff:0:0:d6:0:0"],
    ["0000d3c23ed200ed0000000000000000", "0:d3c2:3ed2:ed::"],
    ["000000000019000000fb000000000000", "0:0:19:0:fb::"],
    ["000000000000000000010001008632b5", "::1:1:86:32b5"],
    ["00000001000000000001003f00000000", "0:1::1:3f:0:0"],
    ["00000001008500000002000083b40000", "0:1:85:0:2:0:83b4:0"],
    ["00010000000000010000000000000000", "1:0:0:1::"],
    ["0037000000010000c1c8000000009663", "37:0:1:0:c1c8::9663"],
    ["0000665ceefd00000000004200000000", "0:665c:eefd::42:0:0"],
    ["000d000000000000007000008fa40ae3", "d::70:0:8fa4:ae3"],
    ["75200001000000010000000022960001", "7520:1:0:1::2296:1"],
    ["00000000000000010000000000000000", "0:0:0:1::"],
    ["00f4000000003c9cc9c10094ffff0000", "f4::3c9c:c9c1:94:ffff:0"],
    ["dd87ffff0000000c0000ffff00000001", "dd87:ffff:0:c:0:ffff:0:1"],
    ["0000600800000000000000008fa20070", "0:6008::8fa2:70"],
    ["691700000000000e37a2000000000001", "6917::e:37a2:0:0:1"],
  ];
  for (const [bytes, text] of cases) {
    assert.equal(formatIPv6(fromHex(bytes)), text, bytes);
    // Canonical text parses back to the same bytes.
    assert.equal(hex(parseIPv6(text)), bytes, text);
  }
});

Deno.test("formatIPv6/parseIPv6: round trip over 2000 seeded zero-heavy addresses", () => {
  const rng = createRng(2026);
  for (let i = 0; i < 2000; i++) {
    const bytes = new Uint8Array(16);
    for (let w = 0; w < 8; w++) {
      const r = rng.int(0, 9);
      const word = r < 5 ? 0 : r === 5 ? 0xffff : rng.int(0, 0xffff);
      bytes[2 * w] = word >>> 8;
      bytes[2 * w + 1] = word & 0xff;
    }
    const text = formatIPv6(bytes);
    assert.deepEqual(parseIPv6(text), bytes, text);
    assert.equal(formatIPv6(parseIPv6(text)), text);
    assert.equal(text, text.toLowerCase());
    assert.ok(!/(^|:)0[0-9a-f]/.test(text), `leading zero in ${text}`);
    assert.ok((text.match(/::/g) ?? []).length <= 1, text);
  }
});

Deno.test("canonicalIP / parseIP / formatIP dispatch on the family", () => {
  assert.equal(canonicalIP("FD77:0000:0000::0002"), "fd77::2");
  assert.equal(canonicalIP("0:0:0:0:0:ffff:a00:1"), "::ffff:10.0.0.1");
  assert.equal(canonicalIP("10.0.0.1"), "10.0.0.1");
  assert.equal(canonicalIP("010.0.0.1"), undefined);
  assert.equal(canonicalIP("host.example"), undefined);
  assert.equal(parseIP("::1").family, 6);
  assert.equal(parseIP("127.0.0.1").family, 4);
  assert.equal(tryParseIP("nope"), undefined);
  assert.equal(tryParseIP("::1")?.family, 6);
  assert.equal(formatIP(Uint8Array.of(192, 0, 2, 1)), "192.0.2.1");
  assert.equal(formatIPv4(Uint8Array.of(0, 0, 0, 0)), "0.0.0.0");
  assert.throws(() => formatIP(new Uint8Array(5)), /IP address must be 4 or 16 bytes, got 5/);
  assert.throws(() => formatIPv6(new Uint8Array(4)), /IPv6 address must be 16 bytes, got 4/);
});

Deno.test("parseMac / formatMac", () => {
  assert.deepEqual(parseMac("02:00:00:00:00:01"), Uint8Array.of(2, 0, 0, 0, 0, 1));
  assert.deepEqual(parseMac("AA-bb-CC-dd-EE-ff"), Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff));
  assert.equal(formatMac(Uint8Array.of(0x66, 0x67, 0x99, 0x1b, 0xa3, 0x31)), "66:67:99:1b:a3:31");
  assert.throws(() => parseMac("02:00:00:00:00"), /Expected 6 parts/);
  assert.throws(() => parseMac("02:00:00:00:00:0g"), /Expected two hex digits .* at column 16/);
  assert.throws(() => parseMac("02:00:00:00:00:01:"), /Unexpected character ":"/);
  assert.throws(() => parseMac("2:00:00:00:00:01"), /Expected two hex digits/);
});

// 900 seeded mutations of valid addresses, each with glibc's verdict (inet_pton) and canonical
// text (inet_ntop), recorded with Python's socket module; the parser must agree on every one.

Deno.test("parseIPv4/parseIPv6 agree with glibc inet_pton on 900 mutated inputs; formatIPv6 with inet_ntop", () => {
  const disagreements: string[] = [];
  for (const [text, expected] of vectors.ipv4 as [string, string | null][]) {
    const got = tryParseIPv4(text);
    if ((got === undefined ? null : hex(got)) !== expected) disagreements.push(`v4 ${JSON.stringify(text)}`);
  }
  for (const [text, expected] of vectors.ipv6 as [string, [string, string] | null][]) {
    const got = tryParseIPv6(text);
    if (got === undefined || expected === null) {
      if ((got === undefined) !== (expected === null)) disagreements.push(`v6 ${JSON.stringify(text)}`);
      continue;
    }
    if (hex(got) !== expected[0] || formatIPv6(got) !== expected[1]) {
      disagreements.push(`v6 ${JSON.stringify(text)}`);
    }
  }
  assert.deepEqual(disagreements, []);
});
