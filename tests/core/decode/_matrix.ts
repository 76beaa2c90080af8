/**
 * The link type × IP version × transport matrix of valid frames, shared by the decoder tests.
 *
 * @module
 */
import { LinkType } from "../../../core/decode/mod.ts";
import type { Knock } from "../../../core/knock.ts";
import { ethernet, ipv4, ipv6, sll, sll2, tcp, udp } from "./_frames.ts";

/** The capture time used throughout. */
export const T = 1_764_000_000_123.5;

export const tcpKnock4: Knock = {
  family: 4,
  src: "10.200.1.2",
  dst: "10.200.1.1",
  protocol: "tcp",
  sport: 40000,
  dport: 7000,
  flags: 0x02,
  seq: 0x11223344,
  timeMs: T,
};
export const udpKnock4: Knock = {
  ...tcpKnock4,
  protocol: "udp",
  sport: 40001,
  dport: 8000,
  flags: 0,
  seq: 0,
};
export const tcpKnock6: Knock = { ...tcpKnock4, family: 6, src: "fd00:200::2", dst: "fd00:200::1" };
export const udpKnock6: Knock = { ...udpKnock4, family: 6, src: "fd00:200::2", dst: "fd00:200::1" };

const packets = {
  "ipv4/tcp": { ip: ipv4(tcp()), ethertype: 0x0800, knock: tcpKnock4 },
  "ipv4/udp": { ip: ipv4(udp(), { protocol: 17 }), ethertype: 0x0800, knock: udpKnock4 },
  "ipv6/tcp": { ip: ipv6(tcp()), ethertype: 0x86dd, knock: tcpKnock6 },
  "ipv6/udp": { ip: ipv6(udp(), { next: 17 }), ethertype: 0x86dd, knock: udpKnock6 },
};

const links: Record<string, (ethertype: number, ip: Uint8Array) => [number, Uint8Array]> = {
  "ethernet": (e, ip) => [LinkType.ETHERNET, ethernet(e, ip)],
  "ethernet+vlan": (e, ip) => [LinkType.ETHERNET, ethernet(e, ip, [[0x8100, 42]])],
  "ethernet+qinq": (e, ip) => [LinkType.ETHERNET, ethernet(e, ip, [[0x88a8, 100], [0x8100, 42]])],
  "sll": (e, ip) => [LinkType.LINUX_SLL, sll(e, ip)],
  "sll2": (e, ip) => [LinkType.LINUX_SLL2, sll2(e, ip)],
  "raw(12)": (_e, ip) => [LinkType.RAW, ip],
  "raw(14)": (_e, ip) => [LinkType.RAW_OPENBSD, ip],
  "raw(101)": (_e, ip) => [LinkType.LINKTYPE_RAW, ip],
  "ipv4/ipv6(228/229)": (e, ip) => [e === 0x0800 ? LinkType.IPV4 : LinkType.IPV6, ip],
};

/** Every valid frame of the matrix, reused by the truncation test. */
export const validFrames: { name: string; linktype: number; frame: Uint8Array; knock: Knock }[] = [];
for (const [linkName, build] of Object.entries(links)) {
  for (const [packetName, p] of Object.entries(packets)) {
    const [linktype, frame] = build(p.ethertype, p.ip);
    validFrames.push({ name: `${linkName} ${packetName}`, linktype, frame, knock: p.knock });
  }
}
