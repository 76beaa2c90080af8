/**
 * Running door commands (docs/knockd.md §3.1–3.2): start at OPEN SESAME, stop `cmd_timeout` seconds
 * later, through `/bin/sh -c`, never blocking detection; pending stop commands run at shutdown.
 *
 * Two clocks: `live` (real timers; the stop timer starts when the start command has finished, as in knockd)
 * and `replay` (pcap time: a stop is due `cmd_timeout` after the opening packet and runs once the replay
 * has passed that time, or at the end; commands run one after another in log order).
 *
 * Live, with a {@linkcode StopJournal}: each pending stop is on disk before its start command runs, its due
 * time is moved once the start command has finished, and it leaves the journal when the stop command has
 * run (whatever its status); {@linkcode CommandRunner.resume} runs a previous daemon's overdue stops at once
 * and schedules the others.
 *
 * Commands start through libc's `posix_spawn` (ffi/spawn.ts; `Deno.Command` only when it cannot be bound):
 * live with `standby`, in a shell started ahead of time (./standby.ts); when none is waiting (several
 * commands at once, replays), one program with plain words (core `plainArgv`) directly, as `sh -c` would
 * exec it; else `/bin/sh -c`. (The standby shell comes first: handing it a line and letting it exec on
 * another CPU was as fast or faster than the daemon's own posix_spawn of the program, see bench/latency.ts.)
 * Every command runs in its own process group and is killed (SIGTERM to the group, SIGKILL 2 s later) when
 * it runs longer than the command timeout. Live, at most `maxCommands` run at once; the others wait in
 * FIFO order (logged once per burst), none is dropped.
 *
 * @module
 */
import type { Door } from "../../core/config/types.ts";
import { doorCommands, DueQueue, plainArgv } from "../../core/serve/mod.ts";
import { partitionDue } from "../../core/serve/journal.ts";
import type { JournalRecord, StopJournal } from "./journal.ts";
import type { ServeLog } from "./logging.ts";
import { type ExitStatus, kill, SIGNAL, spawn, spawnAvailable } from "../../ffi/spawn.ts";
import { StandbyShell } from "./standby.ts";

/** Default per-command timeout, seconds. */
export const DEFAULT_COMMAND_TIMEOUT_S = 60;
/** Default limit on commands running at once. */
export const DEFAULT_MAX_COMMANDS = 32;
/** Time between SIGTERM and SIGKILL of a command that ran past its timeout. */
export const KILL_GRACE_MS = 2000;

/** The longest delay a timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@linkcode CommandRunner}. */
export interface CommandRunnerOptions {
  readonly clock: "live" | "replay";
  /** Log `running command` lines without running anything. */
  readonly dryRun: boolean;
  /** A command running longer is killed (default {@linkcode DEFAULT_COMMAND_TIMEOUT_S} s). */
  readonly commandTimeoutMs?: number | undefined;
  /** Live: most commands running at once, the others queue (default {@linkcode DEFAULT_MAX_COMMANDS}). */
  readonly maxCommands?: number | undefined;
  /**
   * Live: keep a standby shell waiting for the next command (./standby.ts), so an opening does not wait
   * for `/bin/sh` to start; {@linkcode CommandRunner.flush} ends it. Default `false`.
   */
  readonly standby?: boolean | undefined;
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
  /** Its journal entry (live, with a journal). */
  readonly record: JournalRecord | undefined;
}

/** Runs the commands of opened doors. */
export class CommandRunner {
  readonly #log: ServeLog;
  readonly #options: CommandRunnerOptions;
  readonly #timeoutMs: number;
  readonly #max: number;
  readonly #pending = new Set<PendingStop>();
  /** Replay clock: pending stops by due time (entries already fired at shutdown are skipped when popped). */
  readonly #due = new DueQueue<PendingStop>();
  readonly #running = new Set<Promise<void>>();
  /** Replay mode: commands run one after another. */
  #chain: Promise<void> = Promise.resolve();
  #journal: StopJournal | undefined;
  /** Live: commands running, and those waiting for a slot (FIFO). */
  #active = 0;
  readonly #queue: (() => void)[] = [];
  #queuedInBurst = 0;
  /** Live, with `standby`: the shell waiting for the next command. */
  readonly #standby: StandbyShell | undefined;

  constructor(log: ServeLog, options: CommandRunnerOptions) {
    this.#log = log;
    this.#options = options;
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_S * 1000;
    this.#max = Math.max(1, options.maxCommands ?? DEFAULT_MAX_COMMANDS);
    posixSpawn ??= spawnAvailable();
    const standby = options.standby === true && options.clock === "live" && !options.dryRun && posixSpawn;
    this.#standby = standby ? new StandbyShell() : undefined;
  }

  /** Live, with `standby`: starts the shell that waits for the first command (a failure is left to it). */
  warm(): void {
    try {
      this.#standby?.fill();
    } catch {
      // `sh -c` reports the failure when a command runs.
    }
  }

