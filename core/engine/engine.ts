/**
 * The knock-detection state machine: knockd's matching rules without its
 * bugs, pure and deterministic (time comes in as numbers, results go out as
 * {@linkcode EngineEvent}s).
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import type { Knock } from "../knock.ts";
import { compileDoor, type DoorMatcher, flagsMatch, stepKey } from "./_door_matcher.ts";
import { append, emptyFifo, type Fifo, oldestHead, unlink } from "./_fifo.ts";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_COOLDOWNS,
  type EngineEvent,
  type EngineOptions,
  type EngineStats,
  type EventBase,
  type ExtensionStats,
  type FailReason,
  type KnockTarget,
} from "./types.ts";

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** One source working through one door. */
interface Attempt {
  readonly src: string;
  readonly family: 4 | 6;
  matcher: DoorMatcher;
  /** Steps matched so far (1 … length − 1 while in the table). */
  stage: number;
  readonly startMs: number;
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
 * Attempts sharing one window length, oldest first: an intrusive doubly
 * linked list, so removal and reading the head are O(1). (A `Set` used as a
 * FIFO degrades badly: V8 leaves deleted slots at its head until a rehash.)
 */
type Queue = Fifo<Attempt>;

/** A (source, door) pair that opened within its door's `Cooldown`: the door does not open again before `untilMs`. */
interface CooldownEntry {
  readonly src: string;
  /** Index of the door (updated by `replaceDoors`). */
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

type Counters = {
  -readonly [K in Exclude<keyof EngineStats, "attempts" | "sources" | "maxAttempts">]: number;
};

/**
 * Detects knock sequences, per (source, door), in O(1) work per packet
 * whatever the number of sources in progress.
 *
 * - Attempts live in a map keyed by source (each source holds a short list, at
 *   most one attempt per door).
 * - Expiry uses one FIFO queue per distinct `seq_timeout`: the window is
 *   fixed at the first knock and engine time never goes backwards, so each
 *   queue is ordered by deadline and a sweep costs O(expired).
 * - The table is capped; the oldest attempt is evicted when a new one needs
 *   room, and counted.
 *
 * The engine never reads a clock: every call takes the time in milliseconds.
 * Time passed in that is earlier than time already seen is treated as the
 * latest time seen.
 *
 * @example Knock 7000, 8000, 9000 and get the door opened
 * ```ts ignore
 * const engine = createEngine(config.doors, { localAddresses: ["10.0.0.1"] });
 * for (const event of engine.observe(knock, knock.timeMs)) log(event);
 * setTimeout(() => engine.tick(Date.now()), engine.nextDeadline()! - Date.now());
 * ```
 */
export class KnockEngine {
  #doors: DoorMatcher[] = [];
  /** Step key → doors whose first step it is, in config order. */
  #starts = new Map<number, DoorMatcher[]>();
  /** Step key → doors with that step anywhere in their sequence (knockd's capture filter). */
  #visible = new Map<number, DoorMatcher[]>();
  #bySource = new Map<string, Attempt>();
  /** Window in ms → attempts in creation (hence deadline) order. */
  #queues = new Map<number, Queue>();
  #count = 0;
  #serial = 0;
  #clock = -Infinity;
  /** Number of strict doors (the extra packets a strict filter passes are only looked at when > 0). */
  #strictDoors = 0;
  /** (door, source) → cool-down entry. */
  #cooldowns = new Map<string, CooldownEntry>();
  /** Cool-down length in ms → entries in creation (hence deadline) order. */
  #cooldownLists = new Map<number, CooldownList>();
  readonly #maxCooldowns: number;
  readonly #ext = { strictFailures: 0, cooldownRefused: 0, cooldownEvicted: 0 };
  readonly #maxAttempts: number;
  readonly #isLocal: (dst: string) => boolean;
  readonly #counters: Counters = {
    packets: 0,
    invisible: 0,
    started: 0,
    stages: 0,
    opened: 0,
    failed: 0,
    timedOut: 0,
    evicted: 0,
    dropped: 0,
    retransmissions: 0,
    flagMismatches: 0,
  };

