/**
 * The merged capture filter: the doors' expressions folded into one whose size follows the distinct
 * destinations, flag sets and port ranges rather than the doors, and its coarse form for when even that is
 * too large for libpcap's compiler.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { doorStrict } from "../config/extensions.ts";
import { flagMask, TCP_FLAG_BITS } from "../config/flags.ts";
import { type DoorHalves, halvesResolver } from "./_door_halves.ts";
import { flagTests } from "./_flag_tests.ts";
import { ALL_PORTS, type PortRange, rangeTerms, toRanges, unionRanges, widenRanges } from "./_port_ranges.ts";
import { IPV6_EXTENSION } from "./knockd_filter.ts";
import type { BuildFilterOptions, FilterAddresses } from "./types.ts";

/** The bounds of the merged form. */
export interface MergeLimits {
  /**
   * The most terms (a host, a port or range, a flag test) the merged expression may have before the coarse
   * form is used; the coarse form stays within it too (when `maxHosts` allows).
   */
  readonly maxTerms: number;
  /** The most addresses per family the coarse form lists; above it that family passes to any address. */
  readonly maxHosts: number;
}

/**
 * Measured with libpcap 1.10 (10,000 doors, Ethernet with VLAN, on a busy 2-core machine): 24 terms compile
 * in 1 ms, 32 in 2 ms, 40 in 4-13 ms, 48 in 20 ms, 64 in 40-70 ms (about 210, 255, 320 and 460 BPF
 * instructions). 32 keeps a reload well under 10 ms and the program far below the kernel's 4,096
 * instructions.
 */
export const DEFAULT_LIMITS: MergeLimits = { maxTerms: 32, maxHosts: 8 };

const SYN = TCP_FLAG_BITS.syn;
const ACK = TCP_FLAG_BITS.ack;

/** TCP ports tested with one set of flags (`set` bits set, `clear` bits clear). */
interface TcpList {
  readonly set: number;
  readonly clear: number;
  ranges: PortRange[];
}

/** Everything passed to one destination: the local addresses, or one `Target`. */
interface Group {
  /** Addresses per family; empty = any address of that family; absent = that family has no part. */
  v4: string[] | undefined;
  v6: string[] | undefined;
  /** Keyed by `set/clear`, in order of first use. */
  readonly tcp: Map<string, TcpList>;
  udp: PortRange[];
}

/** A group while doors are added: ports collected as lists, turned into ranges once at the end. */
interface Collecting {
  readonly group: Group;
  /** Keyed by `set * 1024 + clear`. */
  readonly tcp: Map<number, { readonly set: number; readonly clear: number; readonly ports: number[] }>;
  readonly udp: number[];
  udpAll: boolean;
}

/**
 * Groups the doors by destination. A strict door adds every TCP port with a SYN without ACK and every UDP
 * port, as in its knockd expression (which, testing no flags in IPv6, passes all IPv6 TCP: the engine only
 * acts on SYNs without ACK there too).
 */
function groups(doors: readonly Door[], halvesOf: readonly DoorHalves[]): Group[] {
  const byKey = new Map<string, Collecting>();
  const tcpPorts = (c: Collecting, set: number, clear: number): number[] => {
    const key = set * 1024 + clear;
    let list = c.tcp.get(key);
    if (list === undefined) c.tcp.set(key, list = { set, clear, ports: [] });
    return list.ports;
  };
  doors.forEach((door, index) => {
    const halves = halvesOf[index];
    if (halves === undefined || !halves.ok) return;
    const first = halves.halves[0]!;
    const key = first.target ? `target ${first.hosts[0]}` : "local";
    let c = byKey.get(key);
    if (c === undefined) {
      const group: Group = { v4: undefined, v6: undefined, tcp: new Map(), udp: [] };
      for (const half of halves.halves) group[half.family === 4 ? "v4" : "v6"] = [...half.hosts];
      c = { group, tcp: new Map(), udp: [], udpAll: false };
      byKey.set(key, c);
    }
    const { set, clear } = flagMask(door.tcpFlags);
    const strict = doorStrict(door);
    let own: number[] | undefined;
    for (const step of door.sequence) {
      if (step.protocol === "tcp") (own ??= tcpPorts(c, set, clear)).push(step.port);
      else if (!strict) c.udp.push(step.port);
    }
    if (strict) {
      tcpPorts(c, SYN, ACK).push(-1);
      c.udpAll = true;
    }
  });
  return [...byKey.values()].map((c) => {
    for (const { set, clear, ports } of c.tcp.values()) {
      const ranges = ports.includes(-1) ? [...ALL_PORTS] : toRanges(ports);
      c.group.tcp.set(`${set}/${clear}`, { set, clear, ranges });
    }
    c.group.udp = c.udpAll ? [...ALL_PORTS] : toRanges(c.udp);
    return c.group;
  });
}

function hostTerms(hosts: readonly string[] | undefined): number {
  return hosts === undefined ? 0 : Math.max(1, hosts.length);
}

/** Terms of a group's expression, the measure of what libpcap has to compile. */
function terms(group: Group): number {
  let n = hostTerms(group.v4) + hostTerms(group.v6) + group.udp.length + (group.v6 ? 3 : 0);
  for (const list of group.tcp.values()) {
    const tests = flagTests(list.set, list.clear).length;
    n += list.ranges.length + (group.v4 ? tests : 0) + (group.v6 ? tests : 0);
  }
  return n;
}