  /** Stop commands not yet run. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Live: commands waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Replay clock: the earliest due time of a pending stop command (`Infinity` when none, or live). */
  get nextDueMs(): number {
    if (this.#options.clock === "live") return Infinity;
    return this.#due.nextDue;
  }

  /**
   * Live: journals every pending stop from now on in `journal` (before any packet is read).
   *
   * @param journal The journal.
   */
  useJournal(journal: StopJournal): void {
    this.#journal = journal;
  }

  /**
   * Live: takes over the stops a previous daemon left in the journal (see {@linkcode useJournal}): overdue
   * ones run at once, the others are scheduled for their remaining time.
   *
   * @param entries The journal's entries as read at start-up.
   * @param nowMs The wall clock.
   */
  resume(entries: readonly JournalRecord[], nowMs: number = Date.now()): void {
    const { overdue, future } = partitionDue(entries, nowMs);
    for (const record of overdue) {
      this.#log.info(`${record.src}: ${record.door}: running overdue stop command from the journal`, {
        event: "journal-overdue",
        src: record.src,
        door: record.door,
      });
      this.#runStop(record.door, record.src, record.command, record, nowMs);
    }
    for (const record of future) {
      const pending: PendingStop = {
        door: record.door,
        src: record.src,
        stop: record.command,
        dueMs: record.dueMs,
        timer: undefined,
        started: Promise.resolve(),
        record,
      };
      this.#pending.add(pending);
      const inMs = record.dueMs - nowMs;
      this.#arm(pending);
      this.#log.info(
        `${record.src}: ${record.door}: stop command from the journal due in ${(inMs / 1000).toFixed(1)} s`,
        { event: "journal-scheduled", src: record.src, door: record.door },
      );
    }
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
    const cmdMs = Math.max(0, commands.cmdTimeout) * 1000;
    const live = this.#options.clock === "live";
    // Journaled first: the stop is on disk before the start command runs.
    const record = live && commands.stop !== undefined && this.#journal !== undefined
      ? this.#journal.add({ door: door.name, src, command: commands.stop, dueMs: Date.now() + cmdMs })
      : undefined;
    const start = commands.start;
    const started = record === undefined
      ? this.#run(door.name, start, timeMs)
      : this.#journal!.durable().then(() => this.#run(door.name, start, timeMs));
    if (commands.stop === undefined) return;
    const pending: PendingStop = {
      door: door.name,
      src,
      stop: commands.stop,
      dueMs: live ? Infinity : timeMs + cmdMs,
      timer: undefined,
      started,
      record,
    };
    this.#pending.add(pending);
    if (!live) this.#due.push(pending.dueMs, pending);
    if (live) {
      started.then(() => {
        if (!this.#pending.has(pending)) return;
        pending.dueMs = Date.now() + cmdMs;
        if (record !== undefined) this.#journal?.update(record, pending.dueMs);
        this.#arm(pending);
      });
    }
  }

  /** Live: fires `pending` at its due time (re-armed in steps: timers cannot wait more than 2^31-1 ms). */
  #arm(pending: PendingStop): void {
    const left = pending.dueMs - Date.now();
    pending.timer = setTimeout(
      () => left > MAX_TIMER_MS ? this.#arm(pending) : this.#fire(pending, Date.now()),
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
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
    this.#runStop(pending.door, pending.src, pending.stop, pending.record, timeMs);
  }

  /** Runs a stop command; its journal entry goes once it has run, whatever its status. */
  #runStop(
    door: string,
    src: string,
    command: string,
    record: JournalRecord | undefined,
    timeMs: number,
  ): void {
    const done = this.#run(door, command, timeMs);
    if (record === undefined) return;
    done.then(() => {
      this.#journal?.remove(record);
      this.#log.debug(`${src}: ${door}: stop command done, removed from the journal`, {
        event: "journal-removed",
        src,
        door,
      });
    });
  }

  /**
   * Runs every pending stop command now (shutdown), waiting at most `timeoutMs` for all commands (and the
   * journal's last write; an empty journal's file is removed).
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
      if (this.#standby !== undefined) await Promise.race([this.#standby.close(), deadline]);
      if (this.#journal !== undefined) await Promise.race([this.#journal.close(), deadline]);
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
    if (this.#options.dryRun || this.#options.clock === "replay") {
      this.#log.info(`${door}: running command: ${command}`, { event: "command", door, command }, timeMs);
    }
    if (this.#options.dryRun) return Promise.resolve();
    let done: Promise<void>;
    if (this.#options.clock === "replay") {
      done = this.#chain = this.#chain.then(() => this.#exec(door, command));
    } else {
      const run = async () => {
        this.#log.info(`${door}: running command: ${command}`, { event: "command", door, command }, timeMs);
        try {
          await this.#exec(door, command);
        } finally {
          this.#release();
        }
      };
      // With a free slot the command starts now, inside this frame batch (which may last up to the capture
      // loop's 20 ms drain under a flood), not after it; else it waits in line.
      if (this.#active < this.#max) {
        this.#active++;
        done = run();
      } else {
        done = this.#acquire().then(run);
      }
    }
    this.#running.add(done);
    done.finally(() => this.#running.delete(done));
    return done;
  }

  /** Live: waits for a command slot (FIFO). */
  #acquire(): Promise<void> {
    if (this.#active < this.#max) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#queuedInBurst === 0) {
      this.#log.warning(`command limit reached (${this.#max} running): queueing commands`, {
        event: "command-queue",
      });
    }
    this.#queuedInBurst++;
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next !== undefined) {
      next(); // the slot passes to the next command
      return;
    }
    this.#active--;
    if (this.#queuedInBurst > 0) {
      this.#log.info(`command queue drained: ${this.#queuedInBurst} commands waited for a slot`, {
        event: "command-queue-drained",
      });
      this.#queuedInBurst = 0;
    }
  }

  async #exec(door: string, command: string): Promise<void> {
    let child: ShellChild;
    try {
      child = this.#standby?.take(command) ?? startProgram(command) ?? startShell(command);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#log.error(`error: command fork failed! (${reason})`, { event: "command-error", door });
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => {
      this.#log.warning(
        `${door}: command ran longer than ${this.#timeoutMs / 1000} s, killing it: ${command}`,
        { event: "command-killed", door, command },
      );
      killGroup(pid, "SIGTERM");
      const hard = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
      Deno.unrefTimer(hard);
    }, this.#timeoutMs);
    let status: ExitStatus;
    try {
      status = await child.status;
    } catch (error) {
      // posix_spawn: the wait failed (its exit status was taken elsewhere); nothing is known of the status.
      const reason = error instanceof Error ? error.message : String(error);
      this.#log.error(`error: command status lost! (${reason})`, { event: "command-error", door });
      return;
    } finally {
      clearTimeout(timer);
    }
    if (!status.success) {
      const code = status.signal === null ? status.code ?? 0 : 128 + status.signal;
      this.#log.warning(`${door}: command returned non-zero status code (${code})`, {
        event: "command-status",
        door,
        code,
      });
    }
  }
}

