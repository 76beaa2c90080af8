/**
 * The cool-down table of `Cooldown` doors: which (source, door) pairs opened recently, so the door does not
 * open again for them before the cool-down ends. Bounded (the oldest entry is dropped when full), expired in
 * deadline order in O(expired).
 *
 * @module
 */
import type { DoorMatcher } from "./_door_matcher.ts";
import { append, emptyFifo, type Fifo, oldestHead, unlink } from "./_fifo.ts";

/** A (source, door) pair that opened within its door's `Cooldown`: the door does not open again before `untilMs`. */
export interface CooldownEntry {
  readonly src: string;
  /** Index of the door (updated by {@linkcode CooldownTable.remap}). */
  door: number;
  readonly untilMs: number;
  readonly serial: number;
  /** Whether a refusal was already reported during this cool-down. */
  reported: boolean;
  /** The FIFO holding this entry (one per cool-down length, so in deadline order), and its neighbours there. */
  readonly list: CooldownList;
  older: CooldownEntry | undefined;
  newer: CooldownEntry | undefined;
}

type CooldownList = Fifo<CooldownEntry>;

function cooldownKey(door: number, src: string): string {
  return `${door}|${src}`;
}

/** Cool-down entries by (door, source), plus one FIFO per cool-down length. */
export class CooldownTable {
  /** (door, source) → entry. */
  #entries = new Map<string, CooldownEntry>();
  /** Cool-down length in ms → entries in creation (hence deadline) order. */
  #lists = new Map<number, CooldownList>();
  #serial = 0;
  #evicted = 0;
  readonly #max: number;

  /** @param max Most entries held at once (a positive integer, checked by the caller). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cap on entries. */
  get max(): number {
    return this.#max;
  }

  /** Entries dropped early because the table was full. */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * An opening of door `m` (with a cool-down) for `src` at `now`: when no cool-down of that pair is running,
   * records one ending at `now + m.cooldownMs` and returns `undefined` (the door opens); otherwise returns
   * the running entry (the door stays shut).
   */
  open(m: DoorMatcher, src: string, now: number): CooldownEntry | undefined {
    const key = cooldownKey(m.index, src);
    const entry = this.#entries.get(key);
    if (entry !== undefined) return entry;
    if (this.#entries.size >= this.#max) this.#evictOldest();
    let list = this.#lists.get(m.cooldownMs);
    if (list === undefined) {
      list = emptyFifo();
      this.#lists.set(m.cooldownMs, list);
    }
    const created: CooldownEntry = {
      src,
      door: m.index,
      untilMs: now + m.cooldownMs,
      serial: this.#serial++,
      reported: false,
      list,
      older: undefined,
      newer: undefined,
    };
    append(list, created);
    this.#entries.set(key, created);
    return undefined;
  }

  /** Drops every entry whose cool-down has ended at `now`. O(expired + distinct lengths). */
  sweep(now: number): void {
    if (this.#entries.size === 0) return;
    for (const list of this.#lists.values()) {
      for (let entry = list.head; entry !== undefined && entry.untilMs <= now; entry = list.head) {
        this.#entries.delete(cooldownKey(entry.door, entry.src));
        unlink(list, entry);
      }
    }
  }

  /**
   * Moves each entry to its door's replacement in `mapping` (keyed by the old door index), keeping its end
   * time; drops the entries whose door has no replacement or whose replacement has no cool-down.
   */
  remap(mapping: ReadonlyMap<number, DoorMatcher>): void {
    const entries = new Map<string, CooldownEntry>();
    for (const list of this.#lists.values()) {
      for (let entry = list.head, newer; entry !== undefined; entry = newer) {
        newer = entry.newer;
        const replacement = mapping.get(entry.door);
        if (replacement === undefined || replacement.cooldownMs <= 0) {
          unlink(list, entry);
          continue;
        }
        entry.door = replacement.index;
        entries.set(cooldownKey(entry.door, entry.src), entry);
      }
    }
    this.#entries = entries;
  }

  #evictOldest(): void {
    const oldest = oldestHead(this.#lists.values());
    if (oldest === undefined) return;
    this.#evicted++;
    this.#entries.delete(cooldownKey(oldest.door, oldest.src));
    unlink(oldest.list, oldest);
  }
}
