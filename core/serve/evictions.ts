/**
 * Evictions from a full attempt table, reported in aggregate: at most one warning per
 * {@linkcode EVICTION_LOG_INTERVAL_MS}, with the count since the last one and the last attempt evicted (a
 * spoofed-source flood evicts thousands a second). Pure.
 *
 * @module
 */
import { evictionMessage, type LogEntry } from "./messages.ts";

/** Eviction messages are aggregated over this interval. */
export const EVICTION_LOG_INTERVAL_MS = 1000;

/** Evictions not yet reported. */
export class EvictionReport {
  #count = 0;
  #last: { src: string; name: string } | undefined;
  #lastReport = -Infinity;

  /** Counts an eviction. */
  add(src: string, name: string): void {
    this.#count++;
    this.#last = { src, name };
  }

  /** When the next report is due (`Infinity` when nothing waits). */
  get nextDeadline(): number {
    return this.#count > 0 ? this.#lastReport + EVICTION_LOG_INTERVAL_MS : Infinity;
  }

  /** Whether evictions wait to be reported (cheap: on the packet path). */
  get pending(): boolean {
    return this.#count > 0;
  }

  /**
   * The report, if one is due (or `force`d: shutdown, the end of a replay).
   *
   * @param now The time.
   * @param max The table's bound, for the message (asked only when a report is made).
   */
  take(now: number, max: () => number, force: boolean): LogEntry | undefined {
    if (this.#count === 0 || this.#last === undefined) return undefined;
    if (!force && now - this.#lastReport < EVICTION_LOG_INTERVAL_MS) return undefined;
    const entry = evictionMessage(this.#count, max(), this.#last);
    this.#count = 0;
    this.#lastReport = now;
    return entry;
  }
}