/** A running `/bin/sh -c` command. */
export interface ShellChild {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
}

/** Whether libc's posix_spawn can be bound (checked once). */
let posixSpawn: boolean | undefined;

/**
 * Starts a command that is one program with plain words (core `plainArgv`) the way `sh -c` would run it,
 * without the shell: `PATH` search, the daemon's environment with `PWD` as dash exports it, stdin and stdout
 * from /dev/null, stderr inherited, its own process group. Saves starting `/bin/sh` when no standby shell
 * is waiting (bench/latency.ts's floor lines: `direct` against `sh -c`).
 *
 * @returns The child, or `undefined` when the command needs a shell, posix_spawn is not there, or the
 *   program cannot be started directly (not found, not executable, a script without `#!`): then the shell
 *   runs it and reports as knockd's `system()` does (`sh: 1: x: not found`, status 127).
 */
export function startProgram(command: string): ShellChild | undefined {
  posixSpawn ??= spawnAvailable();
  if (!posixSpawn) return undefined;
  const argv = plainArgv(command);
  if (argv === undefined) return undefined;
  try {
    return spawn(argv[0]!, argv.slice(1), {
      searchPath: true,
      env: shellEnvironment(),
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
      newProcessGroup: true,
    });
  } catch {
    return undefined;
  }
}

/**
 * The environment `/bin/sh` (dash) hands to what it runs: this process's variables whose names are shell
 * names (dash drops others, such as the `?` that `deno task` exports), with `PWD` exported (kept when it
 * names the working directory, else the working directory's path).
 */
export function shellEnvironment(): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)),
  );
  try {
    const cwd = Deno.cwd();
    const pwd = env.PWD;
    if (pwd === undefined || !pwd.startsWith("/") || !sameFile(pwd, cwd)) env.PWD = cwd;
  } catch {
    // no working directory (removed): dash exports none either
  }
  return env;
}

/** Whether two paths name the same file. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = Deno.statSync(a);
    const y = Deno.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Starts `/bin/sh -c command` in its own process group (so a timeout kills everything the command started),
 * stdin and stdout from /dev/null, stderr inherited: through libc's posix_spawn (a few ms faster than
 * `Deno.Command`, which forks the whole daemon to start a child in its own group), or `Deno.Command` when
 * posix_spawn cannot be bound.
 */
function startShell(command: string): ShellChild {
  posixSpawn ??= spawnAvailable();
  if (posixSpawn) {
    return spawn("/bin/sh", ["-c", command], {
      argv0: "sh", // as system() starts it: "$0" is "sh"
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
      newProcessGroup: true,
    });
  }
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", command],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
    detached: true,
  }).spawn();
  return {
    pid: child.pid,
    status: child.status.then((s) => ({
      success: s.success,
      code: s.signal === null ? s.code : null,
      signal: s.signal === null ? null : signalNumber(s.signal),
    })),
  };
}

/** Signals a command's process group (ignored when it is gone). */
function killGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    if (posixSpawn === true) kill(-pid, SIGNAL[signal]);
    else Deno.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `Deno.Command`'s signal names (fallback path), as numbers. */
function signalNumber(signal: string): number {
  return (SIGNAL as Record<string, number>)[signal] ?? 0;
}
