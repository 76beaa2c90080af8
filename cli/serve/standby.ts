/**
 * A standby shell for door commands: one `/bin/sh -s` started ahead of time (through posix_spawn, in its own
 * process group, stdout on /dev/null, stderr inherited) that waits for one command line on its stdin, a pipe
 * (core/serve/standby.ts; the line puts stdin back on /dev/null before the command). Taking it costs one
 * `write`; the next one is started after the command is on its way, off the knock-to-command path. When the
 * daemon ends, however it ends, the pipe closes and a waiting shell exits without running anything.
 *
 * The shell is woken on the CPU the daemon's thread is on ({@linkcode ShellPlacement}): for the `write` only,
 * its CPU mask is that one CPU, then its own again. Woken across CPUs, the command's start waited for an
 * inter-processor interrupt and the other CPU; on the 2-vCPU VM of bench/latency.ts, those wake-ups were
 * where most of the slow openings stalled.
 *
 * @module
 */
import { STANDBY_ARGS, standbyLine } from "../../core/serve/standby.ts";
import { type ExitStatus, PreparedSpawn, type SpawnedProcess, type SpawnOptions } from "../../ffi/spawn.ts";
import { cpuMask, currentCpu, getAffinity, setAffinity } from "../../ffi/sched.ts";

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

/**
 * Where a standby shell is woken (replaceable in tests): {@linkcode pin} right before the command's line is
 * written, and what it returns right after, in the same turn of the event loop, so the shell is woken
 * (placed on a CPU) while pinned and runs with its own CPUs again. The daemon's thread goes on running after
 * its `write` until it blocks (the scheduler runs a woken task to parity, not at once), so the shell is
 * given its CPUs back before it has run, almost always: when it has read its line already (it ran first,
 * on a busy machine), the processes it started that still have the one CPU get theirs back too, at once and
 * 50 ms later.
 */
export interface ShellPlacement {
  /**
   * Keeps the sleeping shell `pid` (a process group leader) to the CPU the calling thread is on.
   *
   * @returns What gives the shell its own CPUs back, given a test of whether it has run meanwhile (asked
   *   after its own mask is back), or `undefined` when the shell was left as it was.
   */
  pin(pid: number): ((hasRun: () => boolean) => void) | undefined;
}

/** Leaves the shell where the kernel wakes it. */
export const NO_PLACEMENT: ShellPlacement = { pin: () => undefined };

/** Whether two CPU masks are the same. */
function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Gives thread `tid` the mask `own` if it still has `pinned` (a mask it set itself is left alone). */
function unpin(tid: number, pinned: Uint8Array, own: Uint8Array): void {
  const now = getAffinity(tid);
  if (now !== undefined && sameMask(now, pinned)) setAffinity(tid, own);
}

/**
 * {@linkcode unpin} for every thread of `pid` and of the live processes it started, and theirs (their own
 * groups or sessions included), walking `/proc/<pid>/task/<tid>/children` (a kernel built without
 * `CONFIG_PROC_CHILDREN` lists none: then the shell alone). A process whose parent ended meanwhile is not found.
 */
function unpinTree(pid: number, pinned: Uint8Array, own: Uint8Array): void {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    const dir = `/proc/${found[i]}/task`;
    let tasks: Deno.DirEntry[];
    try {
      tasks = [...Deno.readDirSync(dir)];
    } catch {
      continue; // ended meanwhile
    }
    for (const task of tasks) {
      unpin(Number(task.name), pinned, own);
      try {
        for (const child of Deno.readTextFileSync(`${dir}/${task.name}/children`).split(" ")) {
          if (child !== "") found.push(Number(child));
        }
      } catch {
        // ended meanwhile, or no children files
      }
    }
  }
}

/**
 * Pins to the calling thread's CPU when the shell may run on more than one CPU, that one among them; its own
 * mask, read right before, is what it gets back.
 */
export const SAME_CPU_PLACEMENT: ShellPlacement = {
  pin(pid) {
    const own = getAffinity(pid);
    const cpu = currentCpu();
    if (own === undefined || cpu < 0 || (own[cpu >> 3]! & (1 << (cpu & 7))) === 0) return undefined;
    const pinned = cpuMask(cpu);
    if (sameMask(own, pinned) || setAffinity(pid, pinned) !== 0) return undefined; // one CPU: nothing to pin
    return (hasRun) => {
      unpin(pid, pinned, own);
      if (!hasRun()) return;
      unpinTree(pid, pinned, own);
      Deno.unrefTimer(setTimeout(() => unpinTree(pid, pinned, own), 50));
    };
  },
};

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
  readonly #placement: ShellPlacement;

  /**
   * @param spawnFn Starts `/bin/sh -s` with the pipe as its stdin ({@linkcode STANDBY_SPAWN_OPTIONS}).
   * @param placement Where a taken shell is woken: by default on the CPU of the thread that calls
   *   {@linkcode take} ({@linkcode NO_PLACEMENT}: where the kernel chooses).
   */
  constructor(spawnFn: StandbySpawn = spawnShell, placement?: ShellPlacement) {
    this.#spawn = spawnFn;
    this.#placement = placement ?? SAME_CPU_PLACEMENT;
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
    const bytes = encoder.encode(line);
    const release = this.#placement.pin(waiting.child.pid);
    try {
      input.write(bytes);
    } catch {
      // EPIPE: the shell is gone (its status is collected on close).
      this.#keep(waiting.child);
      this.#scheduleFill();
      return undefined;
    } finally {
      release?.(() => input.unread() < bytes.length);
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
