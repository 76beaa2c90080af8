/**
 * Result types of the frame decoder.
 *
 * @module
 */
import type { Knock } from "../knock.ts";

/**
 * Why a frame did not yield a {@linkcode Knock}. Short, stable, machine-readable.
 *
 * - `unsupported-linktype`: the link type is not one of `LinkType`.
 * - `truncated-ethernet`, `truncated-vlan`, `truncated-sll`, `truncated-sll2`: the link header is cut short.
 * - `vlan-too-deep`: more than 8 stacked 802.1Q/802.1ad tags.
 * - `not-ip`: the link layer carries something other than IPv4/IPv6 (ARP, LLC, ...), or a raw link's first
 *   nibble is neither 4 nor 6.
 * - `truncated-ipv4` (fewer than 20 bytes, or the options are not captured), `ipv4-bad-version`,
 *   `ipv4-bad-header-length` (IHL < 5),
 *   `ipv4-bad-total-length` (total length smaller than the header).
 * - `truncated-ipv6`, `ipv6-bad-version`, `truncated-ipv6-ext-header` (cut by the capture or by the payload
 *   length), `ipv6-ext-header-chain-too-long`
 *   (more than 8 extension headers), `ipv6-esp` (ESP hides the ports), `ipv6-no-next-header`.
 * - `fragment-not-first`: an IPv4 or IPv6 fragment with a non-zero offset carries no ports.
 * - `not-tcp-udp`: ICMP, ICMPv6 or any other upper-layer protocol.
 * - `truncated-tcp`, `truncated-udp`: the transport header is not (fully) captured.
 * - `tcp-bad-data-offset`: the TCP data offset is below 5 or points past the end of the IP packet.
 * - `l4-exceeds-ip-length`: the IP length field ends the packet before the transport header does.
 */
export type DecodeReason =
  | "unsupported-linktype"
  | "truncated-ethernet"
  | "truncated-vlan"
  | "truncated-sll"
  | "truncated-sll2"
  | "vlan-too-deep"
  | "not-ip"
  | "truncated-ipv4"
  | "ipv4-bad-version"
  | "ipv4-bad-header-length"
  | "ipv4-bad-total-length"
  | "truncated-ipv6"
  | "ipv6-bad-version"
  | "truncated-ipv6-ext-header"
  | "ipv6-ext-header-chain-too-long"
  | "ipv6-esp"
  | "ipv6-no-next-header"
  | "fragment-not-first"
  | "not-tcp-udp"
  | "truncated-tcp"
  | "truncated-udp"
  | "tcp-bad-data-offset"
  | "l4-exceeds-ip-length";

/** Outcome of {@linkcode decodeFrame}: a knock, or the reason there is none. */
export type DecodeResult =
  | { readonly ok: true; readonly knock: Knock }
  | { readonly ok: false; readonly reason: DecodeReason };
