import assert from "node:assert/strict";
import { parseIPv6 } from "../../../core/packet/address.ts";
import { encodeIPv6 } from "../../../core/packet/ipv6.ts";
import { hex, parseIp } from "./_parse.ts";

const src = parseIPv6("fd00:213::1");
const dst = parseIPv6("fd00:213::2");

Deno.test("encodeIPv6: header bytes by hand from RFC 8200 §3", () => {
  const packet = encodeIPv6(
    { src, dst, nextHeader: 6, trafficClass: 0xb8, flowLabel: 0x12345, hopLimit: 33 },
    Uint8Array.of(0xaa, 0xbb),
  );
  assert.equal(
    hex(packet),
    "6b812345" + "0002" + "06" + "21" + "fd000213000000000000000000000001" +
      "fd000213000000000000000000000002" + "aabb",
  );
});

Deno.test("encodeIPv6: defaults are hop limit 64, class 0, flow label 0", () => {
  const p = parseIp(encodeIPv6({ src, dst, nextHeader: 17 }));
  assert.equal(p.version, 6);
  assert.equal(p.ttl, 64);
  assert.equal(p.tos, 0);
  assert.equal(p.flowLabel, 0);
  assert.equal(p.totalLength, 40);
});

Deno.test("encodeIPv6: flow label uses all 20 bits and does not touch the traffic class", () => {
  for (const flowLabel of [0, 1, 0x80000, 0xfffff, 0x12345]) {
    for (const trafficClass of [0, 0x01, 0xb8, 0xff]) {
      const p = parseIp(encodeIPv6({ src, dst, nextHeader: 6, flowLabel, trafficClass }));
      assert.equal(p.flowLabel, flowLabel);
      assert.equal(p.tos, trafficClass);
      assert.equal(p.version, 6);
    }
  }
  assert.throws(
    () => encodeIPv6({ src, dst, nextHeader: 6, flowLabel: 0x100000 }),
    /^RangeError: "flowLabel" must be 0\.\.1048575, got 1048576$/,
  );
});

Deno.test("encodeIPv6: overrides and validation", () => {
  const lying = encodeIPv6({ src, dst, nextHeader: 6, payloadLength: 99, version: 4 }, new Uint8Array(3));
  assert.equal(hex(lying.subarray(0, 6)), "400000000063");
  assert.throws(() => encodeIPv6({ src, dst, nextHeader: 256 }), /"nextHeader" must be 0\.\.255, got 256/);
  assert.throws(() => encodeIPv6({ src, dst, nextHeader: 6, hopLimit: 256 }), /"hopLimit" must be 0\.\.255/);
  assert.throws(
    () => encodeIPv6({ src, dst, nextHeader: 6, trafficClass: -1 }),
    /"trafficClass" must be 0\.\.255/,
  );
  assert.throws(
    () => encodeIPv6({ src: new Uint8Array(4), dst, nextHeader: 6 }),
    /"src" must be a 16-byte IPv6 address, got 4 bytes/,
  );
  assert.throws(() => encodeIPv6({ src, dst, nextHeader: 6 }, new Uint8Array(65536)), /at most 65535 bytes/);
});
