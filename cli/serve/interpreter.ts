/**
 * The effect interpreter of `serve`: carries out the daemon core's {@linkcode Effect}s through the platform
 * (./platform.ts) and feeds what happens back in (command exits and overruns, journal durability, file
 * rewrites, host names). Effects run in the order the core gave them; what one causes at once (a filter
 * refused, a file rewritten) is carried out before the next.
 * Capture filters and one-time-sequence rewrites caused by a frame wait until the current capture batch is
 * done (never from inside libpcap's dispatch): live on their own (a microtask), in a replay when the reader
 * says so; any other input's are carried out in order with the rest (so a filter is in place before the
 * `starting up` line that follows it).
 *
 * @module
 */
import { markOneTimeSequenceUsed } from "../../core/config/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import { addElementsCommand, nftSetName } from "../../core/nft/mod.ts";
import type {
  Effect,
  JournalEffect,
  NftEffect,
  OtpEffect,
  RunEffect,
  ServeDaemon,
} from "../../core/serve/mod.ts";
import { nftErrorLine } from "../nftables.ts";
import { osReason } from "../runtime.ts";
import type { JournalRecord, StopJournal } from "./journal.ts";
import { exitCode, type Launcher } from "./launcher.ts";
import type { LoggingOptions, ServeLog } from "./logging.ts";
import type { ServePlatform } from "./platform.ts";

/** Where a capture filter goes. */
export interface FilterTarget {
  setFilter(expression: string): void;
}

/** Options of {@linkcode EffectInterpreter}. */
export interface InterpreterOptions {
  readonly daemon: ServeDaemon;
  readonly platform: ServePlatform;
  readonly log: ServeLog;
  /** The logging options the log was configured with (a reload changes the logfile and syslog only). */
  readonly logOptions: LoggingOptions;
  readonly launcher: Launcher;
  /** The stop-command journal (live, not dry runs). */
  readonly journal?: StopJournal | undefined;
  /** The journal's entries at start, by the ids the daemon got them with. */
  readonly journalRecords?: ReadonlyMap<number, JournalRecord> | undefined;
  /** The captures, by the daemon's capture index. */
  readonly captures: readonly FilterTarget[];
  /** The daemon's time for inputs that are not frames: the wall clock live, the last capture time in a replay. */
  readonly clock: () => number;
  /** Apply deferred effects by themselves (a microtask) rather than at {@linkcode EffectInterpreter.flushDeferred}. */
  readonly autoFlush: boolean;
  /** Called after every input fed to the daemon (live: the next deadline may have moved). */
  readonly onInput?: (() => void) | undefined;
}

/** Carries out effects. */
export class EffectInterpreter {
  readonly #o: InterpreterOptions;
  readonly #deferred:
    (OtpEffect | { readonly type: "filter"; readonly capture: number; readonly expression: string })[] = [];
  #flushScheduled = false;
  /** Running commands by id. */
  readonly #running = new Set<number>();
  readonly #records = new Map<number, JournalRecord>();
  /** Journal entries not yet reported durable. */
  #durablePending = 0;
  #waiters: (() => void)[] = [];

  constructor(options: InterpreterOptions) {
    this.#o = options;
    for (const [id, record] of options.journalRecords ?? []) this.#records.set(id, record);
  }

  /** Commands running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Carries out `effects` (and what they cause) in order. */
  apply(effects: readonly Effect[]): void {
    this.#apply(effects, false);
  }

  /**
   * Carries out the effects of a frame, inside libpcap's dispatch: filters and file rewrites wait for
   * {@linkcode flushDeferred}.
   */
  applyFromCapture(effects: readonly Effect[]): void {
    this.#apply(effects, true);
  }

  #inCapture = false;
  /** How deep effects are being carried out (what an effect causes is carried out at once, nested). */
  #depth = 0;

