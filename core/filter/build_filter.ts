/**
 * The capture filter of `serve`: a BPF (tcpdump) expression built from the doors, the way knockd builds it
 * (docs/knockd.md §2.2), with knockd's bugs fixed.
 *
 * @module
 */
import type { Door, FlagState, TcpFlag } from "../config/types.ts";
import { doorStrict } from "../config/extensions.ts";

/** Addresses a capture interface has, in canonical text form (IPv6 without `%scope`). */
export interface FilterAddresses {
  /** IPv4 addresses (`10.0.0.1`). */
  readonly v4: readonly string[];
  /** IPv6 addresses (`fd00::1`). */
  readonly v6: readonly string[];
}

/** Options of {@linkcode buildFilter}. */
export interface BuildFilterOptions {
  /** knockd's `-4`: no IPv6 part at all. Default `false`. */
  readonly onlyIPv4?: boolean;
  /**
   * Also pass 802.1Q-tagged frames (`E or (vlan and E)`). Only valid on Ethernet captures
   * (`DLT_EN10MB`); default `false`.
   */
  readonly vlan?: boolean;
}

/** One door's contribution to the filter, for debug output (knockd's `adding pcap expression for door`). */
export interface DoorFilter {
  /** Index of the door in the list given to {@linkcode buildFilter}. */
  readonly door: number;
  /** The door's name. */
  readonly name: string;
  /** The door's expression, or `undefined` when the door cannot match anything (empty sequence, bad target). */
  readonly expression: string | undefined;
  /** Why the door has no expression. */
  readonly skipped?: string;
}

/** Result of {@linkcode buildFilter}. */
export interface BuiltFilter {
  /** The whole filter; {@linkcode MATCH_NOTHING} when no door can match. */
  readonly expression: string;
  /** Each door's part, in the order of the doors given. */
  readonly doors: readonly DoorFilter[];
}

/**
 * What a strict door (`Strict = yes`) adds in its IPv4 half: every new TCP connection (SYN set, ACK clear)
 * and every UDP datagram to the door's addresses, whatever the port.
 */
export const STRICT_IPV4 = "(tcp and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn) or udp";

/** A filter that compiles everywhere and passes no packet (used when no door is active). */
export const MATCH_NOTHING = "less 1";

/** knockd's flag order (fin, syn, rst, push, ack, urg), then the flags knockd does not know. */
const FLAG_ORDER: readonly TcpFlag[] = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"];

const FLAG_TEST: Readonly<Record<TcpFlag, string>> = {
  fin: "tcp[tcpflags] & tcp-fin",
  syn: "tcp[tcpflags] & tcp-syn",
  rst: "tcp[tcpflags] & tcp-rst",
  psh: "tcp[tcpflags] & tcp-push",
  ack: "tcp[tcpflags] & tcp-ack",
  urg: "tcp[tcpflags] & tcp-urg",
  ece: "tcp[tcpflags] & tcp-ece",
  cwr: "tcp[tcpflags] & tcp-cwr",
  ns: "tcp[12] & 1",
};

const IPV4_LITERAL = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_LITERAL = /^[0-9a-f:.]+$/;

/** The address family of a literal IP address, or `undefined` for anything else (a hostname, garbage). */
export function addressFamily(text: string): 4 | 6 | undefined {
  if (IPV4_LITERAL.test(text)) return 4;
  if (text.includes(":") && IPV6_LITERAL.test(text.toLowerCase())) return 6;
  return undefined;
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}

function flagTests(flags: ReadonlyMap<TcpFlag, FlagState>): string {
  let out = "";
  for (const flag of FLAG_ORDER) {
    const state = flags.get(flag);
    if (state !== undefined) out += ` and ${FLAG_TEST[flag]} ${state === "set" ? "!= 0" : "== 0"}`;
  }
  return out;
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
    if (family === 6) return "(tcp or udp or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58))";
    const ports = unique(door.sequence.filter((s) => s.protocol === "tcp").map((s) => s.port));
    // The door's own TCP knocks may have other flags than a SYN (e.g. TCPFlags = fin).
    const own = ports.length > 0
      ? `((tcp dst port ${ports.join(" or ")})${flagTests(door.tcpFlags)}) or `
      : "";
    return `(${own}${STRICT_IPV4})`;
  }
  const tcp = unique(door.sequence.filter((s) => s.protocol === "tcp").map((s) => s.port));
  const udp = unique(door.sequence.filter((s) => s.protocol === "udp").map((s) => s.port));
  const parts: string[] = [];
  if (tcp.length > 0) {
    const flags = family === 4 ? flagTests(door.tcpFlags) : "";
    parts.push(`((tcp dst port ${tcp.join(" or ")})${flags})`);
  }
  if (udp.length > 0) parts.push(`(udp dst port ${udp.join(" or ")})`);
  if (family === 6) parts.push("(ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)");
  return `(${parts.join(" or ")})`;
}

function hostPart(addresses: readonly string[], family: 4 | 6): string {
  if (addresses.length === 0) return family === 4 ? "ip" : "ip6";
  return `(${addresses.map((a) => `dst host ${a}`).join(" or ")})`;
}

/**
 * Builds the capture filter for `doors`, as knockd does, without its bugs:
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
 * Pure: the caller supplies the addresses.
 *
 * @param doors The active doors (with their current sequences).
 * @param addresses The capture interface's addresses.
 * @param options `-4` and VLAN.
 * @returns The expression and one entry per door.
 */
export function buildFilter(
  doors: readonly Door[],
  addresses: FilterAddresses,
  options: BuildFilterOptions = {},
): BuiltFilter {
  const halves: string[] = [];
  const unnumbered = addresses.v4.length === 0 && addresses.v6.length === 0;
  const perDoor: DoorFilter[] = [];
  doors.forEach((door, index) => {
    if (door.sequence.length === 0) {
      perDoor.push({ door: index, name: door.name, expression: undefined, skipped: "no sequence" });
      return;
    }
    const own: string[] = [];
    const target = door.target?.value;
    const targetFamily = target === undefined ? undefined : addressFamily(target);
    if (target !== undefined && targetFamily === undefined) {
      perDoor.push({
        door: index,
        name: door.name,
        expression: undefined,
        skipped: `target "${target}" is not an IP address`,
      });
      return;
    }
    for (const family of [4, 6] as const) {
      if (family === 6 && options.onlyIPv4) continue;
      let hosts: readonly string[];
      if (target !== undefined) {
        if (targetFamily !== family) continue;
        hosts = [target];
      } else {
        hosts = family === 4 ? addresses.v4 : addresses.v6;
        // Like knockd, a family without local addresses gets no half, unless the interface has none at all.
        if (hosts.length === 0 && !unnumbered) continue;
      }
      own.push(`(${hostPart(hosts, family)} and ${protocolPart(door, family)})`);
    }
    if (own.length === 0) {
      const skipped = targetFamily === 6 ? "IPv6 target with -4" : "no local address of the target's family";
      perDoor.push({ door: index, name: door.name, expression: undefined, skipped });
      return;
    }
    const expression = own.join(" or ");
    perDoor.push({ door: index, name: door.name, expression });
    halves.push(...own);
  });
  if (halves.length === 0) return { expression: MATCH_NOTHING, doors: perDoor };
  const base = halves.join(" or ");
  return { expression: options.vlan ? `${base} or (vlan and (${base}))` : base, doors: perDoor };
}
