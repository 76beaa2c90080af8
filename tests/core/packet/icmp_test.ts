import assert from "node:assert/strict";
import { parseIPv6 } from "../../../core/packet/address.ts";
import { encodeIcmp, encodeIcmpv6, ICMP_TYPE, ICMPV6_TYPE } from "../../../core/packet/icmp.ts";
import { hex, naivePseudo, naiveSum } from "./_parse.ts";

const V6 = { src: parseIPv6("fd00:213::1"), dst: parseIPv6("fd00:213::2") };

Deno.test("encodeIcmp: empty echo request has the classic checksum 0xf7ff", () => {
  assert.equal(hex(encodeIcmp({ type: ICMP_TYPE.echoRequest })), "0800f7ff00000000");
});

Deno.test("encodeIcmp: id, seq, payload; checksum verifies", () => {
  const message = encodeIcmp({ type: 8, id: 0x1234, seq: 1, payload: Uint8Array.of(1, 2, 3) });
  assert.equal(hex(message.subarray(4)), "12340001010203");
  assert.equal(naiveSum(message), 0xffff);
  // 0x0800 + 0x1234 + 0x0001 + 0x0102 + 0x0300 = 0x1e37 -> ~ = 0xe1c8
  assert.equal(hex(message.subarray(2, 4)), "e1c8");
});

Deno.test("encodeIcmp: rest-of-header bytes and checksum override", () => {
  const unreachable = encodeIcmp({
    type: 3,
    code: 3,
    rest: Uint8Array.of(0, 0, 0x05, 0xdc),
    checksum: 0xdead,
  });
  assert.equal(hex(unreachable), "0303dead000005dc");
  assert.throws(() => encodeIcmp({ type: 3, rest: new Uint8Array(3) }), /"rest" must be 4 bytes, got 3/);
  assert.throws(() => encodeIcmp({ type: 256 }), /^RangeError: "type" must be 0\.\.255, got 256$/);
  assert.throws(() => encodeIcmp({ type: 8, code: -1 }), /"code" must be 0\.\.255, got -1/);
  assert.throws(() => encodeIcmp({ type: 8, seq: 65536 }), /"seq" must be 0\.\.65535/);
});

Deno.test("encodeIcmpv6: checksum covers the IPv6 pseudo-header (next header 58)", () => {
  const message = encodeIcmpv6(
    { type: ICMPV6_TYPE.echoRequest, id: 7, seq: 9, payload: Uint8Array.of(0x61) },
    V6,
  );
  assert.equal(message[0], 128);
  assert.equal(naiveSum(naivePseudo(V6.src, V6.dst, 58, message.length), message), 0xffff);
  // Without the pseudo-header it would not verify.
  assert.notEqual(naiveSum(message), 0xffff);
  assert.throws(
    () => encodeIcmpv6({ type: 128 }, { src: new Uint8Array(4), dst: new Uint8Array(4) }),
    /ICMPv6 needs 16-byte IPv6 addresses, got 4 and 4/,
  );
});
