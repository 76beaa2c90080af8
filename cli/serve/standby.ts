/**
 * A standby shell for door commands: one `/bin/sh -s` started ahead of time (through posix_spawn, in its own
 * process group, stdout on /dev/null, stderr inherited) that waits for one command line on its stdin, a pipe
 * (core/serve/standby.ts; the line puts stdin back on /dev/null before the command). Taking it costs one
 * `write`; the next one is started after the command is on its way, off the knock-to-command path. When the daemon ends, however it ends, the pipe
 * closes and a waiting shell exits without running anything.
 *
 * @module
 */
import { STANDBY_ARGS, standbyLine } from "../../core/serve/standby.ts";
import { type ExitStatus, PreparedSpawn, type SpawnedProcess, type SpawnOptions } from "../../ffi/spawn.ts";

/** A command started in a standby shell: its pid leads its process group. */
export interface StandbyChild {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
}

/** How a standby shell is started (replaceable in tests). */
export type StandbySpawn = (path: string, args: readonly string[]) => SpawnedProcess;

/**
 * The standby shells' command line, prepared at the first start and kept for the process (its environment is
 * this process's then): each refill then allocates next to nothing, which keeps garbage collections away from
 * openings (see {@linkcode PreparedSpawn}). {@linkcode StandbyShell.fill} always passes the same command line.
 */
let prepared: PreparedSpawn | undefined;

/** How standby shells are started: argv[0] `sh`, stdin the pipe, stdout /dev/null, a process group each. */
export const STANDBY_SPAWN_OPTIONS = {
  argv0: "sh",
  stdout: "null",
  stderr: "inherit",
  newProcessGroup: true,
  inputFd: 0,
} as const satisfies SpawnOptions;

const spawnShell: StandbySpawn = (path, args) => {
  prepared ??= new PreparedSpawn(path, args, STANDBY_SPAWN_OPTIONS);
  return prepared.start();
};

const encoder = new TextEncoder();

interface Waiting {
  readonly child: SpawnedProcess;
  /** Set once the shell ended while waiting (killed by someone, or closed). */
  ended: boolean;
}

/** Keeps one shell waiting for a command. */
export class StandbyShell {
  readonly #spawn: StandbySpawn;
  #waiting: Waiting | undefined;
  /** Shells that ended without a command (their statuses are awaited by {@linkcode close}). */
  readonly #retired = new Set<Promise<unknown>>();
  #refill: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** @param spawnFn Starts `/bin/sh -s` with the pipe as its stdin ({@linkcode STANDBY_SPAWN_OPTIONS}). */
  constructor(spawnFn: StandbySpawn = spawnShell) {
    this.#spawn = spawnFn;
  }

  /** Whether a shell is waiting. */
  get ready(): boolean {
    return this.#waiting !== undefined && !this.#waiting.ended;
  }

  /**
   * Starts a shell if none is waiting (at once; {@linkcode take} schedules its own refill).
   *
   * @throws {SpawnError} When `/bin/sh` cannot be started.
   */
  fill(): void {
    if (this.#closed || this.ready) return;
    this.#retire();
    const child = this.#spawn("/bin/sh", STANDBY_ARGS);
    const waiting: Waiting = { child, ended: false };
    // Observed for the whole life of the shell; a taken shell's status is the command's.
    child.status.then(() => waiting.ended = true, () => waiting.ended = true);
    this.#waiting = waiting;
  }

  /**
   * Hands `command` to the waiting shell.
   *
   * @param command The command, `%IP%` substituted.
   * @returns The running command, or `undefined` when no shell is waiting or the command cannot be sent
   *   (then start it with `sh -c`).
   */
  take(command: string): StandbyChild | undefined {
    const waiting = this.#waiting;
    const line = standbyLine(command);
    if (line === undefined) return undefined;
    if (waiting === undefined || waiting.ended) {
      this.#scheduleFill(); // e.g. the waiting shell was killed: the next command gets a new one
      return undefined;
    }
    this.#waiting = undefined;
    const input = waiting.child.input!;
    try {
      input.write(encoder.encode(line));
    } catch {
      // EPIPE: the shell is gone (its status is collected on close).
      this.#keep(waiting.child);
      this.#scheduleFill();
      return undefined;
    } finally {
      input.close();
    }
    this.#scheduleFill();
    return { pid: waiting.child.pid, status: waiting.child.status };
  }

  /** Ends the waiting shell (it reads end-of-file and exits) and waits for every unused shell to end. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#refill !== undefined) clearTimeout(this.#refill);
    this.#retire();
    await Promise.all([...this.#retired]);
  }

  #retire(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    waiting.child.input?.close();
    this.#keep(waiting.child);
  }

  /** Tracks an unused shell until it has ended. */
  #keep(child: SpawnedProcess): void {
    const ended: Promise<unknown> = child.status.catch(() => {}).finally(() => this.#retired.delete(ended));
    this.#retired.add(ended);
  }

  /** The next shell starts once the current task is over (starting one blocks for about a millisecond). */
  #scheduleFill(): void {
    if (this.#closed || this.#refill !== undefined) return;
    this.#refill = setTimeout(() => {
      this.#refill = undefined;
      try {
        this.fill();
      } catch {
        // No shell now: commands start with `sh -c` (which reports the failure) until one starts.
      }
    }, 0);
  }
}
