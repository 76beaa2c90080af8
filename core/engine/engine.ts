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
import { AttemptTable, NIL } from "./_attempts.ts";
import { ipv4Key } from "./_ipv4_key.ts";
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
 * - Attempts live in a compact table (typed arrays, IPv4 sources as integers in
 *   an open-addressing hash) keyed by source; each source holds a short list,
 *   at most one attempt per door.
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
  readonly #attempts: AttemptTable;
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
    this.#attempts = new AttemptTable(max);
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
    this.#attempts.doors = this.#index.doors;
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
    const table = this.#attempts;
    if (!this.#index.isVisible(key, tcp, knock.flags, reaches)) {
      // Invisible to knockd's semantics; only strict attempts of this source at this address see it.
      this.#counters.invisible++;
      if (strictPacket && table.size > 0) this.#strictFail(knock, now, reaches, events);
      return events;
    }

    // Attempts in progress for this source, at doors this packet is addressed to.
    let touched: number[] | undefined;
    const key4 = table.size > 0 || this.#index.starters(key) !== undefined ? ipv4Key(knock.src) : -1;
    let slot = table.size > 0 ? table.first(key4, knock.src) : NIL;
    while (slot !== NIL) {
      const current = slot;
      slot = table.next(slot);
      const m = table.matcher(current);
      if (!reaches(m)) continue;
      switch (verdict(table, current, m, knock, key, strictPacket, now)) {
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
            ...this.#base(current, now, knock.src),
            type: "retransmission",
            stage: table.stage(current),
            port: knock.dport,
            sport: knock.sport,
          });
          break;
        case "step":
          (touched ??= []).push(m.index);
          this.#step(current, m, knock, now, events);
          break;
        case "repeat":
          this.#counters.repeats++;
          (touched ??= []).push(m.index);
          events.push({
            ...this.#base(current, now, knock.src),
            type: "repeat",
            stage: table.stage(current),
            step: { protocol: knock.protocol, port: knock.dport },
            sport: knock.sport,
            sinceMs: now - table.countedMs(current),
          });
          break;
        case "wrong":
          // The attempt fails. The door stays eligible below, so a knock on its first port starts it afresh.
          this.#fail(
            current,
            knock,
            now,
            m.steps[table.stage(current)]!.protocol === knock.protocol ? "wrong-port" : "wrong-protocol",
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
        this.#start(m, knock, key4, now, events);
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
    const table = this.#attempts;
    table.remap(mapping, (slot) => {
      this.#counters.dropped++;
      events.push({ ...this.#base(slot, now), type: "dropped", reason: "reload", stage: table.stage(slot) });
    });
    this.#cooldowns.remap(mapping);
    this.#index = new DoorIndex(next);
    table.doors = this.#index.doors;
    return events;
  }

  /** Fails every strict attempt of the packet's source at a door the packet is addressed to. */
  #strictFail(knock: Knock, now: number, reaches: (m: DoorMatcher) => boolean, events: EngineEvent[]): void {
    const table = this.#attempts;
    let slot = table.first(ipv4Key(knock.src), knock.src);
    while (slot !== NIL) {
      const current = slot;
      slot = table.next(slot);
      const m = table.matcher(current);
      if (m.strict && reaches(m)) this.#fail(current, knock, now, "strict", events);
    }
  }

  #fail(slot: number, knock: Knock, now: number, reason: FailReason, events: EngineEvent[]): void {
    const table = this.#attempts;
    const stage = table.stage(slot);
    const expected = table.matcher(slot).steps[stage]!;
    const got: KnockTarget & { flags: number } = {
      protocol: knock.protocol,
      port: knock.dport,
      flags: knock.flags,
    };
    this.#counters.failed++;
    if (reason === "strict") this.#ext.strictFailures++;
    events.push({
      ...this.#base(slot, now, knock.src),
      type: "fail",
      reason,
      stage,
      expected: { protocol: expected.protocol, port: expected.port },
      got,
    });
    table.remove(slot);
  }

  #advance(nowMs: number): number {
    if (Number.isFinite(nowMs) && nowMs > this.#clock) this.#clock = nowMs;
    return this.#clock === -Infinity ? 0 : this.#clock;
  }

  /** The event fields of the attempt in `slot`; `src` when the caller has its text (saves formatting it). */
  #base(slot: number, timeMs: number, src?: string): EventBase {
    const table = this.#attempts;
    const m = table.matcher(slot);
    return { src: src ?? table.src(slot), family: table.family(slot), door: m.index, name: m.name, timeMs };
  }

  #start(m: DoorMatcher, knock: Knock, key4: number, now: number, events: EngineEvent[]): void {
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
    const { src, family, dport, sport, seq } = knock;
    this.#attempts.add(key4, src, family, m, now, knock.protocol === "tcp", dport, sport, seq);
    this.#counters.stages++;
    events.push({
      src,
      family,
      door: m.index,
      name: m.name,
      timeMs: now,
      type: "stage",
      stage: 1,
      of: m.keys.length,
    });
  }

  #step(slot: number, m: DoorMatcher, knock: Knock, now: number, events: EngineEvent[]): void {
    const table = this.#attempts;
    const tcp = knock.protocol === "tcp";
    table.step(slot, now, tcp, knock.dport, knock.sport, knock.seq);
    const stage = table.stage(slot);
    this.#counters.stages++;
    const base = this.#base(slot, now, knock.src);
    events.push({ ...base, type: "stage", stage, of: m.keys.length });
    if (stage >= m.keys.length) {
      table.remove(slot);
      if (this.#mayOpen(m, base, knock.dst, now, events)) {
        this.#counters.opened++;
        events.push({ ...base, type: "open", dst: knock.dst });
      }
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
    const table = this.#attempts;
    if (!table.sweepStart(now)) return;
    for (let slot = table.sweepNext(); slot !== NIL; slot = table.sweepNext()) {
      this.#counters.timedOut++;
      events.push({
        ...this.#base(slot, table.deadlineMs(slot)),
        type: "timeout",
        stage: table.stage(slot),
        startMs: table.startMs(slot),
      });
      table.remove(slot);
    }
  }

  #evictOldest(now: number, events: EngineEvent[]): void {
    const table = this.#attempts;
    const oldest = table.oldest();
    if (oldest === NIL) return;
    this.#counters.evicted++;
    events.push({
      ...this.#base(oldest, now),
      type: "evicted",
      stage: table.stage(oldest),
      startMs: table.startMs(oldest),
    });
    table.remove(oldest);
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