function hostPart(group: Group): string {
  const parts: string[] = [];
  for (const [family, hosts] of [["ip", group.v4], ["ip6", group.v6]] as const) {
    if (hosts === undefined) continue;
    if (hosts.length === 0) parts.push(family);
    else parts.push(...hosts.map((a) => `dst host ${a}`));
  }
  return `(${parts.join(" or ")})`;
}

function render(group: Group): string {
  const alternatives: string[] = [];
  for (const list of group.tcp.values()) {
    const ports = rangeTerms("tcp", list.ranges);
    const v4 = group.v4 ? flagTests(list.set, list.clear, 4).join(" and ") : "";
    const v6 = group.v6 ? flagTests(list.set, list.clear, 6).join(" and ") : "";
    if (v4 === "" && v6 === "") alternatives.push(`(${ports})`);
    // `and` and `or` bind alike in BPF expressions (left to right): the flag tests need their parentheses.
    else if (v4 !== "" && v6 !== "") alternatives.push(`((${ports}) and ((${v4}) or (${v6})))`);
    else alternatives.push(`((${ports}) and ${v4}${v6})`);
  }
  if (group.udp.length > 0) alternatives.push(`(${rangeTerms("udp", group.udp)})`);
  if (group.v6) alternatives.push(IPV6_EXTENSION);
  return `(${hostPart(group)} and (${alternatives.join(" or ")}))`;
}

function mergeHosts(lists: readonly (string[] | undefined)[], maxHosts: number): string[] | undefined {
  const present = lists.filter((hosts) => hosts !== undefined);
  if (present.length === 0) return undefined;
  if (present.some((hosts) => hosts.length === 0)) return [];
  const all = [...new Set(present.flat())];
  return all.length > maxHosts ? [] : all;
}

/**
 * One group for every destination: the addresses together (a family with more than `maxHosts` passes to
 * any address), one TCP list with the flags every list tests, all ports together; then ranges widened over
 * the smallest gaps until the expression has at most `maxTerms` terms.
 */
function coarse(all: readonly Group[], limits: MergeLimits): Group {
  const lists = all.flatMap((g) => [...g.tcp.values()]);
  const group: Group = {
    v4: mergeHosts(all.map((g) => g.v4), limits.maxHosts),
    v6: mergeHosts(all.map((g) => g.v6), limits.maxHosts),
    tcp: new Map(),
    udp: unionRanges(all.map((g) => g.udp)),
  };
  if (lists.length > 0) {
    const set = lists.reduce((bits, list) => bits & list.set, -1);
    const clear = lists.reduce((bits, list) => bits & list.clear, -1);
    group.tcp.set(`${set}/${clear}`, { set, clear, ranges: unionRanges(lists.map((list) => list.ranges)) });
  }
  const tcp = [...group.tcp.values()][0];
  const ranges = tcp === undefined ? [group.udp] : [tcp.ranges, group.udp];
  const fixed = terms(group) - ranges.reduce((n, r) => n + r.length, 0);
  const nonEmpty = ranges.filter((r) => r.length > 0).length;
  const widened = widenRanges(ranges, Math.max(nonEmpty, limits.maxTerms - fixed));
  if (tcp !== undefined) tcp.ranges = widened[0]!;
  group.udp = widened[widened.length - 1]!;
  return group;
}

/** The merged expression (without VLAN), or `undefined` when no door has one. */
export interface Merged {
  readonly expression: string | undefined;
  readonly form: "merged" | "coarse";
}

/**
 * Builds the merged filter: per destination (the local addresses, each `Target`), `(hosts and (<TCP lists>
 * or <UDP list> [or <IPv6 extension headers>]))`, where each TCP list carries one set of `TCPFlags`, tested
 * with `tcp[tcpflags]` in IPv4 and `ip6[53]` in IPv6 (`((<v4 tests>) or (<v6 tests>))` when the destination
 * has both families). It passes the packets the `or` of the doors' knockd expressions passes, less the IPv6
 * TCP packets whose flags no door accepts (see `FilterForm`). Above `limits.maxTerms` terms it is built
 * coarse instead: a superset of that.
 *
 * @param doors The active doors.
 * @param addresses The capture interface's addresses.
 * @param options `-4` (VLAN is left to the caller).
 * @param limits When to go coarse, and how far.
 * @returns The expression and its form.
 */
export function mergedFilter(
  doors: readonly Door[],
  addresses: FilterAddresses,
  options: BuildFilterOptions = {},
  limits: MergeLimits = DEFAULT_LIMITS,
): Merged {
  return mergeHalves(doors, doors.map(halvesResolver(addresses, options)), limits);
}

/**
 * {@linkcode mergedFilter} from the doors' halves, computed once by the caller.
 *
 * @param doors The active doors.
 * @param halves `doorHalves` of each door, in the same order.
 * @param limits When to go coarse, and how far.
 * @returns The expression and its form.
 */
export function mergeHalves(
  doors: readonly Door[],
  halves: readonly DoorHalves[],
  limits: MergeLimits,
): Merged {
  const all = groups(doors, halves);
  if (all.length === 0) return { expression: undefined, form: "merged" };
  if (all.reduce((n, g) => n + terms(g), 0) <= limits.maxTerms) {
    return { expression: all.map(render).join(" or "), form: "merged" };
  }
  return { expression: render(coarse(all, limits)), form: "coarse" };
}
