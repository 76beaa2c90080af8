/**
 * Plain-data types of the knock-detection engine: its options, the events it
 * returns and its counters.
 *
 * @module
 */
import type { Protocol } from "../config/types.ts";

/** One knock as a door expects it or as a packet delivered it. */
export interface KnockTarget {
  /** `tcp` or `udp`. */
  readonly protocol: Protocol;
  /** The port. */
  readonly port: number;
}

/** Fields every engine event carries. */
export interface EventBase {
  /** Source address in canonical text form, as the decoder produced it. */
  readonly src: string;
  /** Address family of the attempt (selects `Start_Command` or `Start_Command_6`). */
  readonly family: 4 | 6;
  /** Index of the door in the list given to the engine (names may repeat, indexes do not). */
  readonly door: number;
  /** The door's name, for log lines (`<ip>: <name>: Stage N`). */
  readonly name: string;
  /** Engine time of the event in milliseconds (for a timeout: the exact deadline). */
  readonly timeMs: number;
}

/** A knock matched the next step: knockd's `<ip>: <door>: Stage N`. */
export interface StageEvent extends EventBase {
  /** The kind of event. */
  readonly type: "stage";
  /** Number of steps matched so far, 1-based, as knockd logs it. */
  readonly stage: number;
  /** Length of the door's sequence. */
  readonly of: number;
}

/** The whole sequence matched: knockd's `<ip>: <door>: OPEN SESAME`. */
export interface OpenEvent extends EventBase {
  /** The kind of event. */
  readonly type: "open";
  /** Destination address the final knock was sent to. */
  readonly dst: string;
}

/** The window from the first knock ran out: knockd's `<ip>: <door>: sequence timeout (stage N)`. */
export interface TimeoutEvent extends EventBase {
  /** The kind of event. */
  readonly type: "timeout";
  /** Steps matched before the window closed. */
  readonly stage: number;
  /** Time of the attempt's first knock. */
  readonly startMs: number;
}

/** Why an attempt was invalidated. */
export type FailReason =
  /** The knock had the expected protocol but another port. */
  | "wrong-port"
  /** The knock had another protocol than the expected step. */
  | "wrong-protocol"
  /**
   * A strict door (`Strict = yes`): a TCP SYN (ACK clear) or UDP datagram to a port that is not the
   * expected step, possibly one that no door uses (knockd would not even see it).
   */
  | "strict";

/** A visible knock did not match the next step; knockd drops such attempts silently. */
export interface FailEvent extends EventBase {
  /** The kind of event. */
  readonly type: "fail";
  /** Why the knock did not match. */
  readonly reason: FailReason;
  /** Steps matched before the wrong knock. */
  readonly stage: number;
  /** The step the attempt was waiting for. */
  readonly expected: KnockTarget;
  /** What arrived instead. */
  readonly got: KnockTarget & { readonly flags: number };
}

/** A TCP knock repeated a packet the attempt already counted (same ports and sequence number); it was ignored. */
export interface RetransmissionEvent extends EventBase {
  /** The kind of event. */
  readonly type: "retransmission";
  /** Steps matched so far (unchanged). */
  readonly stage: number;
  /** Destination port of the repeated packet. */
  readonly port: number;
  /** Source port of the repeated packet. */
  readonly sport: number;
}

/**
 * A new packet (another source port or sequence number) to the step the attempt counted last, less than
 * {@linkcode REPEAT_WINDOW_MS} after it, where the sequence's next step is another one: a client's retry
 * (nmap's second probe to a port that did not answer, a client reconnecting), ignored. Strict doors fail
 * the attempt instead.
 */
export interface RepeatEvent extends EventBase {
  /** The event's kind. */
  readonly type: "repeat";
  /** Steps matched so far (unchanged). */
  readonly stage: number;
  /** The step repeated: the last one counted. */
  readonly step: KnockTarget;
  /** Source port of the repeat (0 for UDP without one). */
  readonly sport: number;
  /** Milliseconds since the knock that counted the step. */
  readonly sinceMs: number;
}

/**
 * How long after a step was counted a new packet to that same step is taken for a client's retry and
 * ignored ({@linkcode RepeatEvent}), unless the next step is that port again: 2000 ms. It covers nmap's
 * second probe to a silent port (its probe timeout starts at 1 s and falls to 100 ms on a LAN; 1.25 s at
 * most with `-T4`), hping3's one-second default interval and a client reconnecting after a one-second
 * connect timeout, and stays short of a person deliberately starting over (which restarts the window).
 */
export const REPEAT_WINDOW_MS = 2000;