  #apply(effects: readonly Effect[], inCapture: boolean): void {
    if (effects.length === 0) return;
    const outer = this.#depth === 0;
    if (outer) this.#inCapture = inCapture;
    this.#depth++;
    try {
      for (const e of effects) this.#do(e);
    } finally {
      this.#depth--;
      if (outer) this.#inCapture = false;
    }
    if (outer) this.#settle();
  }

  /** Gives the daemon an input and carries out its effects. */
  feed(input: (daemon: ServeDaemon) => readonly Effect[]): void {
    this.apply(input(this.#o.daemon));
    this.#o.onInput?.();
  }

  /**
   * Applies the deferred effects now: each capture's latest filter, then the one-time-sequence rewrites (whose
   * outcome may install a newer filter at once).
   */
  flushDeferred(): void {
    this.#flushScheduled = false;
    while (this.#deferred.length > 0) {
      const batch = this.#deferred.splice(0);
      const filters = new Map<number, string>();
      for (const e of batch) if (e.type === "filter") filters.set(e.capture, e.expression);
      for (const [capture, expression] of filters) this.#setFilter(capture, expression);
      for (const e of batch) if (e.type === "otp") this.#rewriteOtp(e);
    }
    this.#settle();
  }

  /** Whether nothing is in flight: no command runs, no journal write is awaited, nothing is deferred. */
  get idle(): boolean {
    return this.#running.size === 0 && this.#durablePending === 0 && this.#deferred.length === 0 &&
      this.#depth === 0;
  }

  /** Settles once {@linkcode idle}. */
  settled(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #settle(): void {
    if (!this.idle || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #do(e: Effect): void {
    switch (e.type) {
      case "log":
        this.#o.log.entry(e.entry, e.timeMs);
        return;
      case "run":
        this.#run(e);
        return;
      case "journal":
        this.#journal(e);
        return;
      case "filter":
      case "otp":
        if (!this.#inCapture) {
          if (e.type === "otp") {
            this.#rewriteOtp(e);
          } else {
            // Newer than any still deferred for that capture.
            const stale = this.#deferred.filter((d) => d.type === "filter" && d.capture === e.capture);
            for (const d of stale) this.#deferred.splice(this.#deferred.indexOf(d), 1);
            this.#setFilter(e.capture, e.expression);
          }
          return;
        }
        this.#deferred.push(e);
        if (this.#o.autoFlush && !this.#flushScheduled) {
          this.#flushScheduled = true;
          this.#o.platform.defer(() => this.flushDeferred());
        }
        return;
      case "log-config":
        this.#o.log.reconfigure({ ...this.#o.logOptions, logFile: e.logFile, syslog: e.syslog });
        return;
      case "state":
        try {
          this.#o.platform.writeFileAtomic(e.path, e.text);
        } catch (error) {
          this.#o.log.entry({
            level: "error",
            message: `could not write replay state ${e.path}: ${
              osReason(error)
            } (replays are refused until a restart)`,
            fields: { event: "state-error" },
          }, this.#o.clock());
        }
        return;
      case "nft":
        this.#nft(e);
        return;
      case "lookup":
        this.#o.platform.reverseLookup(e.address).then((name) =>
          this.feed((d) => d.resolved(e.address, name, this.#o.clock()))
        );
        return;
    }
  }

  /** Adds the elements in-process, at once (a netlink exchange: no process, nothing to wait for). */
  #nft(e: NftEffect): void {
    let reason: string | undefined;
    try {
      const result = this.#o.platform.nftables().run(addElementsCommand(e, e.elements, e.timeoutMs));
      if (!result.ok) reason = nftErrorLine(result.error);
    } catch (error) {
      reason = errorMessage(error);
    }
    if (reason === undefined) return;
    this.#o.log.entry({
      level: "error",
      message: `${e.door}: nft: could not add ${e.elements.join(", ")} to ${nftSetName(e)}: ${reason}`,
      fields: { event: "nft-error", door: e.door },
    }, this.#o.clock());
  }

  #run(e: RunEffect): void {
    const { platform, launcher } = this.#o;
    let child;
    try {
      child = launcher.start(e.command);
    } catch (error) {
      // Reported after the effects already queued, as an exit would be.
      this.#running.add(e.id);
      platform.defer(() => this.#exited(e.id, { kind: "failed", reason: errorMessage(error) }));
      return;
    }
    this.#running.add(e.id);
    const pid = child.pid;
    const cancel = platform.after(e.timeoutMs, () => {
      this.feed((d) => d.commandOverdue(e.id, this.#o.clock()));
      launcher.killGroup(pid, "SIGTERM");
      platform.after(e.killGraceMs, () => launcher.killGroup(pid, "SIGKILL"), { unref: true });
    });
    child.status.then(
      (status) => {
        cancel();
        this.#exited(e.id, { kind: "exited", code: exitCode(status) });
      },
      (error) => {
        // posix_spawn: the wait failed (its exit status was taken elsewhere); nothing is known of the status.
        cancel();
        this.#exited(e.id, { kind: "lost", reason: errorMessage(error) });
      },
    );
  }

  #exited(id: number, outcome: Parameters<ServeDaemon["commandExited"]>[1]): void {
    this.#running.delete(id);
    this.feed((d) => d.commandExited(id, outcome, this.#o.clock()));
    this.#settle();
  }

  #journal(e: JournalEffect): void {
    const journal = this.#o.journal;
    if (e.op === "add") {
      this.#durablePending++;
      const durable = () => {
        this.#durablePending--;
        this.feed((d) => d.journalDurable(e.id, this.#o.clock()));
        this.#settle();
      };
      if (journal === undefined) {
        this.#o.platform.defer(durable);
        return;
      }
      this.#records.set(e.id, journal.add(e.entry));
      journal.durable().then(durable);
      return;
    }
    if (journal === undefined) return;
    switch (e.op) {
      case "due": {
        const record = this.#records.get(e.id);
        if (record !== undefined) journal.update(record, e.dueMs);
        return;
      }
      case "del": {
        const record = this.#records.get(e.id);
        if (record === undefined) return;
        this.#records.delete(e.id);
        journal.remove(record);
        return;
      }
    }
  }

  #setFilter(capture: number, expression: string): void {
    const target = this.#o.captures[capture];
    if (target === undefined) return;
    try {
      target.setFilter(expression);
    } catch (error) {
      this.feed((d) => d.filterFailed(capture, errorMessage(error), this.#o.clock()));
    }
  }

  /** Marks the used line (the file is read again: an administrator may have edited it) and reports the text. */
  #rewriteOtp(e: OtpEffect): void {
    const { platform } = this.#o;
    let text: string;
    try {
      text = platform.readText(e.path);
    } catch (error) {
      this.feed((d) =>
        d.otpRewritten(e.door, { ok: false, stage: "read", reason: osReason(error) }, this.#o.clock())
      );
      return;
    }
    const marked = markOneTimeSequenceUsed(text, e.line);
    if (marked !== text) {
      try {
        platform.writeFileAtomic(e.path, marked);
      } catch (error) {
        this.feed((d) =>
          d.otpRewritten(e.door, { ok: false, stage: "write", reason: osReason(error) }, this.#o.clock())
        );
        return;
      }
    }
    this.feed((d) => d.otpRewritten(e.door, { ok: true, text: marked }, this.#o.clock()));
  }
}

/** Settles once the daemon is idle (every command and stop done), or nothing in flight can make it so. */
export async function untilIdle(daemon: ServeDaemon, interpreter: EffectInterpreter): Promise<void> {
  while (!daemon.idle) {
    await interpreter.settled();
    if (!daemon.idle && interpreter.idle) return;
  }
}

/** The longest delay a timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One timer for the daemon's next deadline: re-armed only when the deadline moves earlier. */
export class Ticker {
  readonly #daemon: ServeDaemon;
  readonly #platform: ServePlatform;
  readonly #tick: (now: number) => void;
  #at = Infinity;
  #cancel: (() => void) | undefined;
  #stopped = false;

  /**
   * @param daemon The daemon whose deadline it follows.
   * @param platform The timers and clock.
   * @param tick Feeds `tick(now)` to the daemon.
   */
  constructor(daemon: ServeDaemon, platform: ServePlatform, tick: (now: number) => void) {
    this.#daemon = daemon;
    this.#platform = platform;
    this.#tick = tick;
  }

  /** Arms the timer for the daemon's deadline if that is earlier than the one armed. */
  schedule(): void {
    if (this.#stopped) return;
    const deadline = this.#daemon.nextDeadline();
    if (deadline >= this.#at) return;
    this.#cancel?.();
    this.#at = deadline;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, deadline - this.#platform.now()) + 1);
    this.#cancel = this.#platform.after(wait, () => {
      this.#cancel = undefined;
      this.#at = Infinity;
      this.#tick(this.#platform.now());
      this.schedule();
    });
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
