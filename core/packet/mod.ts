/**
 * Pure packet encoders for `craft` and `knock`: IPv4, IPv6, TCP, UDP, ICMP, ICMPv6 and
 * Ethernet with correct checksums, address parsing and canonical formatting, a seeded RNG,
 * payload helpers, a classic pcap file writer, and a reader of the replies to crafted probes.
 * No I/O, no clock, no `Math.random`.
 *
 * @module
 */
export * from "./address.ts";
export * from "./build.ts";
export * from "./checksum.ts";
export * from "./ethernet.ts";
export * from "./icmp.ts";
export * from "./ipv4.ts";
export * from "./ipv6.ts";
export * from "./payload.ts";
export * from "./pcap_writer.ts";
export * from "./reply.ts";
export * from "./rng.ts";
export * from "./tcp.ts";
export * from "./udp.ts";
