/**
 * The daemon's counters for `serve --metrics`: per door, the knocks that counted (stages), the openings and
 * the failures by reason; per door, the commands run by result and their durations; and the snapshot the
 * metrics page is rendered from (./prometheus.ts). Pure; counting is a few integer additions per event, so
 * it is always on (the page is what is optional). Bounded by the config: one entry per door name.
 *
 * @module
 */
import type { EngineEvent } from "../engine/types.ts";

/** Upper bounds (seconds) of the command-duration histogram's buckets. */
export const DURATION_BUCKETS_S: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** A door's detection counters. */
export interface DoorCounts {
  /** Knocks that counted: each matched step (knockd's `Stage N` lines). */
  knocks: number;
  openings: number;
  /** Failed attempts by reason: `wrong-port`, `wrong-protocol`, `strict`, `timeout`, `cooldown`, `reload`. */
  readonly failures: Map<string, number>;
  /** Packets ignored as retransmissions or a client's repeats. */
  ignored: number;
}

/** A door's command counters. */
export interface CommandCounts {
  /** Commands by result: `ok`, `nonzero`, `failed` (could not start), `lost` (status lost). */
  readonly results: Map<string, number>;
  /** Cumulative histogram: `buckets[i]` counts durations ≤ `DURATION_BUCKETS_S[i]`. */
  readonly buckets: number[];
  /** Sum of the durations, seconds. */
  sum: number;
  count: number;
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Detection counters by door name. */
export class DoorStats {
  readonly #doors = new Map<string, DoorCounts>();

  #door(name: string): DoorCounts {
    let d = this.#doors.get(name);
    if (d === undefined) {
      d = { knocks: 0, openings: 0, failures: new Map(), ignored: 0 };
      this.#doors.set(name, d);
    }
    return d;
  }

  /** Makes sure each door has its counters (at zero), so that its series exist before its first knock. */
  seed(names: Iterable<string>): void {
    for (const name of names) this.#door(name);
  }

  /** Counts one engine event. */
  event(e: EngineEvent): void {
    switch (e.type) {
      case "stage":
        this.#door(e.name).knocks++;
        return;
      case "open":
        this.#door(e.name).openings++;
        return;
      case "fail":
        bump(this.#door(e.name).failures, e.reason);
        return;
      case "timeout":
        bump(this.#door(e.name).failures, "timeout");
        return;
      case "cooldown":
        bump(this.#door(e.name).failures, "cooldown");
        return;
      case "dropped":
        bump(this.#door(e.name).failures, "reload");
        return;
      case "retransmission":
      case "repeat":
        this.#door(e.name).ignored++;
        return;
      case "evicted":
        return;
    }
  }

  /** Counts an opening that came from a datagram door. */
  opened(door: string): void {
    const d = this.#door(door);
    d.knocks++;
    d.openings++;
  }

  /** Every door's counters, by name. */
  get doors(): ReadonlyMap<string, Readonly<DoorCounts>> {
    return this.#doors;
  }
}

/** Command counters by door name. */
export class CommandStats {
  readonly #doors = new Map<string, CommandCounts>();

  /**
   * A command ended.
   *
   * @param door Its door.
   * @param result `ok`, `nonzero`, `failed` or `lost`.
   * @param seconds How long it ran (0 when it could not start).
   */
  ended(door: string, result: string, seconds: number): void {
    let c = this.#doors.get(door);
    if (c === undefined) {
      c = { results: new Map(), buckets: DURATION_BUCKETS_S.map(() => 0), sum: 0, count: 0 };
      this.#doors.set(door, c);
    }
    bump(c.results, result);
    DURATION_BUCKETS_S.forEach((bound, i) => {
      if (seconds <= bound) c.buckets[i]!++;
    });
    c.sum += seconds;
    c.count++;
  }

  /** Every door's counters, by name. */
  get doors(): ReadonlyMap<string, Readonly<CommandCounts>> {
    return this.#doors;
  }
}

/** What the metrics page shows. */
export interface MetricsSnapshot {
  readonly doors: ReadonlyMap<string, Readonly<DoorCounts>>;
  readonly commands: ReadonlyMap<string, Readonly<CommandCounts>>;
  /** Datagram door verdicts by door and result (`open`, or a refusal's reason). */
  readonly datagrams: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly captures: readonly {
    readonly name: string;
    readonly received: number;
    readonly dropped: number;
  }[];
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly evictions: number;
  readonly packets: number;
  /** Commands running and waiting for a slot, and stop commands not yet run. */
  readonly running: number;
  readonly queued: number;
  readonly pendingStops: number;
}
