/**
 * The door commands of the serve daemon, as a pure state machine: start commands at an opening, stop
 * commands `cmd_timeout` seconds after the start command has finished (as knockd's `system()` then `sleep`),
 * a bound on commands running at once (the others wait in FIFO order, none dropped), the stop-command journal
 * (a pending stop is durable before its start command runs) and the shutdown and end-of-capture rules.
 *
 * Time is whatever the caller passes: the wall clock live, capture time in a replay. A command's own run time
 * is measured by the interpreter (it reports the exit), so in a replay, where the interpreter waits for each
 * command before the next packet, a command takes no capture time.
 *
 * Effects go into the `out` array each method is given ({@linkcode Effect}).
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { type DoorCommands, doorCommands } from "./commands.ts";
import {
  commandFailedMessage,
  commandLostMessage,
  commandOverdueMessage,
  commandStatusMessage,
  commandTimeoutMessage,
  earlyStopMessage,
  journalRemovedMessage,
  journalScheduledMessage,
  overdueStopMessage,
  queueDrainedMessage,
  queueFullMessage,
  runningCommandMessage,
} from "./command_messages.ts";
import { DueQueue } from "./due_queue.ts";
import { CommandStats } from "./metrics.ts";
import type { CommandOutcome, Effect } from "./effects.ts";
import type { JournalEntry } from "./journal.ts";
import type { LogEntry } from "./messages.ts";

/** Default per-command timeout, seconds. */
export const DEFAULT_COMMAND_TIMEOUT_S = 60;
/** Default limit on commands running at once. */
export const DEFAULT_MAX_COMMANDS = 32;
/** Time between SIGTERM and SIGKILL of a command that ran past its timeout. */
export const KILL_GRACE_MS = 2000;

/** Options of {@linkcode CommandScheduler}. */
export interface SchedulerOptions {
  /** Most commands running at once (default {@linkcode DEFAULT_MAX_COMMANDS}). */
  readonly maxCommands?: number | undefined;
  /** A command running longer is killed (default {@linkcode DEFAULT_COMMAND_TIMEOUT_S} s). */
  readonly commandTimeoutMs?: number | undefined;
  /** Log `running command` lines and run nothing (each command counts as finished at once, successfully). */
  readonly dryRun: boolean;
  /** Journal pending stops (`journal` effects; start commands wait for `journalDurable`). */
  readonly journal: boolean;
}

/** A stop command still to run. */
interface PendingStop {
  readonly id: number;
  readonly door: string;
  readonly src: string;
  readonly command: string;
  readonly cmdMs: number;
  /** Due time; `Infinity` until its start command has finished. */
  dueMs: number;
  /** Whether it is in the journal. */
  readonly journaled: boolean;
  /** Its start command is waiting for the journal to be durable. */
  awaitingDurable: boolean;
  /** The start command it waits for, while that one has not finished. */
  startJob: number | undefined;
  fired: boolean;
}

/** A command to run (queued or running). */
interface Job {
  readonly id: number;
  readonly door: string;
  readonly command: string;
  /** For a start command: the stop scheduled once it has finished. */
  readonly stopAfter: PendingStop | undefined;
  /** For a stop command: the pending stop it is (left in the journal until it has run). */
  readonly stopOf: PendingStop | undefined;
  /** When it was started (for its duration). */
  startedAt?: number;
}

/** Commands of opened doors, scheduled. */
export class CommandScheduler {
  readonly #max: number;
  readonly #timeoutMs: number;
  readonly #dryRun: boolean;
  readonly #journal: boolean;
  #nextId = 1;
  /** Pending stops by id. */
  readonly #pending = new Map<number, PendingStop>();
  /** Scheduled stops by due time (entries fired meanwhile are skipped when popped). */
  readonly #due = new DueQueue<PendingStop>();
  /** Start commands waiting for their stop's journal entry, by stop id. */
  readonly #awaiting = new Map<number, Job>();
  readonly #running = new Map<number, Job>();
  readonly #queue: Job[] = [];
  #queueHead = 0;
  #queuedInBurst = 0;
  /** After `shutdown`: every stop runs as soon as its start command has finished. */
  #shuttingDown = false;
  /** After `endOfCapture`: every stop runs at its due time, now. */
  #draining = false;
  /** Commands by door and result, and their durations. */
  readonly stats = new CommandStats();

