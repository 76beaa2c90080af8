/**
 * Types of the capture filter: the interface's addresses, the options and the result of `buildFilter`.
 *
 * @module
 */

/** Addresses a capture interface has, in canonical text form (IPv6 without `%scope`). */
export interface FilterAddresses {
  /** IPv4 addresses (`10.0.0.1`). */
  readonly v4: readonly string[];
  /** IPv6 addresses (`fd00::1`). */
  readonly v6: readonly string[];
}

/** Options of `buildFilter` and `knockdFilter`. */
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
  /** Index of the door in the list given to `buildFilter`. */
  readonly door: number;
  /** The door's name. */
  readonly name: string;
  /**
   * The door's own expression, as knockd builds it, or `undefined` when the door cannot match anything (empty
   * sequence, bad target). With several doors the installed filter is not the `or` of these (see
   * {@linkcode BuiltFilter.form}), but it passes every packet they pass.
   */
  readonly expression: string | undefined;
  /** Why the door has no expression. */
  readonly skipped?: string;
}

/**
 * How the expression was built:
 *
 * - `knockd`: one door, or none: that door's own expression (knockd's, byte for byte in the IPv4 case);
 * - `merged`: the doors' expressions merged: one term per destination (the local addresses, each `Target`),
 *   one port list per set of `TCPFlags`, adjacent ports as a `portrange`, the IPv4 and IPv6 halves sharing
 *   the port lists. It passes the same packets as the `or` of the doors' expressions, except IPv6 TCP
 *   packets whose flags no door accepts: knockd's form tests no flags in IPv6, the merged form tests them
 *   where TCP follows the fixed header (`ip6[53]`; extension headers still pass untested). The engine
 *   ignores those packets anyway (a flag mismatch is never a knock).
 * - `coarse`: the merged form was too large for libpcap's compiler (its time grows much faster than the
 *   expression): one destination term, one TCP port list with the flags every door tests, and port ranges
 *   widened over the smallest gaps until the expression is small. It passes every packet `merged` passes and
 *   some more, which the engine then finds invisible (it checks ports, flags and destinations itself).
 */
export type FilterForm = "knockd" | "merged" | "coarse";

/** Result of `buildFilter`. */
export interface BuiltFilter {
  /** The whole filter; `MATCH_NOTHING` when no door can match. */
  readonly expression: string;
  /** Every door's own expression (or why it has none), for debug output; `buildFilter` builds it when read. */
  readonly doors: readonly DoorFilter[];
  /** How {@linkcode BuiltFilter.expression} was built. */
  readonly form: FilterForm;
}
