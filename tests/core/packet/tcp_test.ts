import assert from "node:assert/strict";
import { parseIPv4, parseIPv6 } from "../../../core/packet/address.ts";
import {
  encodeTcp,
  encodeTcpOptions,
  TCP_FLAG_BITS,
  TCP_FLAGS_MASK,
  type TcpOption,
} from "../../../core/packet/tcp.ts";
import { hex, naivePseudo, naiveSum, parseTcp } from "./_parse.ts";

const A = { src: parseIPv4("10.213.0.1"), dst: parseIPv4("10.213.0.2") };
const B = { src: A.dst, dst: A.src };
const V6 = { src: parseIPv6("fd00:213::1"), dst: parseIPv6("fd00:213::2") };

function checksumOk(segment: Uint8Array, addresses: { src: Uint8Array; dst: Uint8Array }): boolean {
  return naiveSum(naivePseudo(addresses.src, addresses.dst, 6, segment.length), segment) === 0xffff;
}

// Segments captured from real tools (docs/craft.md, "Reference packets"), checksums marked
// "(correct)" by tcpdump.
Deno.test("encodeTcp: FIN+PSH+URG segments byte-identical to sendip, packit, hping3, scapy", () => {
  const fpu = TCP_FLAG_BITS.fin | TCP_FLAG_BITS.psh | TCP_FLAG_BITS.urg;
  assert.equal(fpu, 0x29);
  assert.equal(
    hex(encodeTcp({ sport: 40000, dport: 7000, seq: 0x796e4756, flags: fpu, window: 65535 }, A)),
    "9c401b58796e4756000000005029ffff21b20000",
  );
  assert.equal(
    hex(encodeTcp({ sport: 40001, dport: 7000, seq: 0, flags: fpu, window: 65535 }, A)),
    "9c411b58000000000000000050" + "29ffffe2750000",
  );
  assert.equal(
    hex(
      encodeTcp({ sport: 40002, dport: 7000, seq: 0x1d21c1ba, ack: 0x3cb88595, flags: fpu, window: 512 }, A),
    ),
    "9c421b581d21c1ba3cb8859550290200" + "3f4b0000",
  );
  assert.equal(
    hex(encodeTcp({ sport: 40003, dport: 7000, flags: fpu, window: 8192 }, A)),
    "9c431b58000000000000000050292000c2730000",
  );
});

Deno.test("encodeTcp: the target's RST+ACK reply (checksum 0x21c6 per tcpdump)", () => {
  const rst = encodeTcp({
    sport: 7000,
    dport: 40000,
    ack: 2037270359,
    flags: TCP_FLAG_BITS.rst | TCP_FLAG_BITS.ack,
    window: 0,
  }, B);
  assert.equal(hex(rst), "1b589c4000000000796e4757" + "50140000" + "21c60000");
});

Deno.test("encodeTcp: every one of the 512 flag combinations lands in the right bits", () => {
  for (let flags = 0; flags <= TCP_FLAGS_MASK; flags++) {
    const segment = encodeTcp({ sport: 1, dport: 2, flags }, A);
    assert.equal(segment[13], flags & 0xff, `flags ${flags}`);
    assert.equal(segment[12]! & 0x01, flags >> 8, `NS of ${flags}`);
    assert.equal(segment[12]! >> 4, 5);
    assert.equal(parseTcp(segment).flags, flags);
    assert.ok(checksumOk(segment, A));
  }
  // Each named flag is the documented bit.
  const expected = {
    fin: 0x01,
    syn: 0x02,
    rst: 0x04,
    psh: 0x08,
    ack: 0x10,
    urg: 0x20,
    ece: 0x40,
    cwr: 0x80,
    ns: 0x100,
  };
  assert.deepEqual({ ...TCP_FLAG_BITS }, expected);
  const ns = encodeTcp({ sport: 1, dport: 2, flags: TCP_FLAG_BITS.ns }, A);
  assert.equal(hex(ns.subarray(12, 14)), "5100");
});

