/**
 * mac1 at flood rate (core/spa/mac1.ts): the prepared check computes what `computeMac1` computes, for
 * datagrams at any offset in their frame, and gives the same answers as the one-shot check.
 */
import assert from "node:assert/strict";
import { checkMac1, computeMac1, DATAGRAM_BYTES, Mac1Check } from "../../../core/spa/mod.ts";
import { bytes, datagram, MAC1 } from "./_fixture.ts";

Deno.test("mac1: the prepared check computes computeMac1's tag, at every frame offset, secret after secret", () => {
  for (let s = 0; s < 4; s++) {
    const secret = bytes(0x40 + s * 17);
    const check = new Mac1Check(secret);
    for (let offset = 0; offset < 9; offset++) {
      const frame = bytes(offset * 29 + s, DATAGRAM_BYTES + 16);
      const d = frame.subarray(offset, offset + DATAGRAM_BYTES);
      assert.deepEqual(check.compute(d), computeMac1(secret, d), `secret ${s}, offset ${offset}`);
    }
  }
});

Deno.test("mac1: the prepared check accepts a sealed datagram and refuses every single-bit change", () => {
  const check = new Mac1Check(MAC1);
  const d = datagram();
  assert.equal(check.check(d), true);
  // Twice: the reused state must not carry anything from one datagram to the next.
  assert.equal(check.check(d), true);
  for (let bit = 0; bit < DATAGRAM_BYTES * 8; bit += 7) {
    const flipped = d.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    assert.equal(check.check(flipped), false, `bit ${bit}`);
    assert.equal(checkMac1(MAC1, flipped), false, `bit ${bit} (one-shot)`);
    assert.equal(check.check(d), true, `after bit ${bit}`);
  }
  assert.equal(new Mac1Check(bytes(0x41)).check(d), false, "another secret");
});
