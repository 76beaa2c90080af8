import assert from "node:assert/strict";
import {
  internetChecksum,
  onesComplementSum,
  pseudoHeader,
  wrongChecksum,
} from "../../../core/packet/checksum.ts";
import { createRng } from "../../../core/packet/rng.ts";
import { fromHex, naivePseudo, naiveSum } from "./_parse.ts";

Deno.test("internetChecksum: RFC 1071 §3 example sums to 0xddf2", () => {
  const data = fromHex("0001 f203 f4f5 f6f7");
  assert.equal(onesComplementSum([data]), 0xddf2);
  assert.equal(internetChecksum(data), 0x220d);
});

Deno.test("internetChecksum: the data plus its checksum sums to 0xffff (RFC 1071 verification)", () => {
  const data = fromHex("0001 f203 f4f5 f6f7 220d");
  assert.equal(onesComplementSum([data]), 0xffff);
  assert.equal(internetChecksum(data), 0);
});

Deno.test("internetChecksum: an odd trailing byte is padded with zero", () => {
  // 0x0102 + 0x0300 = 0x0402 -> ~ = 0xfbfd
  assert.equal(internetChecksum(Uint8Array.of(1, 2, 3)), 0xfbfd);
  assert.equal(internetChecksum(new Uint8Array()), 0xffff);
});

Deno.test("internetChecksum: carries wrap around (0xffff + 0x0001 = 0x0001)", () => {
  assert.equal(onesComplementSum([fromHex("ffff 0001")]), 0x0001);
  assert.equal(onesComplementSum([fromHex("ffff ffff")]), 0xffff);
});

Deno.test("internetChecksum: parts split at odd offsets equal the concatenation", () => {
  const rng = createRng(7);
  for (let round = 0; round < 200; round++) {
    const data = rng.bytes(rng.int(0, 300));
    const cuts = [0, rng.int(0, data.length), rng.int(0, data.length), data.length].sort((a, b) => a - b);
    const parts = [data.subarray(cuts[0], cuts[1]), data.subarray(cuts[1], cuts[2]), data.subarray(cuts[2])];
    assert.equal(internetChecksum(...parts), internetChecksum(data));
    assert.equal(internetChecksum(data), ~naiveSum(data) & 0xffff);
  }
});

Deno.test("internetChecksum: large input (64 KiB of 0xff) folds correctly", () => {
  const data = new Uint8Array(65536).fill(0xff);
  assert.equal(internetChecksum(data), ~naiveSum(data) & 0xffff);
});

Deno.test("pseudoHeader: IPv4 and IPv6 layouts match RFC 793 / RFC 8200", () => {
  const s4 = Uint8Array.of(10, 0, 0, 1), d4 = Uint8Array.of(10, 0, 0, 2);
  assert.deepEqual(pseudoHeader(s4, d4, 6, 40), fromHex("0a000001 0a000002 00 06 0028"));
  const s6 = new Uint8Array(16).fill(1), d6 = new Uint8Array(16).fill(2);
  const ph = pseudoHeader(s6, d6, 17, 0x10203);
  assert.equal(ph.length, 40);
  assert.deepEqual(ph, naivePseudo(s6, d6, 17, 0x10203));
  assert.deepEqual(ph.subarray(32), fromHex("00010203 000000 11"));
});

Deno.test("pseudoHeader: mixed families are refused, naming the field", () => {
  assert.throws(
    () => pseudoHeader(new Uint8Array(4), new Uint8Array(16), 6, 0),
    /"dst" must be a 4-byte IPv4/,
  );
  assert.throws(
    () => pseudoHeader(new Uint8Array(5), new Uint8Array(16), 6, 0),
    /"src" must be a 16-byte IPv6/,
  );
});

Deno.test("wrongChecksum: never one's-complement-equal to the right one and never 0", () => {
  for (let c = 0; c <= 0xffff; c++) {
    const w = wrongChecksum(c);
    assert.notEqual(w, c);
    assert.notEqual(w, 0);
    // 0x0000 and 0xffff are the same number in one's complement.
    if (c === 0 || c === 0xffff) assert.ok(w !== 0 && w !== 0xffff);
  }
  assert.equal(wrongChecksum(0x1234), 0x1234 ^ 0x5555);
  assert.equal(wrongChecksum(0x5555), 0xaaaa);
});
