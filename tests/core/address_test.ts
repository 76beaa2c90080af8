import assert from "node:assert/strict";
import { formatIPv4At, formatIPv6, formatIPv6At, tryParseIPv4, tryParseIPv6 } from "../../core/address.ts";

function fmt6(groups: number[]): string {
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  groups.forEach((g, i) => view.setUint16(2 + i * 2, g));
  return formatIPv6At(view, 2);
}

Deno.test("formatIPv6At() follows RFC 5952", () => {
  const cases: [number[], string][] = [
    [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
    [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "2001:db8::1"],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"], // first run wins a tie
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], "2001:0:0:1::1"], // longest run wins
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1"], // a single zero is not compressed
    [[0xfe80, 0, 0, 0, 0x28d0, 0xe0ff, 0xfeba, 0xdb8], "fe80::28d0:e0ff:feba:db8"],
    [[0xfd00, 0x200, 0, 0, 0, 0, 0, 0], "fd00:200::"],
    [
      [0xABCD, 0xEF01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789],
      "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
    ],
    [[1, 0, 0, 0, 0, 0, 0, 0], "1::"],
    [[0, 0, 1, 0, 0, 0, 0, 0], "0:0:1::"],
    [[0, 1, 0, 1, 0, 1, 0, 1], "0:1:0:1:0:1:0:1"],
  ];
  for (const [groups, expected] of cases) assert.equal(fmt6(groups), expected);
});

Deno.test("formatIPv6At() prints IPv4-mapped and IPv4-compatible addresses like glibc inet_ntop", () => {
  assert.equal(fmt6([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0002]), "::ffff:10.0.0.2");
  assert.equal(fmt6([0, 0, 0, 0, 0, 0, 0x0a00, 0x0002]), "::10.0.0.2");
  assert.equal(fmt6([0, 0, 0, 0, 0, 0xfffe, 0x0a00, 0x0002]), "::fffe:a00:2");
  assert.equal(fmt6([0, 0, 0, 0, 1, 0xffff, 0x0a00, 0x0002]), "::1:ffff:a00:2");
});

Deno.test("formatIPv4At() prints a dotted quad", () => {
  const view = new DataView(new Uint8Array([9, 10, 200, 1, 255, 9]).buffer);
  assert.equal(formatIPv4At(view, 1), "10.200.1.255");
});

Deno.test("tryParseIPv4()/tryParseIPv6() read leading zeros as decimal only when asked", () => {
  assert.equal(tryParseIPv4("010.0.0.1"), undefined);
  assert.deepEqual(tryParseIPv4("010.0.0.1", { leadingZeros: true }), Uint8Array.of(10, 0, 0, 1));
  assert.equal(tryParseIPv4("0010.0.0.1", { leadingZeros: true }), undefined);
  assert.equal(tryParseIPv6("::ffff:010.0.0.1"), undefined);
  assert.equal(formatIPv6(tryParseIPv6("::ffff:010.0.0.1", { leadingZeros: true })!), "::ffff:10.0.0.1");
});
