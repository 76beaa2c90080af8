/**
 * Decoder throughput: `deno bench -A bench/decode_bench.ts`.
 */
import { decodeFrame, LinkType } from "../core/decode/mod.ts";
import { buildPacket, createRng, encodeEthernet } from "../core/packet/mod.ts";

const mac = new Uint8Array([2, 0, 0, 0, 0, 1]);
const syn4 = encodeEthernet(
  { dst: mac, src: mac, etherType: 0x0800 },
  buildPacket(
    { src: "10.200.1.2", dst: "10.200.1.1", transport: { protocol: "tcp", dport: 7000 } },
    createRng(1),
  ),
);
const syn6 = encodeEthernet(
  { dst: mac, src: mac, etherType: 0x86dd },
  buildPacket(
    { src: "fd00:200::2", dst: "fd00:200::1", transport: { protocol: "tcp", dport: 7000 } },
    createRng(2),
  ),
);
const arp = encodeEthernet({ dst: mac, src: mac, etherType: 0x0806 }, new Uint8Array(28));

if (!decodeFrame(LinkType.ETHERNET, syn4, 0).ok || !decodeFrame(LinkType.ETHERNET, syn6, 0).ok) {
  throw new Error("Benchmark frames do not decode");
}

Deno.bench("decodeFrame() Ethernet/IPv4/TCP SYN", { baseline: true }, () => {
  decodeFrame(LinkType.ETHERNET, syn4, 1_764_000_000_000);
});

Deno.bench("decodeFrame() Ethernet/IPv6/TCP SYN", () => {
  decodeFrame(LinkType.ETHERNET, syn6, 1_764_000_000_000);
});

Deno.bench("decodeFrame() Ethernet/ARP (rejected early)", () => {
  decodeFrame(LinkType.ETHERNET, arp, 1_764_000_000_000);
});