Deno.test("encodeTcpOptions: every kind encoded as RFC 9293 / 7323 / 2018 lay it out", () => {
  const cases: [TcpOption, string][] = [
    [{ type: "eol" }, "00"],
    [{ type: "nop" }, "01"],
    [{ type: "mss", value: 1460 }, "020405b4"],
    [{ type: "wscale", shift: 7 }, "030307"],
    [{ type: "sackPermitted" }, "0402"],
    [{ type: "sack", blocks: [[1000, 2000]] }, "050a000003e8000007d0"],
    [{ type: "sack", blocks: [[1, 2], [0xffffffff, 0]] }, "0512" + "0000000100000002" + "ffffffff00000000"],
    [{ type: "timestamp", value: 1234, echo: 0 }, "080a000004d200000000"],
    [{ type: "raw", kind: 30, data: Uint8Array.of(0xaa, 0xbb) }, "1e04aabb"],
    [{ type: "bytes", bytes: Uint8Array.of(0xfe) }, "fe"],
  ];
  for (const [option, bytes] of cases) {
    const padded = bytes.padEnd(Math.ceil(bytes.length / 8) * 8, "0");
    assert.equal(hex(encodeTcpOptions([option])), padded, option.type);
  }
});

Deno.test("encodeTcpOptions: padding to 4 bytes with EOL, data offset follows", () => {
  assert.equal(hex(encodeTcpOptions([])), "");
  assert.equal(hex(encodeTcpOptions([{ type: "nop" }])), "01000000");
  assert.equal(hex(encodeTcpOptions([{ type: "wscale", shift: 14 }])), "03030e00");
  assert.equal(hex(encodeTcpOptions([{ type: "mss", value: 536 }])), "02040218");
  // The options list sendip left unpadded ("bad hdr length 52") is padded here.
  const sendipList: TcpOption[] = [
    { type: "mss", value: 1460 },
    { type: "nop" },
    { type: "wscale", shift: 7 },
    { type: "sackPermitted" },
    { type: "timestamp", value: 1234, echo: 0 },
  ];
  const segment = encodeTcp({ sport: 1, dport: 2, flags: TCP_FLAG_BITS.syn, options: sendipList }, A);
  const parsed = parseTcp(segment);
  assert.equal(parsed.dataOffset, 10); // 20 + 20 bytes of options
  assert.equal(hex(parsed.options), "020405b4" + "01" + "030307" + "0402" + "080a000004d200000000");
  assert.ok(checksumOk(segment, A));
});

Deno.test("encodeTcp: scapy's SECN packet with seven options (offset 13, NS set: bytes d1 c2)", () => {
  const options: TcpOption[] = [
    { type: "mss", value: 1460 },
    { type: "nop" },
    { type: "wscale", shift: 7 },
    { type: "sackPermitted" },
    { type: "timestamp", value: 1234, echo: 0 },
    { type: "sack", blocks: [[1000, 2000]] },
    { type: "eol" },
  ];
  const flags = TCP_FLAG_BITS.syn | TCP_FLAG_BITS.ece | TCP_FLAG_BITS.cwr | TCP_FLAG_BITS.ns;
  const segment = encodeTcp({ sport: 40100, dport: 7000, seq: 1000, flags, window: 1024, options }, A);
  assert.equal(hex(segment.subarray(12, 14)), "d1c2");
  assert.equal(segment.length, 52);
  assert.equal(
    hex(segment.subarray(20)),
    "020405b401030307" + "0402080a000004d2" + "00000000050a0000" + "03e8000007d00000",
  );
  assert.ok(checksumOk(segment, A));
});

Deno.test("encodeTcp: options over 40 bytes are refused, naming the field", () => {
  const sack = { type: "sack", blocks: [[1, 2], [3, 4], [5, 6], [7, 8]] } as const;
  assert.equal(encodeTcpOptions([sack]).length, 36);
  assert.throws(
    () => encodeTcpOptions([sack, { type: "mss", value: 1 }, { type: "mss", value: 2 }]),
    /^RangeError: "options" must be at most 40 bytes after padding, got 44$/,
  );
  assert.throws(
    () => encodeTcpOptions([{ type: "raw", kind: 99, data: new Uint8Array(39) }]),
    /"option length" must be 2\.\.40, got 41/,
  );
});

