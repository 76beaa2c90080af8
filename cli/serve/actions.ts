/**
 * Running door commands (knockd-reference §3.1–3.2): start at OPEN SESAME, stop `cmd_timeout` seconds
 * later, through `/bin/sh -c`, never blocking detection; pending stop commands run at shutdown.
 *
 * Two clocks: `live` (real timers; the stop timer starts when the start command has finished, as in knockd)
 * and `replay` (pcap time: a stop is due `cmd_timeout` after the opening packet and runs once the replay
 * has passed that time, or at the end; commands run one after another in log order).
 *
 * @module
 */
import type { Door } from "../../core/config/types.ts";
import { doorCommands, DueQueue } from "../../core/serve/mod.ts";
import type { ServeLog } from "./logging.ts";

/** Options of {@linkcode CommandRunner}. */
export interface CommandRunnerOptions {
  readonly clock: "live" | "replay";
  /** Log `running command` lines without running anything. */
  readonly dryRun: boolean;
}

interface PendingStop {
  readonly door: string;
  readonly src: string;
  readonly stop: string;
  /** Due time (replay: pcap ms; live: set once the start command finished). */
  dueMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the start command finished. */
  started: Promise<void>;
}

/** Runs the commands of opened doors. */
export class CommandRunner {
  readonly #log: ServeLog;
  readonly #options: CommandRunnerOptions;
  readonly #pending = new Set<PendingStop>();
  /** Replay clock: pending stops by due time (entries already fired at shutdown are skipped when popped). */
  readonly #due = new DueQueue<PendingStop>();
  readonly #running = new Set<Promise<void>>();
  /** Replay mode: commands run one after another. */
  #chain: Promise<void> = Promise.resolve();

  constructor(log: ServeLog, options: CommandRunnerOptions) {
    this.#log = log;
    this.#options = options;
  }

  /** Stop commands not yet run. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Replay clock: the earliest due time of a pending stop command (`Infinity` when none, or live). */
  get nextDueMs(): number {
    if (this.#options.clock === "live") return Infinity;
    return this.#due.nextDue;
  }

  /**
   * Handles an opening: runs the start command and schedules the stop command.
   *
   * @param door The door that opened.
   * @param src The knocking source (`%IP%`).
   * @param family Its address family.
   * @param timeMs The opening's engine time.
   */
  open(door: Door, src: string, family: 4 | 6, timeMs: number): void {
    const commands = doorCommands(door, family, src);
    if (commands.error !== undefined) {
      this.#log.error(commands.error, { event: "command-error", src, door: door.name }, timeMs);
      return;
    }
    if (commands.start === undefined) return;
    const started = this.#run(door.name, commands.start, timeMs);
    if (commands.stop === undefined) return;
    const cmdMs = Math.max(0, commands.cmdTimeout) * 1000;
    const pending: PendingStop = {
      door: door.name,
      src,
      stop: commands.stop,
      dueMs: this.#options.clock === "replay" ? timeMs + cmdMs : Infinity,
      timer: undefined,
      started,
    };
    this.#pending.add(pending);
    if (this.#options.clock === "replay") this.#due.push(pending.dueMs, pending);
    if (this.#options.clock === "live") {
      started.then(() => {
        if (!this.#pending.has(pending)) return;
        pending.dueMs = Date.now() + cmdMs;
        pending.timer = setTimeout(() => this.#fire(pending, Date.now()), cmdMs);
      });
    }
  }

  /** Replay clock: runs the stop commands due at or before `nowMs` (pcap time), in due order. */
  advance(nowMs: number): void {
    for (let p = this.#due.popDue(nowMs); p !== undefined; p = this.#due.popDue(nowMs)) {
      this.#fire(p, p.dueMs);
    }
  }

  #fire(pending: PendingStop, timeMs: number, early = false): void {
    if (!this.#pending.delete(pending)) return;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.#log.info(
      early
        ? `${pending.src}: ${pending.door}: shutting down before cmd_timeout, running the stop command now`
        : `${pending.src}: ${pending.door}: command timeout`,
      { event: early ? "command-early-stop" : "command-timeout", src: pending.src, door: pending.door },
      timeMs,
    );
    this.#run(pending.door, pending.stop, timeMs);
  }

  /**
   * Runs every pending stop command now (shutdown), waiting at most `timeoutMs` for all commands.
   *
   * @param timeoutMs Bound on the wait.
   * @param timeMs Log time (replay: the end of the capture).
   */
  async flush(timeoutMs: number, timeMs?: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      const pending = [...this.#pending];
      await Promise.race([Promise.all(pending.map((p) => p.started)), deadline]);
      // Replays: the end of the file counts as the stop commands' time having come (pcap clock).
      const replay = this.#options.clock === "replay";
      for (const p of pending.sort((a, b) => a.dueMs - b.dueMs)) {
        this.#fire(p, timeMs ?? (replay ? p.dueMs : Date.now()), !replay);
      }
      await Promise.race([this.idle(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Settles when every started command has finished. */
  async idle(): Promise<void> {
    await this.#chain;
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  #run(door: string, command: string, timeMs: number): Promise<void> {
    this.#log.info(`${door}: running command: ${command}`, { event: "command", door, command }, timeMs);
    if (this.#options.dryRun) return Promise.resolve();
    const exec = () => this.#exec(door, command);
    let done: Promise<void>;
    if (this.#options.clock === "replay") {
      done = this.#chain = this.#chain.then(exec);
    } else {
      done = exec();
    }
    this.#running.add(done);
    done.finally(() => this.#running.delete(done));
    return done;
  }

  async #exec(door: string, command: string): Promise<void> {
    try {
      const child = new Deno.Command("/bin/sh", {
        args: ["-c", command],
        stdin: "null",
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      const status = await child.status;
      if (!status.success) {
        const code = status.signal === null ? status.code : 128 + signalNumber(status.signal);
        this.#log.warning(`${door}: command returned non-zero status code (${code})`, {
          event: "command-status",
          door,
          code,
        });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#log.error(`error: command fork failed! (${reason})`, { event: "command-error", door });
    }
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

function signalNumber(signal: string): number {
  return SIGNALS[signal] ?? 0;
}
