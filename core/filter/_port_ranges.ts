/**
 * Sets of ports as sorted, disjoint ranges: built from port lists, widened to a bounded number of ranges
 * (over the smallest gaps first), and written as BPF (`tcp dst port 7000 or 8000 or tcp dst portrange
 * 9000-9010`).
 *
 * @module
 */

/** An inclusive port range `[low, high]`. */
export type PortRange = readonly [low: number, high: number];

/** Every port. */
export const ALL_PORTS: readonly PortRange[] = [[0, 65535]];

/**
 * The ports as sorted, disjoint ranges, adjacent ports joined (`7000, 7001, 7002` → `7000-7002`).
 *
 * @param ports Ports, in any order, repeats allowed.
 * @returns The ranges, ascending.
 */
export function toRanges(ports: Iterable<number>): PortRange[] {
  const sorted = Int32Array.from(ports).sort();
  const out: [number, number][] = [];
  for (const port of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && port <= last[1] + 1) last[1] = Math.max(last[1], port);
    else out.push([port, port]);
  }
  return out;
}

/**
 * The union of range lists, as sorted, disjoint ranges (adjacent ones joined).
 *
 * @param lists Range lists (each sorted or not).
 * @returns The union, ascending.
 */
export function unionRanges(lists: Iterable<readonly PortRange[]>): PortRange[] {
  const all = [...lists].flat().sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [low, high] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else out.push([low, high]);
  }
  return out;
}

/** Number of ranges in all lists together. */
export function rangeCount(lists: readonly (readonly PortRange[])[]): number {
  return lists.reduce((n, list) => n + list.length, 0);
}

/**
 * Widens the lists until they hold at most `max` ranges together, by closing the smallest gaps first (over
 * all lists at once, so the ports added are as few as this greedy choice allows): every port of a list stays
 * in it. A list never drops below one range.
 *
 * @param lists Sorted, disjoint range lists.
 * @param max The most ranges wanted over all lists; at least the number of non-empty lists.
 * @returns The widened lists, in the same order.
 */
export function widenRanges(lists: readonly (readonly PortRange[])[], max: number): PortRange[][] {
  const excess = rangeCount(lists) - max;
  if (excess <= 0) return lists.map((list) => [...list]);
  // The size of every gap between neighbouring ranges; the `excess` smallest are closed, ties in list order.
  const sizes = Int32Array.from(lists.flatMap((list) => list.slice(1).map(([low], i) => low - list[i]![1])));
  // Fewer gaps than the excess (more lists than `max`): close them all.
  const cutoff = excess >= sizes.length ? Infinity : sizes.slice().sort()[excess - 1]!;
  let ties = excess - sizes.filter((size) => size < cutoff).length;
  return lists.map((list) => {
    const out: [number, number][] = [];
    for (const [low, high] of list) {
      const last = out[out.length - 1];
      const gap = last === undefined ? 0 : low - last[1];
      if (last !== undefined && (gap < cutoff || (gap === cutoff && ties-- > 0))) last[1] = high;
      else out.push([low, high]);
    }
    return out;
  });
}

/**
 * The BPF terms of a range list for one protocol: single ports first in one list (`tcp dst port 7000 or
 * 8000`), then each range (`tcp dst portrange 9000-9010`); every port is just `tcp`.
 *
 * @param protocol `tcp` or `udp`.
 * @param ranges Sorted, disjoint, non-empty.
 * @returns The terms joined with `or` (not parenthesised).
 */
export function rangeTerms(protocol: "tcp" | "udp", ranges: readonly PortRange[]): string {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === 65535) return protocol;
  const singles = ranges.filter(([low, high]) => low === high).map(([low]) => low);
  const terms: string[] = [];
  if (singles.length > 0) terms.push(`${protocol} dst port ${singles.join(" or ")}`);
  for (const [low, high] of ranges) {
    if (low !== high) terms.push(`${protocol} dst portrange ${low}-${high}`);
  }
  return terms.join(" or ");
}
