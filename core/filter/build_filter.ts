/**
 * The capture filter of `serve`: a BPF (tcpdump) expression built from the doors, the way knockd builds it
 * (docs/knockd.md §2.2), with knockd's bugs fixed, merged so that its size does not grow with the doors.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { type DoorHalves, halvesResolver } from "./_door_halves.ts";
import { DEFAULT_LIMITS, mergeHalves } from "./_merged.ts";
import { doorExpression, MATCH_NOTHING, withVlan } from "./knockd_filter.ts";
import type { BuildFilterOptions, BuiltFilter, DoorFilter, FilterAddresses, FilterForm } from "./types.ts";

/**
 * The result, with `doors` built when first read (debug output): 10,000 door expressions take a while and
 * are only logged with `-D`.
 */
function result(
  expression: string,
  form: FilterForm,
  doors: readonly Door[],
  halves: readonly DoorHalves[],
): BuiltFilter {
  let entries: DoorFilter[] | undefined;
  return {
    expression,
    form,
    get doors(): readonly DoorFilter[] {
      return entries ??= doors.map((door, index) => {
        const h = halves[index]!;
        return h.ok
          ? { door: index, name: door.name, expression: doorExpression(door, h.halves) }
          : { door: index, name: door.name, expression: undefined, skipped: h.skipped };
      });
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
 * the result lists every door's own knockd expression, for debug output (built when first read). Pure: the caller
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
  const halves = doors.map(halvesResolver(addresses, options));
  let only = -1;
  let matching = 0;
  halves.forEach((h, index) => {
    if (h.ok && matching++ === 0) only = index;
  });
  if (matching === 0) return result(MATCH_NOTHING, "knockd", doors, halves);
  if (matching === 1) {
    const h = halves[only]!;
    const expression = h.ok ? doorExpression(doors[only]!, h.halves) : MATCH_NOTHING;
    return result(withVlan(expression, options.vlan), "knockd", doors, halves);
  }
  const merged = mergeHalves(doors, halves, DEFAULT_LIMITS);
  return result(withVlan(merged.expression!, options.vlan), merged.form, doors, halves);
}