/** The attempt table was full; the oldest attempt was dropped to make room. */
export interface EvictedEvent extends EventBase {
  /** The kind of event. */
  readonly type: "evicted";
  /** Steps the evicted attempt had matched. */
  readonly stage: number;
  /** Time of the evicted attempt's first knock. */
  readonly startMs: number;
}

/**
 * A door with a `Cooldown` completed for a source within the cool-down of its last opening: it was not
 * opened again (no `open` event). Reported once per cool-down and (source, door); later refusals in the
 * same cool-down are only counted.
 */
export interface CooldownEvent extends EventBase {
  /** The kind of event. */
  readonly type: "cooldown";
  /** Milliseconds until the door may open again for this source. */
  readonly remainingMs: number;
  /** Destination address of the knock that completed the sequence. */
  readonly dst: string;
}

/** An attempt was dropped by `replaceDoors` because its door changed or disappeared. */
export interface DroppedEvent extends EventBase {
  /** The kind of event. */
  readonly type: "dropped";
  /** Why: the doors were replaced (a reload). */
  readonly reason: "reload";
  /** Steps the dropped attempt had matched. */
  readonly stage: number;
}

/** Everything the engine reports; the daemon turns these into log lines and commands. */
export type EngineEvent =
  | StageEvent
  | OpenEvent
  | TimeoutEvent
  | FailEvent
  | RetransmissionEvent
  | RepeatEvent
  | EvictedEvent
  | DroppedEvent
  | CooldownEvent;

/** Options of {@linkcode createEngine}. */
export interface EngineOptions {
  /**
   * Most attempts (source × door pairs in progress) kept at once. When a new
   * attempt would exceed it, the oldest one is evicted and counted. Default
   * {@linkcode DEFAULT_MAX_ATTEMPTS}.
   */
  readonly maxAttempts?: number;
  /**
   * Whether a destination address is one of this host's addresses, for doors
   * without `Target`. Takes precedence over `localAddresses`. When neither is
   * given every destination counts as local (the capture filter already
   * restricted them).
   */
  readonly isLocal?: (dst: string) => boolean;
  /** The host's addresses in canonical text form; used when `isLocal` is absent. */
  readonly localAddresses?: Iterable<string>;
  /**
   * Most cool-down entries ((source, door) pairs opened within their door's `Cooldown`) kept at once.
   * When full, the oldest entry is dropped (that source may open the door again early) and counted.
   * Default {@linkcode DEFAULT_MAX_COOLDOWNS}.
   */
  readonly maxCooldowns?: number;
}

/** Default cap on cool-down entries. */
export const DEFAULT_MAX_COOLDOWNS = 100_000;

/** Counters of knocktool's own door directives (`Strict`, `Cooldown`); `cooldowns` is a current value. */
export interface ExtensionStats {
  /** Attempts failed by a strict door (also counted in `EngineStats.failed`). */
  readonly strictFailures: number;
  /** Cool-down entries held now. */
  readonly cooldowns: number;
  /** The configured cap on cool-down entries. */
  readonly maxCooldowns: number;
  /** Openings refused because of a cool-down. */
  readonly cooldownRefused: number;
  /** Cool-down entries dropped early because the table was full. */
  readonly cooldownEvicted: number;
}

/** Default cap on attempts in progress. */
export const DEFAULT_MAX_ATTEMPTS = 1_000_000;

/** Counters since the engine was created (`attempts` and `sources` are current values). */
export interface EngineStats {
  /** Attempts in progress now. */
  readonly attempts: number;
  /** Distinct sources with at least one attempt in progress now. */
  readonly sources: number;
  /** The configured cap. */
  readonly maxAttempts: number;
  /** Packets given to `observe`. */
  readonly packets: number;
  /** Packets that knockd's capture filter would not have passed (no door step matches them). */
  readonly invisible: number;
  /** Attempts started (including single-step doors that opened at once). */
  readonly started: number;
  /** Steps matched (one per `stage` event). */
  readonly stages: number;
  /** Sequences completed (one per `open` event). */
  readonly opened: number;
  /** Attempts invalidated by a wrong knock (one per `fail` event). */
  readonly failed: number;
  /** Attempts whose window ran out (one per `timeout` event). */
  readonly timedOut: number;
  /** Attempts dropped because the table was full. */
  readonly evicted: number;
  /** Attempts dropped by `replaceDoors`. */
  readonly dropped: number;
  /** TCP knocks ignored as retransmissions. */
  readonly retransmissions: number;
  /** Knocks ignored as a client's repeat of the step just counted ({@linkcode RepeatEvent}). */
  readonly repeats: number;
  /** TCP knocks ignored by an attempt because their flags did not match its door. */
  readonly flagMismatches: number;
}
