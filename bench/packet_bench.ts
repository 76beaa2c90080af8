/**
 * Packet building cost (pure TypeScript, no sockets): the per-packet work `knock` and `craft`
 * do before handing bytes to a backend.
 */
import {
  buildPacket,
  createRng,
  encodeIPv4,
  encodePcap,
  encodeTcp,
  formatIPv6,
  internetChecksum,
  type PacketSpec,
  parseIPv4,
  parseIPv6,
  TCP_FLAG_BITS,
} from "../core/packet/mod.ts";

const rng = createRng(1);
const syn: PacketSpec = {
  src: "10.213.0.1",
  dst: "10.213.0.2",
  transport: { protocol: "tcp", dport: 7000, flags: TCP_FLAG_BITS.syn },
};
const synV6: PacketSpec = {
  src: "fd00:213::1",
  dst: "fd00:213::2",
  transport: { protocol: "tcp", dport: 7000 },
};
const src = parseIPv4("10.213.0.1"), dst = parseIPv4("10.213.0.2");
const options = [{ type: "mss", value: 1460 }, { type: "nop" }, { type: "wscale", shift: 7 }, {
  type: "sackPermitted",
}, {
  type: "timestamp",
  value: 1234,
  echo: 0,
}] as const;

Deno.bench("buildPacket: IPv4 TCP SYN from text addresses, random id/sport/seq", {
  group: "syn",
  baseline: true,
}, () => {
  buildPacket(syn, rng);
});

Deno.bench("buildPacket: IPv6 TCP SYN from text addresses", { group: "syn" }, () => {
  buildPacket(synV6, rng);
});

Deno.bench("encodeTcp + encodeIPv4: SYN from pre-parsed addresses", { group: "syn" }, () => {
  encodeIPv4(
    { src, dst, protocol: 6, id: 1 },
    encodeTcp({ sport: 40000, dport: 7000, seq: 1, flags: 2 }, { src, dst }),
  );
});

Deno.bench("encodeTcp + encodeIPv4: SYN with 5 options", { group: "syn" }, () => {
  encodeIPv4(
    { src, dst, protocol: 6, id: 1 },
    encodeTcp({ sport: 40000, dport: 7000, seq: 1, flags: 2, options }, { src, dst }),
  );
});

const mtu = new Uint8Array(1500).fill(0xa5);
Deno.bench("internetChecksum: 1500 bytes", () => {
  internetChecksum(mtu);
});

Deno.bench("parseIPv6 + formatIPv6 round trip", () => {
  formatIPv6(parseIPv6("2001:db8:0:0:1:0:0:1"));
});

const packets = Array.from(
  { length: 100 },
  (_, i) => ({ timeMs: 1_700_000_000_000 + i, data: buildPacket(syn, rng) }),
);
Deno.bench("encodePcap: 100 SYN packets", () => {
  encodePcap(packets);
});
