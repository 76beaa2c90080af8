import assert from "node:assert/strict";
import { parseIPv4 } from "../../../core/packet/address.ts";
import { encodeIPv4, encodeIPv4Options, IPPROTO, type IPv4Option } from "../../../core/packet/ipv4.ts";
import { encodeTcp, TCP_FLAG_BITS } from "../../../core/packet/tcp.ts";
import { hex, naiveSum, parseIp } from "./_parse.ts";

const src = parseIPv4("10.213.0.1");
const dst = parseIPv4("10.213.0.2");
const FPU = TCP_FLAG_BITS.fin | TCP_FLAG_BITS.psh | TCP_FLAG_BITS.urg;

// Whole datagrams captured from real tools (docs/craft.md, "Reference packets").
Deno.test("encodeIPv4: datagrams byte-identical to sendip, packit and hping3", () => {
  const cases = [
    {
      ip: { id: 0xe43f, ttl: 255 },
      tcp: { sport: 40000, dport: 7000, seq: 0x796e4756, flags: FPU, window: 65535 },
      bytes: "45000028e43f0000ff06c1e30ad500010ad50002" + "9c401b58796e4756000000005029ffff21b20000",
    },
    {
      ip: { id: 0x69c8, ttl: 128 },
      tcp: { sport: 40001, dport: 7000, flags: FPU, window: 65535 },
      bytes: "4500002869c800008006bb5b0ad500010ad50002" + "9c411b580000000000000000" + "5029ffffe2750000",
    },
    {
      ip: { id: 0xbf4e, ttl: 64 },
      tcp: { sport: 40002, dport: 7000, seq: 0x1d21c1ba, ack: 0x3cb88595, flags: FPU, window: 512 },
      bytes: "45000028bf4e00004006a5d50ad500010ad50002" + "9c421b581d21c1ba3cb88595502902003f4b0000",
    },
  ];
  for (const { ip, tcp, bytes } of cases) {
    const datagram = encodeIPv4({ src, dst, protocol: IPPROTO.tcp, ...ip }, encodeTcp(tcp, { src, dst }));
    assert.equal(hex(datagram), bytes);
  }
});

Deno.test("encodeIPv4: header checksum verifies and defaults are TTL 64, TOS 0, no flags", () => {
  const datagram = encodeIPv4({ src, dst, protocol: 17 }, Uint8Array.of(1, 2, 3));
  const p = parseIp(datagram);
  assert.ok(p.headerChecksumOk);
  assert.equal(p.ttl, 64);
  assert.equal(p.tos, 0);
  assert.equal(p.id, 0);
  assert.equal(p.flagsAndOffset, 0);
  assert.equal(p.totalLength, 23);
  assert.equal(p.headerLength, 20);
  assert.deepEqual(p.payload, Uint8Array.of(1, 2, 3));
});

Deno.test("encodeIPv4: fragment flags and offset", () => {
  const word = (fields: { rf?: boolean; df?: boolean; mf?: boolean; fragmentOffset?: number }): string =>
    hex(encodeIPv4({ src, dst, protocol: 6, ...fields }).subarray(6, 8));
  assert.equal(word({ df: true }), "4000");
  assert.equal(word({ mf: true }), "2000");
  assert.equal(word({ rf: true }), "8000");
  assert.equal(word({ fragmentOffset: 8191 }), "1fff");
  assert.equal(word({ mf: true, fragmentOffset: 185 }), "20b9"); // 1480 bytes / 8
  assert.equal(word({ rf: true, df: true, mf: true, fragmentOffset: 8191 }), "ffff");
  assert.throws(
    () => encodeIPv4({ src, dst, protocol: 6, fragmentOffset: 8192 }),
    /^RangeError: "fragmentOffset" must be 0\.\.8191, got 8192$/,
  );
});

Deno.test("encodeIPv4Options: every kind, padded with EOL to 4 bytes", () => {
  const cases: [IPv4Option[], string][] = [
    [[], ""],
    [[{ type: "nop" }], "01000000"],
    [[{ type: "eol" }], "00000000"],
    [[{ type: "routerAlert" }], "94040000"],
    [[{ type: "routerAlert", value: 0x1234 }], "94041234"],
    [
      [{ type: "rr", addresses: [new Uint8Array(4), new Uint8Array(4)] }, { type: "nop" }],
      "070b04" + "00".repeat(8) + "01",
    ],
    [[{ type: "lsrr", addresses: [parseIPv4("192.0.2.1")] }], "830704c0000201" + "00"],
    [[{ type: "ssrr", addresses: [parseIPv4("192.0.2.1")], pointer: 8 }], "890708c0000201" + "00"],
    [[{ type: "timestamp", words: [0, 0] }], "440c0500" + "00000000" + "00000000"],
    [
      [{ type: "timestamp", flag: 1, overflow: 2, pointer: 13, words: [0xc0000201, 7] }],
      "440c0d21" + "c0000201" + "00000007",
    ],
    [[{ type: "raw", kind: 0x88, data: Uint8Array.of(0x12, 0x34) }], "88041234"],
    [[{ type: "bytes", bytes: Uint8Array.of(1, 1, 1, 1, 1) }], "0101010101000000"],
  ];
  for (const [options, bytes] of cases) assert.equal(hex(encodeIPv4Options(options)), bytes);
});