  /**
   * Build an engine for `doors` (identified by their index in this list).
   *
   * @param doors The doors to detect, in config order.
   * @param options Table caps and local-address test.
   * @throws {RangeError} If `maxAttempts` or `maxCooldowns` is not a positive integer.
   */
  constructor(doors: readonly Door[], options: EngineOptions = {}) {
    const max = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`Invalid maxAttempts "${max}": expected a positive integer`);
    }
    this.#maxAttempts = max;
    const maxCooldowns = options.maxCooldowns ?? DEFAULT_MAX_COOLDOWNS;
    if (!Number.isSafeInteger(maxCooldowns) || maxCooldowns < 1) {
      throw new RangeError(`Invalid maxCooldowns "${maxCooldowns}": expected a positive integer`);
    }
    this.#maxCooldowns = maxCooldowns;
    if (options.isLocal !== undefined) {
      this.#isLocal = options.isLocal;
    } else if (options.localAddresses !== undefined) {
      const local = new Set(options.localAddresses);
      this.#isLocal = (dst) => local.has(dst);
    } else {
      this.#isLocal = () => true;
    }
    this.#setDoors(doors.map(compileDoor));
  }

  /**
   * Feed one decoded packet. Expired attempts are swept first (their
   * `timeout` events come first), then the packet is matched.
   *
   * @param knock The packet.
   * @param nowMs Engine time in ms; defaults to the packet's capture time.
   * @returns What happened, in order.
   */
  observe(knock: Knock, nowMs: number = knock.timeMs): EngineEvent[] {
    const now = this.#advance(nowMs);
    const events: EngineEvent[] = [];
    this.#sweep(now, events);
    this.#counters.packets++;

    const tcp = knock.protocol === "tcp";
    const key = stepKey(knock.protocol, knock.dport);
    const dst = knock.dst;
    let local: boolean | undefined;
    const isLocal = this.#isLocal;
    const reaches = (m: DoorMatcher): boolean =>
      m.target !== undefined ? m.target === dst : (local ??= isLocal(dst));

    // A packet a strict door reacts to: a TCP SYN without ACK (a new connection) or any UDP datagram.
    const strictPacket = this.#strictDoors > 0 && (!tcp || (knock.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN);
    if (!this.#isVisible(key, tcp, knock.flags, reaches)) {
      // Invisible to knockd's semantics; only strict attempts of this source at this address see it.
      this.#counters.invisible++;
      if (strictPacket) this.#strictFail(knock, now, reaches, events);
      return events;
    }

    // Attempts in progress for this source, at doors this packet is addressed to.
    let touched: number[] | undefined;
    let attempt = this.#bySource.get(knock.src);
    while (attempt !== undefined) {
      const current = attempt;
      attempt = attempt.next;
      const m = current.matcher;
      if (!reaches(m)) continue;
      if (tcp && !flagsMatch(m, knock.flags)) {
        if (strictPacket && m.strict && !isRetransmission(current, knock)) {
          this.#fail(current, knock, now, "strict", events);
          continue;
        }
        this.#counters.flagMismatches++;
        (touched ??= []).push(m.index);
        continue;
      }
      if (tcp && isRetransmission(current, knock)) {
        this.#counters.retransmissions++;
        (touched ??= []).push(m.index);
        events.push({
          ...this.#base(current, now),
          type: "retransmission",
          stage: current.stage,
          port: knock.dport,
          sport: knock.sport,
        });
        continue;
      }
      if (m.keys[current.stage] === key) {
        (touched ??= []).push(m.index);
        this.#step(current, knock, now, events);
        continue;
      }
      // A wrong knock: the attempt fails. The door stays eligible below, so a
      // knock on its first port starts it afresh.
      const expected = m.steps[current.stage]!;
      this.#fail(
        current,
        knock,
        now,
        expected.protocol === knock.protocol ? "wrong-port" : "wrong-protocol",
        events,
      );
    }

    // Doors whose first step this is and which the source is not already in.
    const starters = this.#starts.get(key);
    if (starters !== undefined) {
      for (const m of starters) {
        if (tcp && !flagsMatch(m, knock.flags)) continue;
        if (!reaches(m)) continue;
        if (touched !== undefined && touched.includes(m.index)) continue;
        this.#start(m, knock, now, events);
      }
    }
    return events;
  }

  /** Fails every strict attempt of the packet's source at a door the packet is addressed to. */
  #strictFail(knock: Knock, now: number, reaches: (m: DoorMatcher) => boolean, events: EngineEvent[]): void {
    let attempt = this.#bySource.get(knock.src);
    while (attempt !== undefined) {
      const current = attempt;
      attempt = attempt.next;
      if (current.matcher.strict && reaches(current.matcher)) {
        this.#fail(current, knock, now, "strict", events);
      }
    }
  }

  #fail(attempt: Attempt, knock: Knock, now: number, reason: FailReason, events: EngineEvent[]): void {
    const expected = attempt.matcher.steps[attempt.stage]!;
    const got: KnockTarget & { flags: number } = {
      protocol: knock.protocol,
      port: knock.dport,
      flags: knock.flags,
    };
    this.#counters.failed++;
    if (reason === "strict") this.#ext.strictFailures++;
    events.push({
      ...this.#base(attempt, now),
      type: "fail",
      reason,
      stage: attempt.stage,
      expected: { protocol: expected.protocol, port: expected.port },
      got,
    });
    this.#remove(attempt);
  }

  /**
   * Time out every attempt whose window has closed (`now − start ≥ seq_timeout`).
   * Call it when {@linkcode KnockEngine.nextDeadline} passes.
   *
   * @param nowMs Engine time in ms.
   * @returns One `timeout` event per expired attempt, oldest deadline first per window length.
   */
  tick(nowMs: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    this.#sweep(this.#advance(nowMs), events);
    return events;
  }

  /**
   * The earliest deadline of any attempt in progress, so the caller can arm
   * a single timer and call {@linkcode KnockEngine.tick} then.
   *
   * @returns Time in ms, or `undefined` when nothing is in progress.
   */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const queue of this.#queues.values()) {
      const head = queue.head;
      if (head !== undefined && (best === undefined || head.deadlineMs < best)) best = head.deadlineMs;
    }
    return best;
  }

  /**
   * Current table size and counters since creation.
   *
   * @returns A snapshot.
   */
  stats(): EngineStats {
    return {
      attempts: this.#count,
      sources: this.#bySource.size,
      maxAttempts: this.#maxAttempts,
      ...this.#counters,
    };
  }

  /**
   * Counters of knocktool's own door directives (`Strict`, `Cooldown`) and the cool-down table size.
   *
   * @returns A snapshot.
   */
  extensionStats(): ExtensionStats {
    return { ...this.#ext, cooldowns: this.#cooldowns.size, maxCooldowns: this.#maxCooldowns };
  }

  /**
   * Swap in a new door list (config reload). An attempt survives when its
   * door is still there with the same name, sequence, flags, target and
   * `seq_timeout` (the k-th such door in the old list maps to the k-th in the
   * new one); it keeps its progress and deadline under the door's new index.
   * Every other attempt is dropped with a `dropped` event. knockd instead
   * forgets every attempt on reload. Cool-down entries follow the same
   * mapping (kept, with their end time, when the door survives and still has
   * a `Cooldown`; dropped silently otherwise).
   *
   * @param doors The new doors, in config order.
   * @returns One `dropped` event per attempt that did not survive.
   */
  replaceDoors(doors: readonly Door[]): EngineEvent[] {
    const next = doors.map(compileDoor);
    const pool = new Map<string, DoorMatcher[]>();
    for (const m of next) {
      const list = pool.get(m.fingerprint);
      if (list === undefined) pool.set(m.fingerprint, [m]);
      else list.push(m);
    }
    const mapping = new Map<number, DoorMatcher>();
    for (const old of this.#doors) {
      const replacement = pool.get(old.fingerprint)?.shift();
      if (replacement !== undefined) mapping.set(old.index, replacement);
    }
    const events: EngineEvent[] = [];
    const now = this.#clock === -Infinity ? 0 : this.#clock;
    for (const queue of this.#queues.values()) {
      for (let attempt = queue.head, newer; attempt !== undefined; attempt = newer) {
        newer = attempt.newer;
        const replacement = mapping.get(attempt.matcher.index);
        if (replacement !== undefined) {
          attempt.matcher = replacement;
          continue;
        }
        this.#counters.dropped++;
        events.push({ ...this.#base(attempt, now), type: "dropped", reason: "reload", stage: attempt.stage });
        this.#remove(attempt);
      }
    }
    const cooldowns = new Map<string, CooldownEntry>();
    for (const list of this.#cooldownLists.values()) {
      for (let entry = list.head, newer; entry !== undefined; entry = newer) {
        newer = entry.newer;
        const replacement = mapping.get(entry.door);
        if (replacement === undefined || replacement.cooldownMs <= 0) {
          unlink(list, entry);
          continue;
        }
        entry.door = replacement.index;
        cooldowns.set(cooldownKey(entry.door, entry.src), entry);
      }
    }
    this.#cooldowns = cooldowns;
    this.#setDoors(next);
    return events;
  }

  #setDoors(doors: DoorMatcher[]): void {
    this.#doors = doors;
    this.#starts = new Map();
    this.#visible = new Map();
    this.#strictDoors = 0;
    for (const m of doors) {
      if (m.strict && m.keys.length > 0) this.#strictDoors++;
      const firstKey = m.keys[0];
      if (firstKey === undefined) continue; // an empty sequence (one-time file not loaded) never matches
      pushTo(this.#starts, firstKey, m);
      for (const key of new Set(m.keys)) pushTo(this.#visible, key, m);
    }
  }

  #advance(nowMs: number): number {
    if (Number.isFinite(nowMs) && nowMs > this.#clock) this.#clock = nowMs;
    return this.#clock === -Infinity ? 0 : this.#clock;
  }

  /** Would knockd's capture filter pass this packet? */
  #isVisible(key: number, tcp: boolean, flags: number, reaches: (m: DoorMatcher) => boolean): boolean {
    const doors = this.#visible.get(key);
    if (doors === undefined) return false;
    for (const m of doors) {
      if (tcp && !flagsMatch(m, flags)) continue;
      if (reaches(m)) return true;
    }
    return false;
  }

  #base(attempt: Attempt, timeMs: number): EventBase {
    return {
      src: attempt.src,
      family: attempt.family,
      door: attempt.matcher.index,
      name: attempt.matcher.name,
      timeMs,
    };
  }

  #start(m: DoorMatcher, knock: Knock, now: number, events: EngineEvent[]): void {
    this.#counters.started++;
    if (m.keys.length === 1) {
      const base = { src: knock.src, family: knock.family, door: m.index, name: m.name, timeMs: now };
      // In a cool-down a one-knock door stays silent (no "Stage 1" per packet), except for the one refusal.
      if (!this.#mayOpen(m, base, knock.dst, now, events)) return;
      this.#counters.stages++;
      this.#counters.opened++;
      events.push({ ...base, type: "stage", stage: 1, of: 1 });
      events.push({ ...base, type: "open", dst: knock.dst });
      return;
    }
    if (this.#count >= this.#maxAttempts) this.#evictOldest(now, events);
    let queue = this.#queues.get(m.windowMs);
    if (queue === undefined) {
      queue = emptyFifo();
      this.#queues.set(m.windowMs, queue);
    }
    const attempt: Attempt = {
      src: knock.src,
      family: knock.family,
      matcher: m,
      stage: 1,
      startMs: now,
      deadlineMs: now + m.windowMs,
      serial: this.#serial++,
      seen: knock.protocol === "tcp" ? [knock.dport, knock.sport, knock.seq] : [],
      next: undefined,
      queue,
      older: undefined,
      newer: undefined,
    };
    append(queue, attempt);
    this.#count++;
    const head = this.#bySource.get(knock.src);
    if (head === undefined) {
      this.#bySource.set(knock.src, attempt);
    } else {
      let tail = head;
      while (tail.next !== undefined) tail = tail.next;
      tail.next = attempt;
    }
    this.#counters.stages++;
    events.push({ ...this.#base(attempt, now), type: "stage", stage: 1, of: m.keys.length });
  }

  #step(attempt: Attempt, knock: Knock, now: number, events: EngineEvent[]): void {
    attempt.stage++;
    this.#counters.stages++;
    const base = this.#base(attempt, now);
    events.push({ ...base, type: "stage", stage: attempt.stage, of: attempt.matcher.keys.length });
    if (attempt.stage >= attempt.matcher.keys.length) {
      this.#remove(attempt);
      if (this.#mayOpen(attempt.matcher, base, knock.dst, now, events)) {
        this.#counters.opened++;
        events.push({ ...base, type: "open", dst: knock.dst });
      }
    } else if (knock.protocol === "tcp") {
      attempt.seen.push(knock.dport, knock.sport, knock.seq);
    }
  }

  /**
   * Whether door `m` may open for `base.src` now. With a `Cooldown`, records the opening (true), or refuses
   * it within the cool-down of the last one (false, with one `cooldown` event per cool-down).
   */
  #mayOpen(m: DoorMatcher, base: EventBase, dst: string, now: number, events: EngineEvent[]): boolean {
    if (m.cooldownMs <= 0) return true;
    const key = cooldownKey(m.index, base.src);
    const entry = this.#cooldowns.get(key);
    if (entry !== undefined) {
      this.#ext.cooldownRefused++;
      if (!entry.reported) {
        entry.reported = true;
        events.push({ ...base, type: "cooldown", remainingMs: entry.untilMs - now, dst });
      }
      return false;
    }
    if (this.#cooldowns.size >= this.#maxCooldowns) this.#evictOldestCooldown();
    let list = this.#cooldownLists.get(m.cooldownMs);
    if (list === undefined) {
      list = emptyFifo();
      this.#cooldownLists.set(m.cooldownMs, list);
    }
    const created: CooldownEntry = {
      src: base.src,
      door: m.index,
      untilMs: now + m.cooldownMs,
      serial: this.#serial++,
      reported: false,
      list,
      older: undefined,
      newer: undefined,
    };
    append(list, created);
    this.#cooldowns.set(key, created);
    return true;
  }

  #evictOldestCooldown(): void {
    const oldest = oldestHead(this.#cooldownLists.values());
    if (oldest === undefined) return;
    this.#ext.cooldownEvicted++;
    this.#cooldowns.delete(cooldownKey(oldest.door, oldest.src));
    unlink(oldest.list, oldest);
  }

  #sweep(now: number, events: EngineEvent[]): void {
    if (this.#cooldowns.size > 0) {
      for (const list of this.#cooldownLists.values()) {
        for (let entry = list.head; entry !== undefined && entry.untilMs <= now; entry = list.head) {
          this.#cooldowns.delete(cooldownKey(entry.door, entry.src));
          unlink(list, entry);
        }
      }
    }
    for (const queue of this.#queues.values()) {
      for (let attempt = queue.head; attempt !== undefined; attempt = queue.head) {
        if (attempt.deadlineMs > now) break;
        this.#counters.timedOut++;
        events.push({
          ...this.#base(attempt, attempt.deadlineMs),
          type: "timeout",
          stage: attempt.stage,
          startMs: attempt.startMs,
        });
        this.#remove(attempt);
      }
    }
  }

  #evictOldest(now: number, events: EngineEvent[]): void {
    const oldest = oldestHead(this.#queues.values());
    if (oldest === undefined) return;
    this.#counters.evicted++;
    events.push({
      ...this.#base(oldest, now),
      type: "evicted",
      stage: oldest.stage,
      startMs: oldest.startMs,
    });
    this.#remove(oldest);
  }

  #remove(attempt: Attempt): void {
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
}

/**
 * Create a {@linkcode KnockEngine}.
 *
 * @param doors The doors to detect, in config order; events name them by index.
 * @param options Table cap and local-address test.
 * @returns A new engine with no attempts in progress.
 * @throws {RangeError} If `maxAttempts` is not a positive integer.
 */
export function createEngine(doors: readonly Door[], options: EngineOptions = {}): KnockEngine {
  return new KnockEngine(doors, options);
}

/** Same destination port, source port and sequence number as a packet the attempt already counted. */
function isRetransmission(attempt: Attempt, knock: Knock): boolean {
  const seen = attempt.seen;
  for (let i = 0; i < seen.length; i += 3) {
    if (seen[i] === knock.dport && seen[i + 1] === knock.sport && seen[i + 2] === knock.seq) return true;
  }
  return false;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
