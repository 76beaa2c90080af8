/**
 * The capture filter as knockd builds it (docs/knockd.md §2.2), with knockd's bugs fixed: one expression
 * per door and family, joined with `or`. Its size grows with every door (each lists its ports and hosts for
 * each family, and again for VLAN), and libpcap's compile time grows much faster than the expression, so
 * `buildFilter` uses this form for a single door only; with several doors it merges them (`_merged.ts`).
 * Kept whole as the reference the merged form is tested against.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { doorStrict } from "../config/extensions.ts";
import { flagMask } from "../config/flags.ts";
import { type DoorHalf, doorHalves } from "./_door_halves.ts";
import { flagTests } from "./_flag_tests.ts";
import type { BuildFilterOptions, BuiltFilter, DoorFilter, FilterAddresses } from "./types.ts";

/**
 * What a strict door (`Strict = yes`) adds in its IPv4 half: every new TCP connection (SYN set, ACK clear)
 * and every UDP datagram to the door's addresses, whatever the port.
 */
export const STRICT_IPV4 = "(tcp and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn) or udp";

/** A filter that compiles everywhere and passes no packet (used when no door is active). */
export const MATCH_NOTHING = "less 1";

/**
 * IPv6 packets whose next header is neither TCP, UDP nor ICMPv6: extension headers, which libpcap's `tcp`
 * and `udp` do not follow; they pass to the decoder, which does.
 */
export const IPV6_EXTENSION = "(ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)";

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}

function flagSuffix(door: Door): string {
  const { set, clear } = flagMask(door.tcpFlags);
  return flagTests(set, clear).map((test) => ` and ${test}`).join("");
}

/**
 * The protocol part of one family half: knockd's `(<TCP part>[ or ]<UDP part>)`. IPv6 gets no flag tests
 * (`tcp[...]` offsets assume no extension headers; the engine checks the flags) and one more alternative
 * that lets IPv6 packets with extension headers through to the decoder, which follows the chain.
 */
function protocolPart(door: Door, family: 4 | 6): string {
  if (doorStrict(door)) {
    // Every port: the engine needs the SYNs and UDP datagrams to other ports to fail attempts. IPv6 passes
    // all TCP (no flag tests there, see below) and UDP.
    if (family === 6) return `(tcp or udp or ${IPV6_EXTENSION})`;
    const ports = unique(door.sequence.filter((s) => s.protocol === "tcp").map((s) => s.port));
    // The door's own TCP knocks may have other flags than a SYN (e.g. TCPFlags = fin).
    const own = ports.length > 0 ? `((tcp dst port ${ports.join(" or ")})${flagSuffix(door)}) or ` : "";
    return `(${own}${STRICT_IPV4})`;
  }
  const tcp = unique(door.sequence.filter((s) => s.protocol === "tcp").map((s) => s.port));
  const udp = unique(door.sequence.filter((s) => s.protocol === "udp").map((s) => s.port));
  const parts: string[] = [];
  if (tcp.length > 0) {
    const flags = family === 4 ? flagSuffix(door) : "";
    parts.push(`((tcp dst port ${tcp.join(" or ")})${flags})`);
  }
  if (udp.length > 0) parts.push(`(udp dst port ${udp.join(" or ")})`);
  if (family === 6) parts.push(IPV6_EXTENSION);
  return `(${parts.join(" or ")})`;
}

function hostPart(half: DoorHalf): string {
  if (half.hosts.length === 0) return half.family === 4 ? "ip" : "ip6";
  return `(${half.hosts.map((a) => `dst host ${a}`).join(" or ")})`;
}

/**
 * One door's expression from its halves: `((hosts) and (<TCP part> or <UDP part>))` per family, joined with
 * `or`.
 *
 * @param door The door.
 * @param halves Its halves (`doorHalves`).
 * @returns The expression.
 */
export function doorExpression(door: Door, halves: readonly DoorHalf[]): string {
  return halves.map((h) => `(${hostPart(h)} and ${protocolPart(door, h.family)})`).join(" or ");
}

/**
 * One door's expression (knockd's `adding pcap expression for door`), or why it has none.
 *
 * @param door The door.
 * @param index Its index in the door list.
 * @param addresses The capture interface's addresses.
 * @param options `-4` (VLAN does not apply to a single door's expression).
 * @returns The door's entry.
 */
export function doorFilter(
  door: Door,
  index: number,
  addresses: FilterAddresses,
  options: BuildFilterOptions = {},
): DoorFilter {
  const halves = doorHalves(door, addresses, options);
  if (!halves.ok) return { door: index, name: door.name, expression: undefined, skipped: halves.skipped };
  return { door: index, name: door.name, expression: doorExpression(door, halves.halves) };
}

/**
 * Wraps `expression` for VLAN when asked: `E or (vlan and (E))`.
 *
 * @param expression The untagged expression.
 * @param vlan Whether 802.1Q-tagged frames pass too.
 * @returns The expression to install.
 */
export function withVlan(expression: string, vlan: boolean | undefined): string {
  return vlan ? `${expression} or (vlan and (${expression}))` : expression;
}

/**
 * Builds the capture filter for `doors` as knockd does (every door's expression, joined with `or`), without
 * its bugs:
 *
 * - per door and family: `((dst host A or dst host B) and (<TCP part> or <UDP part>))`, TCP ports with
 *   knockd's flag tests (`tcp[tcpflags] & tcp-syn != 0`), in knockd's order, so IPv4 filters are byte for
 *   byte knockd's (except that a port repeated in a sequence is listed once);
 * - IPv6 is filtered by port only (knockd's `ip6[13+40]` is wrong after extension headers), and IPv6 packets
 *   whose next header is neither TCP, UDP nor ICMPv6 (extension headers) pass to the decoder;
 * - a door's `Target` is used once and only in its own family's half (knockd repeats it and puts an IPv4
 *   target into the IPv6 half); a target that is not an IP literal can never match, the door is skipped;
 * - like knockd, a family without local addresses gets no half; but an interface without any address (or
 *   the `any` device when the host has none) still filters by port (`ip and (...)`, `ip6 and (...)`), where
 *   knockd installs no filter at all;
 * - with `vlan`, 802.1Q-tagged frames pass too (`E or (vlan and E)`);
 * - a strict door (knocktool's `Strict = yes`) passes, besides its own knocks, every TCP SYN without ACK
 *   and every UDP datagram to its addresses on any port ({@linkcode STRICT_IPV4}; in IPv6 all TCP and UDP),
 *   so the engine can fail an attempt on a packet to a port outside the sequence. The engine keeps those
 *   extra packets invisible to the other doors.
 *
 * Its size grows with the doors and libpcap's compile time much faster (1,000 doors: minutes), so
 * `buildFilter` uses it for one door only. Pure: the caller supplies the addresses.
 *
 * @param doors The active doors (with their current sequences).
 * @param addresses The capture interface's addresses.
 * @param options `-4` and VLAN.
 * @returns The expression and one entry per door.
 */
export function knockdFilter(
  doors: readonly Door[],
  addresses: FilterAddresses,
  options: BuildFilterOptions = {},
): BuiltFilter {
  const perDoor = doors.map((door, index) => doorFilter(door, index, addresses, options));
  const own = perDoor.flatMap((d) => d.expression === undefined ? [] : [d.expression]);
  if (own.length === 0) return { expression: MATCH_NOTHING, doors: perDoor, form: "knockd" };
  return { expression: withVlan(own.join(" or "), options.vlan), doors: perDoor, form: "knockd" };
}
