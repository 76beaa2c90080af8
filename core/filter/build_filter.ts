/**
 * The capture filter of `serve`: a BPF (tcpdump) expression built from the doors, the way knockd builds it
 * (knockd-reference §2.2), with knockd's bugs fixed, merged so that its size does not grow with the doors.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { type DoorHalf, doorHalves } from "./_door_halves.ts";
import { DEFAULT_LIMITS, mergeHalves } from "./_merged.ts";
import { doorExpression, MATCH_NOTHING, withVlan } from "./knockd_filter.ts";
import type { BuildFilterOptions, BuiltFilter, DoorFilter, FilterAddresses } from "./types.ts";

/** A door's entry whose expression is only built when read (debug output), as 10,000 of them take a while. */
function lazyEntry(door: Door, index: number, halves: readonly DoorHalf[]): DoorFilter {
  let expression: string | undefined;
  return {
    door: index,
    name: door.name,
    get expression(): string {
      return expression ??= doorExpression(door, halves);
    },
  };
}

/**
 * Builds the capture filter for `doors`. It passes every packet knockd's filter (with its bugs fixed,
 * `knockdFilter`) passes that the engine can act on:
 *
 * - one door: that door's knockd expression, byte for byte knockd's in the IPv4 case (form `knockd`);
 * - several doors: one expression per destination (the local addresses, each `Target`), with one port list
 *   per set of `TCPFlags` shared by IPv4 and IPv6, adjacent ports as a `portrange`, passing the same
 *   packets as knockd's `or` of the doors, less the IPv6 TCP packets whose flags no door accepts (form
 *   `merged`, see `FilterForm`);
 * - when that expression would still be large (more than 32 hosts, ports, ranges and flag tests), a short
 *   one: every destination together, the flags every door tests, port ranges widened over the smallest gaps
 *   until it is small (form `coarse`). It passes more packets than knockd's; the engine finds those
 *   invisible, as it checks ports, flags and destinations itself. Its size is bounded whatever the doors,
 *   so even 10,000 doors compile in milliseconds (knockd's form: hours).
 *
 * With `vlan` the whole expression is repeated for 802.1Q-tagged frames (`E or (vlan and (E))`). `doors` in
 * the result lists every door's own knockd expression, for debug output (built when read). Pure: the caller
 * supplies the addresses.
 *
 * @param doors The active doors (with their current sequences).
 * @param addresses The capture interface's addresses.
 * @param options `-4` and VLAN.
 * @returns The expression, its form and one entry per door.
 */
export function buildFilter(
  doors: readonly Door[],
  addresses: FilterAddresses,
  options: BuildFilterOptions = {},
): BuiltFilter {
  const halves = doors.map((door) => doorHalves(door, addresses, options));
  const perDoor = doors.map((door, index): DoorFilter => {
    const h = halves[index]!;
    return h.ok
      ? lazyEntry(door, index, h.halves)
      : { door: index, name: door.name, expression: undefined, skipped: h.skipped };
  });
  const matching = halves.filter((h) => h.ok).length;
  if (matching === 0) return { expression: MATCH_NOTHING, doors: perDoor, form: "knockd" };
  if (matching === 1) {
    const expression = perDoor.find((d) => d.skipped === undefined)!.expression!;
    return { expression: withVlan(expression, options.vlan), doors: perDoor, form: "knockd" };
  }
  const merged = mergeHalves(doors, halves, DEFAULT_LIMITS);
  return { expression: withVlan(merged.expression!, options.vlan), doors: perDoor, form: merged.form };
}
