/**
 * The door list indexed by step key: which doors a knock can start, and whether knockd's capture filter
 * would pass a packet at all.
 *
 * @module
 */
import { type DoorMatcher, flagsMatch } from "./_door_matcher.ts";

/** Compiled doors, with their lookups by (protocol, port) step key. */
export class DoorIndex {
  /** The doors in config order (a door's index is its position). */
  readonly doors: readonly DoorMatcher[];
  /** Number of strict doors with a sequence (the extra packets a strict filter passes matter only then). */
  readonly strictDoors: number;
  /** Step key → doors whose first step it is, in config order. */
  readonly #starts = new Map<number, DoorMatcher[]>();
  /** Step key → doors with that step anywhere in their sequence (knockd's capture filter). */
  readonly #visible = new Map<number, DoorMatcher[]>();

  constructor(doors: readonly DoorMatcher[]) {
    this.doors = doors;
    let strict = 0;
    for (const m of doors) {
      if (m.strict && m.keys.length > 0) strict++;
      const firstKey = m.keys[0];
      if (firstKey === undefined) continue; // an empty sequence (one-time file not loaded) never matches
      pushTo(this.#starts, firstKey, m);
      for (const key of new Set(m.keys)) pushTo(this.#visible, key, m);
    }
    this.strictDoors = strict;
  }

  /** Doors whose first step is `key`, in config order. */
  starters(key: number): readonly DoorMatcher[] | undefined {
    return this.#starts.get(key);
  }

  /**
   * Would knockd's capture filter pass this packet: is `key` a step of a door whose flags it satisfies (TCP)
   * and which it `reaches` (destination)?
   */
  isVisible(key: number, tcp: boolean, flags: number, reaches: (m: DoorMatcher) => boolean): boolean {
    const doors = this.#visible.get(key);
    if (doors === undefined) return false;
    for (const m of doors) {
      if (tcp && !flagsMatch(m, flags)) continue;
      if (reaches(m)) return true;
    }
    return false;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