Deno.test("encodeTcp: every field is settable and lands at its offset", () => {
  const segment = encodeTcp({
    sport: 0xfedc,
    dport: 0x1234,
    seq: 0x89abcdef,
    ack: 0x01234567,
    flags: 0x1ff,
    window: 0x5a5a,
    urgentPointer: 0x0bad,
    reserved: 0b101,
    payload: Uint8Array.of(0x6b, 0x6e, 0x6f, 0x63, 0x6b), // "knock": odd length
  }, A);
  assert.equal(hex(segment.subarray(0, 16)), "fedc123489abcdef01234567" + "5bff5a5a");
  assert.equal(hex(segment.subarray(18)), "0bad6b6e6f636b");
  assert.ok(checksumOk(segment, A));
  const p = parseTcp(segment);
  assert.equal(p.urgentPointer, 0x0bad);
  assert.equal(new TextDecoder().decode(p.payload), "knock");
});

Deno.test("encodeTcp: IPv6 pseudo-header checksum verifies; differs from the IPv4 one", () => {
  const fields = {
    sport: 40000,
    dport: 7000,
    seq: 1,
    flags: TCP_FLAG_BITS.syn,
    payload: Uint8Array.of(1, 2, 3),
  };
  const v6 = encodeTcp(fields, V6);
  assert.ok(checksumOk(v6, V6));
  assert.ok(!checksumOk(v6, A));
  const v4 = encodeTcp(fields, A);
  assert.notEqual(hex(v6.subarray(16, 18)), hex(v4.subarray(16, 18)));
  assert.equal(hex(v6.subarray(0, 16)), hex(v4.subarray(0, 16)));
});

Deno.test("encodeTcp: overrides for checksum and data offset (deliberately malformed)", () => {
  const wrong = encodeTcp({ sport: 1, dport: 2, checksum: 0xdead }, A);
  assert.equal(hex(wrong.subarray(16, 18)), "dead");
  assert.ok(!checksumOk(wrong, A));
  const lying = encodeTcp({ sport: 1, dport: 2, dataOffset: 15 }, A);
  assert.equal(lying[12], 0xf0);
  assert.equal(lying.length, 20);
  assert.ok(checksumOk(lying, A));
});

Deno.test("encodeTcp: out-of-range values name the field", () => {
  const bad: [Record<string, number>, RegExp][] = [
    [{ sport: 65536 }, /^RangeError: "sport" must be 0\.\.65535, got 65536$/],
    [{ dport: -1 }, /"dport" must be 0\.\.65535, got -1/],
    [{ seq: 2 ** 32 }, /"seq" must be 0\.\.4294967295, got 4294967296/],
    [{ ack: 1.5 }, /"ack" must be 0\.\.4294967295, got 1\.5/],
    [{ flags: 0x200 }, /"flags" must be 0\.\.511, got 512/],
    [{ window: 70000 }, /"window" must be 0\.\.65535, got 70000/],
    [{ urgentPointer: 65536 }, /"urgentPointer" must be 0\.\.65535/],
    [{ reserved: 8 }, /"reserved" must be 0\.\.7, got 8/],
    [{ dataOffset: 16 }, /"dataOffset" must be 0\.\.15, got 16/],
    [{ checksum: 0x10000 }, /"checksum" must be 0\.\.65535/],
  ];
  for (const [override, message] of bad) {
    assert.throws(() => encodeTcp({ sport: 1, dport: 2, ...override }, A), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(String(e), message);
      return true;
    });
  }
  assert.throws(
    () => encodeTcpOptions([{ type: "mss", value: 65536 }]),
    /"mss" must be 0\.\.65535, got 65536/,
  );
  assert.throws(
    () => encodeTcpOptions([{ type: "wscale", shift: 256 }]),
    /"wscale" must be 0\.\.255, got 256/,
  );
  assert.throws(
    () => encodeTcpOptions([{ type: "timestamp", value: -1, echo: 0 }]),
    /"timestamp value" must be 0\.\.4294967295, got -1/,
  );
  assert.throws(
    () => encodeTcp({ sport: 1, dport: 2 }, { src: A.src, dst: V6.dst }),
    /"dst" must be a 4-byte IPv4/,
  );
});
