/**
 * The knock-detection state machine: knockd's matching rules without its
 * bugs, pure and deterministic (time comes in as numbers, results go out as
 * {@linkcode EngineEvent}s). The attempt table, the cool-down table and the
 * door index live in their own modules; this one holds the matching rules.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import type { Knock } from "../knock.ts";
import { type Attempt, AttemptTable } from "./_attempts.ts";
import { verdict } from "./_verdict.ts";
import { CooldownTable } from "./_cooldowns.ts";
import { DoorIndex } from "./_door_index.ts";
import { compileDoor, type DoorMatcher, flagsMatch, stepKey, survivors } from "./_door_matcher.ts";
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
  #index: DoorIndex;
  readonly #attempts = new AttemptTable();
  readonly #cooldowns: CooldownTable;
  #clock = -Infinity;
  readonly #ext = { strictFailures: 0, cooldownRefused: 0 };
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
    repeats: 0,
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
    this.#cooldowns = new CooldownTable(maxCooldowns);
    if (options.isLocal !== undefined) {
      this.#isLocal = options.isLocal;
    } else if (options.localAddresses !== undefined) {
      const local = new Set(options.localAddresses);
      this.#isLocal = (dst) => local.has(dst);
    } else {
      this.#isLocal = () => true;
    }
    this.#index = new DoorIndex(doors.map(compileDoor));
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
    const strictPacket = this.#index.strictDoors > 0 &&
      (!tcp || (knock.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN);
    if (!this.#index.isVisible(key, tcp, knock.flags, reaches)) {
      // Invisible to knockd's semantics; only strict attempts of this source at this address see it.
      this.#counters.invisible++;
      if (strictPacket) this.#strictFail(knock, now, reaches, events);
      return events;
    }

    // Attempts in progress for this source, at doors this packet is addressed to.
    let touched: number[] | undefined;
    let attempt = this.#attempts.first(knock.src);
    while (attempt !== undefined) {
      const current = attempt;
      attempt = attempt.next;
      const m = current.matcher;
      if (!reaches(m)) continue;
      switch (verdict(current, knock, key, strictPacket, now)) {
        case "flags":
          this.#counters.flagMismatches++;
          (touched ??= []).push(m.index);
          break;
        case "strict":
          this.#fail(current, knock, now, "strict", events);
          break;
        case "retransmission":
          this.#counters.retransmissions++;
          (touched ??= []).push(m.index);
          events.push({
            ...this.#base(current, now),
            type: "retransmission",
            stage: current.stage,
            port: knock.dport,
            sport: knock.sport,
          });
          break;
        case "step":
          (touched ??= []).push(m.index);
          this.#step(current, knock, now, events);
          break;
        case "repeat":
          this.#counters.repeats++;
          (touched ??= []).push(m.index);
          events.push({
            ...this.#base(current, now),
            type: "repeat",
            stage: current.stage,
            step: { protocol: knock.protocol, port: knock.dport },
            sport: knock.sport,
            sinceMs: now - current.countedMs,
          });
          break;
        case "wrong":
          // The attempt fails. The door stays eligible below, so a knock on its first port starts it afresh.
          this.#fail(
            current,
            knock,
            now,
            m.steps[current.stage]!.protocol === knock.protocol ? "wrong-port" : "wrong-protocol",
            events,
          );
          break;
      }
    }

    // Doors whose first step this is and which the source is not already in.
    const starters = this.#index.starters(key);
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
    return this.#attempts.nextDeadline();
  }

  /**
   * Current table size and counters since creation.
   *
   * @returns A snapshot.
   */
  stats(): EngineStats {
    return {
      attempts: this.#attempts.size,
      sources: this.#attempts.sources,
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
    const cooldowns = this.#cooldowns;
    return {
      strictFailures: this.#ext.strictFailures,
      cooldowns: cooldowns.size,
      maxCooldowns: cooldowns.max,
      cooldownRefused: this.#ext.cooldownRefused,
      cooldownEvicted: cooldowns.evicted,
    };
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
    const mapping = survivors(this.#index.doors, next);
    const events: EngineEvent[] = [];
    const now = this.#clock === -Infinity ? 0 : this.#clock;
    for (const attempt of this.#attempts.remap(mapping)) {
      this.#counters.dropped++;
      events.push({ ...this.#base(attempt, now), type: "dropped", reason: "reload", stage: attempt.stage });
    }
    this.#cooldowns.remap(mapping);
    this.#index = new DoorIndex(next);
    return events;
  }

  /** Fails every strict attempt of the packet's source at a door the packet is addressed to. */
  #strictFail(knock: Knock, now: number, reaches: (m: DoorMatcher) => boolean, events: EngineEvent[]): void {
    let attempt = this.#attempts.first(knock.src);
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
    this.#attempts.remove(attempt);
  }

  #advance(nowMs: number): number {
    if (Number.isFinite(nowMs) && nowMs > this.#clock) this.#clock = nowMs;
    return this.#clock === -Infinity ? 0 : this.#clock;
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
    if (this.#attempts.size >= this.#maxAttempts) this.#evictOldest(now, events);
    const seen = knock.protocol === "tcp" ? [knock.dport, knock.sport, knock.seq] : [];
    const attempt = this.#attempts.add(knock.src, knock.family, m, now, seen);
    this.#counters.stages++;
    events.push({ ...this.#base(attempt, now), type: "stage", stage: 1, of: m.keys.length });
  }

  #step(attempt: Attempt, knock: Knock, now: number, events: EngineEvent[]): void {
    attempt.stage++;
    attempt.countedMs = now;
    this.#counters.stages++;
    const base = this.#base(attempt, now);
    events.push({ ...base, type: "stage", stage: attempt.stage, of: attempt.matcher.keys.length });
    if (attempt.stage >= attempt.matcher.keys.length) {
      this.#attempts.remove(attempt);
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
    const running = this.#cooldowns.open(m, base.src, now);
    if (running === undefined) return true;
    this.#ext.cooldownRefused++;
    if (!running.reported) {
      running.reported = true;
      events.push({ ...base, type: "cooldown", remainingMs: running.untilMs - now, dst });
    }
    return false;
  }

  #sweep(now: number, events: EngineEvent[]): void {
    this.#cooldowns.sweep(now);
    for (const attempt of this.#attempts.takeExpired(now)) {
      this.#counters.timedOut++;
      events.push({
        ...this.#base(attempt, attempt.deadlineMs),
        type: "timeout",
        stage: attempt.stage,
        startMs: attempt.startMs,
      });
    }
  }

  #evictOldest(now: number, events: EngineEvent[]): void {
    const oldest = this.#attempts.evictOldest();
    if (oldest === undefined) return;
    this.#counters.evicted++;
    events.push({
      ...this.#base(oldest, now),
      type: "evicted",
      stage: oldest.stage,
      startMs: oldest.startMs,
    });
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
