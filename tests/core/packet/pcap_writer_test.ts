import assert from "node:assert/strict";
import {
  encodePcap,
  encodePcapHeader,
  encodePcapRecord,
  LINKTYPE,
} from "../../../core/packet/pcap_writer.ts";
import { hex } from "./_parse.ts";

Deno.test("encodePcapHeader: little-endian classic header (magic a1b2c3d4, v2.4)", () => {
  assert.equal(
    hex(encodePcapHeader()),
    "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "65000000",
  );
  assert.equal(
    hex(encodePcapHeader({ linkType: LINKTYPE.ethernet, snapLength: 65535, precision: "nano" })),
    "4d3cb2a1" + "02000400" + "0000000000000000" + "ffff0000" + "01000000",
  );
  assert.throws(() => encodePcapHeader({ snapLength: 0 }), /"snapLength" must be 1\.\.2147483647, got 0/);
});

Deno.test("encodePcapRecord: timestamps split into seconds and micro/nanoseconds", () => {
  const data = Uint8Array.of(0x45, 0, 0, 20);
  const rec = encodePcapRecord({ timeMs: 1_700_000_000_123.456, data });
  assert.equal(hex(rec), "00f15365" + "40e20100" + "04000000" + "04000000" + "45000014");
  // 1_700_000_000 = 0x6553f100, 123456 µs = 0x0001e240
  // 123.5 ms is exact in binary floating point: 123500000 ns.
  const nano = encodePcapRecord({ timeMs: 1_700_000_000_123.5, data }, { precision: "nano" });
  assert.equal(hex(nano.subarray(0, 8)), "00f15365" + "e0755c07");
  // Rounding up to a whole second carries into the seconds field.
  const carry = encodePcapRecord({ timeMs: 999.9999, data });
  assert.equal(hex(carry.subarray(0, 8)), "01000000" + "00000000");
});

Deno.test("encodePcapRecord: truncates to the snap length and keeps the original length", () => {
  const rec = encodePcapRecord({ timeMs: 0, data: new Uint8Array(100).fill(7) }, { snapLength: 60 });
  assert.equal(rec.length, 16 + 60);
  assert.equal(hex(rec.subarray(8, 16)), "3c000000" + "64000000");
  const longer = encodePcapRecord({ timeMs: 0, data: new Uint8Array(4), originalLength: 1500 });
  assert.equal(hex(longer.subarray(8, 16)), "04000000" + "dc050000");
  assert.throws(
    () => encodePcapRecord({ timeMs: 0, data: new Uint8Array(4), originalLength: 3 }),
    /"originalLength" must be 4\.\.4294967295, got 3/,
  );
  assert.throws(() => encodePcapRecord({ timeMs: -1, data: new Uint8Array() }), /"timeMs" must be/);
  assert.throws(() => encodePcapRecord({ timeMs: Number.NaN, data: new Uint8Array() }), /"timeMs" must be/);
});

Deno.test("encodePcap: header followed by records in order", () => {
  const file = encodePcap([
    { timeMs: 1000, data: Uint8Array.of(1) },
    { timeMs: 2000.5, data: Uint8Array.of(2, 3) },
  ]);
  assert.equal(file.length, 24 + 17 + 18);
  assert.equal(hex(file.subarray(24, 41)), "01000000" + "00000000" + "01000000" + "01000000" + "01");
  assert.equal(hex(file.subarray(41)), "02000000" + "f4010000" + "02000000" + "02000000" + "0203");
});
