import assert from "node:assert/strict";
import { parseIPv4, parseIPv6 } from "../../../core/packet/address.ts";
import { encodeUdp } from "../../../core/packet/udp.ts";
import { hex, naivePseudo, naiveSum } from "./_parse.ts";

const V4 = { src: parseIPv4("10.0.0.1"), dst: parseIPv4("10.0.0.2") };
const V6 = { src: parseIPv6("fd00:213::1"), dst: parseIPv6("fd00:213::2") };

function ok(datagram: Uint8Array, a: { src: Uint8Array; dst: Uint8Array }): boolean {
  return naiveSum(naivePseudo(a.src, a.dst, 17, datagram.length), datagram) === 0xffff;
}

Deno.test("encodeUdp: hand-computed vector (pseudo-header sum 0x1427 -> checksum 0xebd8)", () => {
  assert.equal(hex(encodeUdp({ sport: 1, dport: 2 }, V4)), "0001000200080000".slice(0, 12) + "ebd8");
});

Deno.test("encodeUdp: payload, length and checksum over both pseudo-headers", () => {
  const payload = new TextEncoder().encode("knock!?");
  for (const a of [V4, V6]) {
    const datagram = encodeUdp({ sport: 40000, dport: 9999, payload }, a);
    assert.equal(datagram.length, 15);
    assert.equal(hex(datagram.subarray(0, 6)), "9c40270f000f");
    assert.ok(ok(datagram, a));
  }
  assert.ok(!ok(encodeUdp({ sport: 1, dport: 2, payload }, V6), V4));
});

Deno.test("encodeUdp: a computed checksum of 0 is sent as 0xffff", () => {
  for (const a of [V4, V6]) {
    // Choose a 2-byte payload that makes the one's complement sum 0xffff (checksum 0).
    const zeroPayload = new Uint8Array(2);
    const probe = encodeUdp({ sport: 1, dport: 2, payload: zeroPayload, checksum: 0 }, a);
    const rest = naiveSum(naivePseudo(a.src, a.dst, 17, probe.length), probe);
    const word = 0xffff - rest;
    const datagram = encodeUdp({ sport: 1, dport: 2, payload: Uint8Array.of(word >> 8, word & 0xff) }, a);
    assert.equal(hex(datagram.subarray(6, 8)), "ffff");
    assert.ok(ok(datagram, a));
  }
});

Deno.test("encodeUdp: overrides and validation", () => {
  const d = encodeUdp({ sport: 1, dport: 2, length: 100, checksum: 0 }, V4);
  assert.equal(hex(d), "0001000200640000");
  assert.throws(
    () => encodeUdp({ sport: 65536, dport: 2 }, V4),
    /^RangeError: "sport" must be 0\.\.65535, got 65536$/,
  );
  assert.throws(
    () => encodeUdp({ sport: 1, dport: 2, length: -1 }, V4),
    /"length" must be 0\.\.65535, got -1/,
  );
  assert.throws(
    () => encodeUdp({ sport: 1, dport: 2, payload: new Uint8Array(65528) }, V4),
    /UDP datagram must be at most 65535 bytes, got 65536/,
  );
});