Deno.test("encodeIPv4: options change IHL, total length and checksum (sendip's RR+NOP packet)", () => {
  // docs/craft.md, "Reference packets": options (RR 0.0.0.0 0.0.0.0,NOP), tos 0x2e, ttl 7, id 777, DF.
  const options: IPv4Option[] = [{ type: "rr", addresses: [new Uint8Array(4), new Uint8Array(4)] }, {
    type: "nop",
  }];
  const datagram = encodeIPv4({ src, dst, protocol: 6, tos: 0x2e, ttl: 7, id: 777, df: true, options });
  const p = parseIp(datagram);
  assert.equal(datagram[0], 0x48);
  assert.equal(p.headerLength, 32);
  assert.equal(p.totalLength, 32);
  assert.ok(p.headerChecksumOk);
  assert.equal(hex(p.options), "070b040000000000000000" + "01");
  // An option list that needs padding: 1 byte -> 4, IHL 6.
  const padded = encodeIPv4({ src, dst, protocol: 6, options: [{ type: "nop" }] });
  assert.equal(padded[0], 0x46);
  assert.equal(hex(padded.subarray(20)), "01000000");
  assert.ok(parseIp(padded).headerChecksumOk);
});

Deno.test("encodeIPv4: more than 40 bytes of options is refused", () => {
  const nine = Array.from({ length: 9 }, () => new Uint8Array(4));
  assert.equal(encodeIPv4Options([{ type: "rr", addresses: nine }]).length, 40);
  assert.throws(
    () => encodeIPv4Options([{ type: "rr", addresses: nine }, { type: "nop" }, { type: "nop" }]),
    /^RangeError: "options" must be at most 40 bytes after padding, got 44$/,
  );
  assert.throws(
    () => encodeIPv4Options([{ type: "rr", addresses: [...nine, new Uint8Array(4)] }]),
    /"rr length" must be 3\.\.40, got 43/,
  );
  assert.throws(
    () => encodeIPv4Options([{ type: "timestamp", words: [], flag: 16 }]),
    /"timestamp flag" must be 0\.\.15, got 16/,
  );
  assert.throws(
    () => encodeIPv4Options([{ type: "lsrr", addresses: [new Uint8Array(16)] }]),
    /"lsrr address" must be a 4-byte IPv4 address, got 16 bytes/,
  );
});

Deno.test("encodeIPv4: overrides (version, IHL, total length, checksum) go out as given", () => {
  const datagram = encodeIPv4(
    { src, dst, protocol: 6, version: 5, ihl: 4, totalLength: 1000, checksum: 0xbeef },
    Uint8Array.of(9),
  );
  assert.equal(hex(datagram.subarray(0, 4)), "540003e8");
  assert.equal(hex(datagram.subarray(10, 12)), "beef");
  assert.notEqual(naiveSum(datagram.subarray(0, 20)), 0xffff);
  assert.equal(datagram.length, 21);
});

Deno.test("encodeIPv4: out-of-range values name the field", () => {
  const bad: [Record<string, number>, RegExp][] = [
    [{ ttl: 300 }, /^RangeError: "ttl" must be 0\.\.255, got 300$/],
    [{ tos: 256 }, /"tos" must be 0\.\.255, got 256/],
    [{ id: 65536 }, /"id" must be 0\.\.65535, got 65536/],
    [{ protocol: -1 }, /"protocol" must be 0\.\.255, got -1/],
    [{ ihl: 16 }, /"ihl" must be 0\.\.15, got 16/],
    [{ version: 16 }, /"version" must be 0\.\.15/],
    [{ totalLength: 65536 }, /"totalLength" must be 0\.\.65535/],
    [{ checksum: -2 }, /"checksum" must be 0\.\.65535, got -2/],
  ];
  for (const [override, message] of bad) {
    assert.throws(() => encodeIPv4({ src, dst, protocol: 6, ...override }), message);
  }
  assert.throws(
    () => encodeIPv4({ src: new Uint8Array(16), dst, protocol: 6 }),
    /"src" must be a 4-byte IPv4 address, got 16 bytes/,
  );
  assert.throws(
    () => encodeIPv4({ src, dst, protocol: 6 }, new Uint8Array(65516)),
    /IPv4 datagram must be at most 65535 bytes, got 65536/,
  );
});