  constructor(options: SchedulerOptions) {
    this.#max = Math.max(1, options.maxCommands ?? DEFAULT_MAX_COMMANDS);
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_S * 1000;
    this.#dryRun = options.dryRun;
    this.#journal = options.journal && !options.dryRun;
  }

  /** Stop commands not yet started. */
  get pending(): number {
    let n = 0;
    for (const stop of this.#pending.values()) if (!stop.fired) n++;
    return n;
  }

  /** Commands running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Commands waiting for a slot. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Nothing runs, waits or is pending. */
  get idle(): boolean {
    return this.#pending.size === 0 && this.#running.size === 0 && this.queued === 0 &&
      this.#awaiting.size === 0;
  }

  /**
   * The doors open now: every stop command not yet run, with its due time (`undefined` while its start
   * command runs or waits), in due order.
   */
  openDoors(): { readonly door: string; readonly src: string; readonly dueMs: number | undefined }[] {
    return [...this.#pending.values()].filter((p) => !p.fired).sort((a, b) => a.dueMs - b.dueMs).map((p) => ({
      door: p.door,
      src: p.src,
      dueMs: Number.isFinite(p.dueMs) ? p.dueMs : undefined,
    }));
  }

  /** The earliest due time of a scheduled stop command (`Infinity` when none). */
  get nextDeadline(): number {
    return this.#due.nextDue;
  }

  /**
   * An opening: runs the door's start command and schedules its stop command. With a journal, the stop is
   * journaled first and the start command waits for {@linkcode journalDurable}.
   *
   * @param door The door that opened.
   * @param src The knocking source (`%IP%`).
   * @param family Its address family.
   * @param now The time of the opening.
   * @param out Effects.
   */
  open(door: Door, src: string, family: 4 | 6, now: number, out: Effect[]): void {
    this.openCommands(door.name, src, doorCommands(door, family, src), now, out);
  }

  /**
   * An opening with its commands already chosen and substituted (a datagram door's, or a knockd door's
   * through {@linkcode open}).
   *
   * @param name The door's name.
   * @param src What was opened (the journal's source).
   * @param commands The commands.
   * @param now The time of the opening.
   * @param out Effects.
   */
  openCommands(name: string, src: string, commands: DoorCommands, now: number, out: Effect[]): void {
    if (commands.error !== undefined) {
      log(out, {
        level: "error",
        message: commands.error,
        fields: { event: "command-error", src, door: name },
      }, now);
      return;
    }
    if (commands.start === undefined) return;
    const cmdMs = Math.max(0, commands.cmdTimeout) * 1000;
    let stop: PendingStop | undefined;
    if (commands.stop !== undefined) {
      stop = {
        id: this.#nextId++,
        door: name,
        src,
        command: commands.stop,
        cmdMs,
        dueMs: Infinity,
        journaled: this.#journal,
        awaitingDurable: this.#journal,
        startJob: undefined,
        fired: false,
      };
      this.#pending.set(stop.id, stop);
    }
    const job: Job = {
      id: this.#nextId++,
      door: name,
      command: commands.start,
      stopAfter: stop,
      stopOf: undefined,
    };
    if (stop !== undefined) stop.startJob = job.id;
    if (stop !== undefined && stop.journaled) {
      const entry: JournalEntry = { door: name, src, command: stop.command, dueMs: now + cmdMs };
      out.push({ type: "journal", op: "add", id: stop.id, entry });
      this.#awaiting.set(stop.id, job);
      return;
    }
    this.#submit(job, now, out);
  }

  /**
   * The journal entry of stop `id` is on disk (or its write failed and was logged): its start command may run.
   *
   * @param id The stop's id (from the `add` effect).
   * @param now The time.
   * @param out Effects.
   */
  journalDurable(id: number, now: number, out: Effect[]): void {
    const job = this.#awaiting.get(id);
    if (job === undefined) return;
    this.#awaiting.delete(id);
    const stop = job.stopAfter;
    if (stop !== undefined) stop.awaitingDurable = false;
    this.#submit(job, now, out);
  }

  /**
   * Takes over the stops a previous daemon left in the journal: overdue ones run at once, the others are
   * scheduled for their due time. Call before any opening.
   *
   * @param entries The journal's entries, each with the id the interpreter gave it (ids must be positive
   *   and distinct; later stops get higher ids).
   * @param now The time.
   * @param out Effects.
   */
  resume(entries: readonly (JournalEntry & { readonly id: number })[], now: number, out: Effect[]): void {
    for (const e of entries) this.#nextId = Math.max(this.#nextId, e.id + 1);
    const stops = entries.map((e): PendingStop => ({
      id: e.id,
      door: e.door,
      src: e.src,
      command: e.command,
      cmdMs: 0,
      dueMs: e.dueMs,
      journaled: true,
      awaitingDurable: false,
      startJob: undefined,
      fired: false,
    }));
    for (const stop of stops) this.#pending.set(stop.id, stop);
    // Overdue ones first (they run now), then the others in file order.
    for (const stop of stops.filter((s) => s.dueMs <= now)) {
      log(out, overdueStopMessage(stop.src, stop.door), now);
      this.#fireNow(stop, now, out);
    }
    for (const stop of stops.filter((s) => s.dueMs > now)) {
      log(out, journalScheduledMessage(stop.src, stop.door, stop.dueMs - now), now);
      this.#due.push(stop.dueMs, stop);
    }
  }

  /**
   * A command ended.
   *
   * @param id The command's id (from its `run` effect).
   * @param outcome How it ended.
   * @param now The time.
   * @param out Effects.
   */
  exited(id: number, outcome: CommandOutcome, now: number, out: Effect[]): void {
    const job = this.#running.get(id);
    if (job === undefined) return;
    this.#running.delete(id);
    const result = outcome.kind === "exited" ? (outcome.code === 0 ? "ok" : "nonzero") : outcome.kind;
    this.stats.ended(job.door, result, outcome.kind === "failed" ? 0 : (now - (job.startedAt ?? now)) / 1000);
    switch (outcome.kind) {
      case "failed":
        log(out, commandFailedMessage(job.door, outcome.reason), now);
        break;
      case "lost":
        log(out, commandLostMessage(job.door, outcome.reason), now);
        break;
      case "exited":
        if (outcome.code !== 0) log(out, commandStatusMessage(job.door, outcome.code), now);
        break;
    }
    this.#finished(job, now, out);
    this.#release(now, out);
  }

  /**
   * A command runs past its timeout: the interpreter is killing it (logged).
   *
   * @param id The command's id.
   * @param now The time.
   * @param out Effects.
   */
  overdue(id: number, now: number, out: Effect[]): void {
    const job = this.#running.get(id);
    if (job === undefined) return;
    log(out, commandOverdueMessage(job.door, this.#timeoutMs, job.command), now);
  }

  /**
   * Runs the stop commands due at or before `now`, in due order, each logged at its due time.
   *
   * @param now The time.
   * @param out Effects.
   */
  tick(now: number, out: Effect[]): void {
    for (let stop = this.#due.popDue(now); stop !== undefined; stop = this.#due.popDue(now)) {
      if (stop.fired) continue;
      log(out, commandTimeoutMessage(stop.src, stop.door), stop.dueMs);
      this.#fireNow(stop, stop.dueMs, out);
    }
  }

  /**
   * Shutdown (SIGTERM): every pending stop runs now, or as soon as its start command has finished; queued
   * commands still run. The daemon is done once {@linkcode idle}.
   *
   * @param now The time.
   * @param out Effects.
   */
  shutdown(now: number, out: Effect[]): void {
    this.#shuttingDown = true;
    for (const stop of [...this.#pending.values()].sort((a, b) => a.dueMs - b.dueMs)) {
      if (stop.fired || stop.dueMs === Infinity) continue;
      log(out, earlyStopMessage(stop.src, stop.door), now);
      this.#fireNow(stop, now, out);
    }
  }

  /**
   * The end of a replayed capture: its end counts as every stop command's time having come; each runs,
   * in due order, logged at its due time (a stop whose start command has not finished runs once it has).
   *
   * @param out Effects.
   */
  endOfCapture(out: Effect[]): void {
    this.#draining = true;
    this.tick(Infinity, out);
  }

  /** Schedules a stop once its start command has finished. */
  #finished(job: Job, now: number, out: Effect[]): void {
    const stopOf = job.stopOf;
    if (stopOf !== undefined) {
      this.#pending.delete(stopOf.id);
      if (stopOf.journaled) {
        out.push({ type: "journal", op: "del", id: stopOf.id });
        log(out, journalRemovedMessage(stopOf.src, stopOf.door), now);
      }
    }
    const stop = job.stopAfter;
    if (stop === undefined || stop.fired) return;
    stop.startJob = undefined;
    stop.dueMs = now + stop.cmdMs;
    if (stop.journaled) out.push({ type: "journal", op: "due", id: stop.id, dueMs: stop.dueMs });
    if (this.#shuttingDown) {
      log(out, earlyStopMessage(stop.src, stop.door), now);
      this.#fireNow(stop, now, out);
    } else if (this.#draining) {
      log(out, commandTimeoutMessage(stop.src, stop.door), stop.dueMs);
      this.#fireNow(stop, stop.dueMs, out);
    } else {
      this.#due.push(stop.dueMs, stop);
    }
  }

  #fireNow(stop: PendingStop, now: number, out: Effect[]): void {
    stop.fired = true;
    this.#submit(
      { id: this.#nextId++, door: stop.door, command: stop.command, stopAfter: undefined, stopOf: stop },
      now,
      out,
    );
  }

  /** Starts `job` now if a slot is free, else queues it (FIFO). */
  #submit(job: Job, now: number, out: Effect[]): void {
    if (this.#running.size < this.#max && this.queued === 0) {
      this.#start(job, now, out);
      return;
    }
    if (this.#queuedInBurst === 0) log(out, queueFullMessage(this.#max), now);
    this.#queuedInBurst++;
    this.#queue.push(job);
  }

  #start(job: Job, now: number, out: Effect[]): void {
    log(out, runningCommandMessage(job.door, job.command), now);
    if (this.#dryRun) {
      this.#finished(job, now, out);
      return;
    }
    job.startedAt = now;
    this.#running.set(job.id, job);
    out.push({
      type: "run",
      id: job.id,
      door: job.door,
      command: job.command,
      timeoutMs: this.#timeoutMs,
      killGraceMs: KILL_GRACE_MS,
    });
  }

  /** A slot is free: the next queued command starts. */
  #release(now: number, out: Effect[]): void {
    while (this.#running.size < this.#max && this.queued > 0) {
      const next = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as unknown as Job;
      if (this.#queueHead === this.#queue.length) {
        this.#queue.length = 0;
        this.#queueHead = 0;
      }
      this.#start(next, now, out);
    }
    if (this.queued === 0 && this.#running.size < this.#max && this.#queuedInBurst > 0) {
      log(out, queueDrainedMessage(this.#queuedInBurst), now);
      this.#queuedInBurst = 0;
    }
  }
}

function log(out: Effect[], entry: LogEntry, timeMs: number): void {
  out.push({ type: "log", entry, timeMs });
}
