/**
 * The attempt table: every (source, door) pair in progress, found by source in O(1), expired in deadline
 * order in O(expired) and evicted oldest first when full. It holds no policy: the engine decides what an
 * attempt does with a packet and turns what the table removes into events.
 *
 * @module
 */
import type { DoorMatcher } from "./_door_matcher.ts";
import { append, emptyFifo, type Fifo, oldestHead, unlink } from "./_fifo.ts";

/** One source working through one door. */
export interface Attempt {
  readonly src: string;
  readonly family: 4 | 6;
  matcher: DoorMatcher;
  /** Steps matched so far (1 … length − 1 while in the table). */
  stage: number;
  readonly startMs: number;
  /** When the last step was counted (a new packet to it soon after is a client's repeat). */
  countedMs: number;
  readonly deadlineMs: number;
  /** Creation order, for evicting the oldest attempt. */
  readonly serial: number;
  /** The TCP packets this attempt counted, as (dport, sport, seq) triples, to recognise retransmissions. */
  readonly seen: number[];
  /** Next attempt of the same source (a source has at most one attempt per door). */
  next: Attempt | undefined;
  /** The expiry queue holding this attempt, and its neighbours there. */
  readonly queue: Queue;
  older: Attempt | undefined;
  newer: Attempt | undefined;
}

/**
 * Attempts sharing one window length, oldest first: an intrusive doubly linked list, so removal and reading
 * the head are O(1). (A `Set` used as a FIFO degrades badly: V8 leaves deleted slots at its head until a
 * rehash.)
 */
type Queue = Fifo<Attempt>;

const NONE: readonly Attempt[] = Object.freeze([]);

/** Attempts by source, plus one expiry FIFO per distinct window (each in creation, hence deadline, order). */
export class AttemptTable {
  #bySource = new Map<string, Attempt>();
  /** Window in ms → attempts in creation (hence deadline) order. */
  #queues = new Map<number, Queue>();
  #count = 0;
  #serial = 0;

  /** Attempts in the table. */
  get size(): number {
    return this.#count;
  }

  /** Distinct sources with at least one attempt. */
  get sources(): number {
    return this.#bySource.size;
  }

  /** The first attempt of `src` (walk on with `next`), or `undefined`. */
  first(src: string): Attempt | undefined {
    return this.#bySource.get(src);
  }

  /**
   * Adds an attempt of `src` at door `m`, started at `now` (its deadline is `now + m.windowMs`), as the newest
   * of the table and the last of its source's list. The caller makes room first ({@linkcode evictOldest}).
   */
  add(src: string, family: 4 | 6, m: DoorMatcher, now: number, seen: number[]): Attempt {
    let queue = this.#queues.get(m.windowMs);
    if (queue === undefined) {
      queue = emptyFifo();
      this.#queues.set(m.windowMs, queue);
    }
    const attempt: Attempt = {
      src,
      family,
      matcher: m,
      stage: 1,
      startMs: now,
      countedMs: now,
      deadlineMs: now + m.windowMs,
      serial: this.#serial++,
      seen,
      next: undefined,
      queue,
      older: undefined,
      newer: undefined,
    };
    append(queue, attempt);
    this.#count++;
    const head = this.#bySource.get(src);
    if (head === undefined) {
      this.#bySource.set(src, attempt);
    } else {
      let tail = head;
      while (tail.next !== undefined) tail = tail.next;
      tail.next = attempt;
    }
    return attempt;
  }

  /** Removes `attempt` (which must be in the table). */
  remove(attempt: Attempt): void {
    unlink(attempt.queue, attempt);
    this.#count--;
    const head = this.#bySource.get(attempt.src);
    if (head === attempt) {
      if (attempt.next === undefined) this.#bySource.delete(attempt.src);
      else this.#bySource.set(attempt.src, attempt.next);
    } else {
      let prev = head;
      while (prev !== undefined && prev.next !== attempt) prev = prev.next;
      if (prev !== undefined) prev.next = attempt.next;
    }
    attempt.next = undefined;
  }

  /**
   * Removes and returns every attempt whose deadline is at or before `now`: per window length (in the order
   * the lengths first appeared), oldest deadline first. O(expired + distinct windows).
   */
  takeExpired(now: number): readonly Attempt[] {
    let expired: Attempt[] | undefined;
    for (const queue of this.#queues.values()) {
      for (let attempt = queue.head; attempt !== undefined; attempt = queue.head) {
        if (attempt.deadlineMs > now) break;
        (expired ??= []).push(attempt);
        this.remove(attempt);
      }
    }
    return expired ?? NONE;
  }

  /** Removes and returns the oldest attempt (by creation), or `undefined` when the table is empty. */
  evictOldest(): Attempt | undefined {
    const oldest = oldestHead(this.#queues.values());
    if (oldest !== undefined) this.remove(oldest);
    return oldest;
  }

  /** The earliest deadline in the table, or `undefined` when it is empty. O(distinct windows). */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const queue of this.#queues.values()) {
      const head = queue.head;
      if (head !== undefined && (best === undefined || head.deadlineMs < best)) best = head.deadlineMs;
    }
    return best;
  }

  /**
   * Moves each attempt to its door's replacement in `mapping` (keyed by the old door index), keeping its
   * progress and deadline; removes the attempts whose door has none and returns them, in table order.
   */
  remap(mapping: ReadonlyMap<number, DoorMatcher>): Attempt[] {
    const removed: Attempt[] = [];
    for (const queue of this.#queues.values()) {
      for (let attempt = queue.head, newer; attempt !== undefined; attempt = newer) {
        newer = attempt.newer;
        const replacement = mapping.get(attempt.matcher.index);
        if (replacement !== undefined) {
          attempt.matcher = replacement;
          continue;
        }
        removed.push(attempt);
        this.remove(attempt);
      }
    }
    return removed;
  }
}

/** Same destination port, source port and sequence number as a TCP packet the attempt already counted. */
export function isRetransmission(attempt: Attempt, dport: number, sport: number, seq: number): boolean {
  const seen = attempt.seen;
  for (let i = 0; i < seen.length; i += 3) {
    if (seen[i] === dport && seen[i + 1] === sport && seen[i + 2] === seq) return true;
  }
  return false;
}
