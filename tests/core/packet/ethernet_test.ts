import assert from "node:assert/strict";
import { parseMac } from "../../../core/packet/address.ts";
import { encodeEthernet, ETHERTYPE } from "../../../core/packet/ethernet.ts";
import { hex } from "./_parse.ts";

const dst = parseMac("66:67:99:1b:a3:31");
const src = parseMac("02:00:00:00:00:01");

Deno.test("encodeEthernet: Ethernet II header", () => {
  assert.equal(
    hex(encodeEthernet({ dst, src, etherType: ETHERTYPE.ipv4 }, Uint8Array.of(0x45))),
    "6667991ba331" + "020000000001" + "0800" + "45",
  );
});

Deno.test("encodeEthernet: 802.1Q tag (VLAN 100, priority 5)", () => {
  assert.equal(
    hex(
      encodeEthernet(
        { dst, src, etherType: ETHERTYPE.ipv6, vlan: { id: 100, priority: 5 } },
        new Uint8Array(),
      ),
    ),
    "6667991ba331" + "020000000001" + "8100" + "a064" + "86dd",
  );
  assert.throws(
    () => encodeEthernet({ dst, src, etherType: 0x800, vlan: { id: 4096 } }, new Uint8Array()),
    /"vlan id" must be 0\.\.4095, got 4096/,
  );
  assert.throws(
    () => encodeEthernet({ dst: new Uint8Array(5), src, etherType: 0x800 }, new Uint8Array()),
    /"dst" must be a 6-byte MAC address, got 5 bytes/,
  );
});
