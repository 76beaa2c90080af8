/**
 * Refused datagrams, reported in aggregate: a flood of forged or replayed datagrams must not become a flood
 * of log lines. The first refusal of a kind (door and reason) is logged in full; later ones within
 * {@linkcode REJECT_LOG_INTERVAL_MS} are counted and reported as one line when the interval has passed. Pure.
 *
 * @module
 */
import type { LogEntry } from "./messages.ts";

/** Refusals of one kind are logged at most once per this interval. */
export const REJECT_LOG_INTERVAL_MS = 1000;

/** Most kinds (door × reason) followed at once; beyond it the oldest kind is reported and forgotten. */
export const MAX_REJECT_KINDS = 256;

interface Kind {
  readonly door: string;
  readonly reason: string;
  lastLog: number;
  /** Refusals since the last line. */
  held: number;
}

/** Refusals not yet reported. */
export class RejectReport {
  readonly #kinds = new Map<string, Kind>();
  /** Refusals held in all kinds (the packet path asks for the deadline: it must be cheap when none are). */
  #held = 0;
  /** The map keys by door and reason, made once (a flood must not build a string per refusal). */
  #keys = new Map<string, Map<string, string>>();

  #key(door: string, reason: string): string {
    let byReason = this.#keys.get(door);
    if (byReason === undefined) {
      // Door names and reasons come from configs and door code: few; a reload with new names starts over.
      if (this.#keys.size >= MAX_REJECT_KINDS) this.#keys.clear();
      this.#keys.set(door, byReason = new Map());
    }
    let key = byReason.get(reason);
    if (key === undefined) {
      if (byReason.size >= MAX_REJECT_KINDS) byReason.clear();
      byReason.set(reason, key = `${door}\0${reason}`);
    }
    return key;
  }

  /**
   * A refusal.
   *
   * @param door The door's name.
   * @param reason The refusal's reason.
   * @param refusal Its line, or what holds it (a datagram door's refusal: its line is read only when logged).
   * @param now The time.
   * @returns The line to log now (the first of its kind in an interval), or `undefined` (counted).
   */
  add(
    door: string,
    reason: string,
    refusal: LogEntry | { readonly log: LogEntry },
    now: number,
  ): LogEntry | undefined {
    const key = this.#key(door, reason);
    const kind = this.#kinds.get(key);
    if (kind === undefined || now - kind.lastLog >= REJECT_LOG_INTERVAL_MS) {
      if (kind === undefined && this.#kinds.size >= MAX_REJECT_KINDS) {
        this.#kinds.delete(this.#kinds.keys().next().value!);
      }
      const held = kind?.held ?? 0;
      this.#held -= held;
      this.#kinds.delete(key);
      this.#kinds.set(key, { door, reason, lastLog: now, held: 0 });
      const entry = "log" in refusal ? refusal.log : refusal;
      if (held === 0) return entry;
      return { ...entry, message: `${entry.message} (and ${held} more ${reason} in the last interval)` };
    }
    kind.held++;
    this.#held++;
    return undefined;
  }

  /** When held refusals are due to be reported (`Infinity` when none are). */
  get nextDeadline(): number {
    if (this.#held === 0) return Infinity;
    let next = Infinity;
    for (const k of this.#kinds.values()) {
      if (k.held > 0) next = Math.min(next, k.lastLog + REJECT_LOG_INTERVAL_MS);
    }
    return next;
  }

  /** The summary lines of held refusals whose interval has passed (or all, `force`d). */
  take(now: number, force: boolean): LogEntry[] {
    const out: LogEntry[] = [];
    for (const k of this.#kinds.values()) {
      if (k.held === 0 || (!force && now - k.lastLog < REJECT_LOG_INTERVAL_MS)) continue;
      out.push({
        level: "info",
        message: `${k.door}: ${k.held} more datagrams refused (${k.reason}) in the last ${
          Math.max(1, Math.round((now - k.lastLog) / 1000))
        } s`,
        fields: { event: "datagram-rejects", door: k.door, reason: k.reason, count: k.held },
      });
      this.#held -= k.held;
      k.held = 0;
      k.lastLog = now;
    }
    return out;
  }
}
