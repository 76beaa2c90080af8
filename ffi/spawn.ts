/**
 * Starting processes through libc's `posix_spawn` (glibc runs it as `clone(CLONE_VFORK)`, so starting a
 * child costs the same however large the calling process is, unlike `fork`). Each child is waited for on a
 * worker thread (`wait.ts`); its pipe (`pipe.ts`), `kill` (`signal.ts`) and the error type are re-exported
 * here.
 *
 * A child gets every signal at its default disposition and an empty signal mask (Deno ignores SIGPIPE;
 * `/bin/sh` and the commands it runs must not inherit that), optionally leads its own process group, and
 * gets its standard streams from `/dev/null` or inherited. It gets no other descriptor of this process
 * (glibc's `posix_spawn_file_actions_addclosefrom_np`, 2.34 and later): only its standard streams and
 * {@linkcode SpawnOptions.inputFd}; libpcap opens its capture socket without close-on-exec, and a door
 * command (or anything it leaves running) must not hold it. With an older glibc, descriptors without
 * close-on-exec are inherited.
 *
 * @module
 */
import { type Libc, loadLibc } from "./_libc_symbols.ts";
import { cString, cStringArray } from "./_cstring.ts";
import { errno } from "./libc.ts";
import { type PipeInput, pipeInput } from "./pipe.ts";
import { check, spawnError } from "./spawn_error.ts";
import { type ExitStatus, waitFor } from "./wait.ts";

export { type PipeInput } from "./pipe.ts";
export { kill, SIGNAL } from "./signal.ts";
export { SpawnError } from "./spawn_error.ts";
export { decodeWaitStatus, type ExitStatus } from "./wait.ts";

/**
 * Whether {@linkcode spawn} can be used here (libc and its spawn functions can be bound).
 *
 * @returns `true` when they can.
 */
export function spawnAvailable(): boolean {
  try {
    loadLibc();
    return true;
  } catch {
    return false;
  }
}

/** `posix_spawnattr_t` is 336 bytes and `posix_spawn_file_actions_t` 80 on glibc x86_64: room to spare. */
const OPAQUE_BYTES = 512;
/** `sigset_t` is 128 bytes on glibc. */
const SIGSET_BYTES = 128;

const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;

/** Where a standard stream of the child comes from. */
export type SpawnStdio = "null" | "inherit";

/** Options of {@linkcode spawn}. */
export interface SpawnOptions {
  /** The environment (default: this process's, `Deno.env.toObject()`). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Default `"inherit"`. */
  readonly stdin?: SpawnStdio | undefined;
  /** Default `"inherit"`. */
  readonly stdout?: SpawnStdio | undefined;
  /** Default `"inherit"`. */
  readonly stderr?: SpawnStdio | undefined;
  /** The child leads a new process group (its pgid is its pid), so `kill(-pid, ...)` signals the group. */
  readonly newProcessGroup?: boolean | undefined;
  /**
   * Search `path` in the environment's `PATH` when it has no slash (`posix_spawnp`, as `execvp`; a program
   * found but not executable as a binary, such as a script without `#!`, fails with ENOEXEC). Default
   * `false`: `path` is used as it is.
   */
  readonly searchPath?: boolean | undefined;
  /** The child's argv[0] (default: `path`). */
  readonly argv0?: string | undefined;
  /**
   * A descriptor number at which the child gets the read end of a new pipe; the write end is
   * {@linkcode SpawnedProcess.input}. `0`: the pipe is the child's stdin (then leave `stdin` unset), else 3
   * or more. The child's descriptors above it (above 2 for `0`) are closed; use 0 or 3, since those from 3
   * up to it are not.
   */
  readonly inputFd?: number | undefined;
}

/** A started child. */
export interface SpawnedProcess {
  /** The child's process id (its process group id too, with {@linkcode SpawnOptions.newProcessGroup}). */
  readonly pid: number;
  /** Settles once the child has ended (rejects with a {@linkcode SpawnError} if its status was lost). */
  readonly status: Promise<ExitStatus>;
  /** The write end of the pipe at {@linkcode SpawnOptions.inputFd}, when one was asked for. */
  readonly input?: PipeInput;
}

/**
 * Starts `path` with `args` (argv[0] is `path` unless `options.argv0` is given) and waits for it on a worker
 * thread.
 *
 * @param path The program's path (searched in `PATH` only with `options.searchPath`).
 * @param args The arguments after argv[0].
 * @param options Environment, standard streams, process group.
 * @returns The child's pid and a promise of its exit status.
 * @throws {SpawnError} When `posix_spawn` fails (e.g. ENOENT for a missing `path`).
 * @throws {Error} When libc cannot be bound (see {@linkcode spawnAvailable}).
 */
export function spawn(path: string, args: readonly string[], options: SpawnOptions = {}): SpawnedProcess {
  const prepared = new PreparedSpawn(path, args, options);
  try {
    return prepared.start();
  } finally {
    prepared.close();
  }
}

/**
 * One command line made ready to start many times: its argv, environment (a snapshot, taken here) and
 * attributes are built once, so {@linkcode PreparedSpawn.start} allocates almost nothing (a whole
 * {@linkcode spawn} allocates tens of KiB of JavaScript heap, most of it the environment's strings: at every
 * start that is a young-generation garbage collection every few dozen starts, which on a small VM pauses
 * the daemon and slows a command's exec on the other CPU for milliseconds).
 */
export class PreparedSpawn {
  readonly #libc: Libc;
  readonly #path: string;
  readonly #options: SpawnOptions;
  /** Referenced while prepared: argv and envp point into them. */
  readonly #keep: Uint8Array[] = [];
  readonly #pathBytes: Uint8Array<ArrayBuffer>;
  readonly #argv: BigUint64Array<ArrayBuffer>;
  readonly #envp: BigUint64Array<ArrayBuffer>;
  readonly #devNull = cString("/dev/null");
  readonly #attr = new Uint8Array(OPAQUE_BYTES);
  readonly #actions = new Uint8Array(OPAQUE_BYTES);
  readonly #pidOut = new Int32Array(1);
  readonly #pipeFds = new Int32Array(2);
  #closed = false;

  /**
   * Builds the argv, environment and attributes of one command line.
   *
   * @param path The program's path (searched in `PATH` only with `options.searchPath`).
   * @param args The arguments after argv[0].
   * @param options Environment (default: this process's now), standard streams, process group.
   * @throws {RangeError} For a bad `inputFd`.
   * @throws {SpawnError} When the attributes cannot be set.
   * @throws {Error} When libc cannot be bound (see {@linkcode spawnAvailable}).
   */
  constructor(path: string, args: readonly string[], options: SpawnOptions = {}) {
    const inputFd = options.inputFd;
    if (inputFd !== undefined && !(Number.isInteger(inputFd) && (inputFd === 0 || inputFd >= 3))) {
      throw new RangeError(`inputFd must be 0 or an integer of 3 or more, not ${inputFd}`);
    }
    if (inputFd === 0 && options.stdin !== undefined) {
      throw new RangeError("inputFd 0 is the child's stdin: leave the stdin option unset");
    }
    const libc = this.#libc = loadLibc();
    this.#path = path;
    this.#options = options;
    this.#pathBytes = cString(path);
    this.#argv = cStringArray([options.argv0 ?? path, ...args], this.#keep);
    const env = options.env ?? Deno.env.toObject();
    this.#envp = cStringArray(Object.entries(env).map(([k, v]) => `${k}=${v}`), this.#keep);
    check("posix_spawnattr_init", libc.posix_spawnattr_init(this.#attr));
    try {
      let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
      if (options.newProcessGroup === true) {
        flags |= POSIX_SPAWN_SETPGROUP;
        check("posix_spawnattr_setpgroup", libc.posix_spawnattr_setpgroup(this.#attr, 0));
      }
      check("posix_spawnattr_setflags", libc.posix_spawnattr_setflags(this.#attr, flags));
      const sigDefault = new Uint8Array(SIGSET_BYTES);
      const sigMask = new Uint8Array(SIGSET_BYTES);
      libc.sigfillset(sigDefault);
      libc.sigemptyset(sigMask);
      check("posix_spawnattr_setsigdefault", libc.posix_spawnattr_setsigdefault(this.#attr, sigDefault));
      check("posix_spawnattr_setsigmask", libc.posix_spawnattr_setsigmask(this.#attr, sigMask));
    } catch (error) {
      libc.posix_spawnattr_destroy(this.#attr);
      throw error;
    }
  }

  /**
   * Starts one child.
   *
   * @returns The child's pid, a promise of its exit status, and the pipe's write end when asked for.
   * @throws {SpawnError} When `posix_spawn` fails (e.g. ENOENT for a missing program).
   * @throws {Error} After {@linkcode close}.
   */
  start(): SpawnedProcess {
    if (this.#closed) throw new Error("PreparedSpawn is closed");
    const libc = this.#libc;
    const options = this.#options;
    const actions = this.#actions;
    const inputFd = options.inputFd;
    const pipeFds = this.#pipeFds;
    // Both ends close on exec; posix_spawn's dup2 gives the child its own copy without the flag.
    if (inputFd !== undefined && libc.pipe2(pipeFds, O_CLOEXEC) !== 0) throw spawnError("pipe2", errno());
    let spawned = false;
    try {
      check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
      try {
        if (options.stdin === "null") this.#openNull(0, O_RDONLY);
        if (options.stdout === "null") this.#openNull(1, O_WRONLY);
        if (options.stderr === "null") this.#openNull(2, O_WRONLY);
        if (inputFd !== undefined) {
          check(
            "posix_spawn_file_actions_adddup2",
            libc.posix_spawn_file_actions_adddup2(actions, pipeFds[0]!, inputFd),
          );
        }
        // Nothing else of ours: after the dup2 above (its source is above inputFd, or above 2 for 0, or
        // closed here too).
        const closeFrom = libc.posix_spawn_file_actions_addclosefrom_np;
        if (closeFrom !== null) {
          check(
            "posix_spawn_file_actions_addclosefrom_np",
            closeFrom(actions, Math.max(inputFd ?? 2, 2) + 1),
          );
        }
        // posix_spawn returns the error number itself (it does not set errno).
        const call = options.searchPath === true ? "posix_spawnp" : "posix_spawn";
        const rc = libc[call](this.#pidOut, this.#pathBytes, actions, this.#attr, this.#argv, this.#envp);
        if (rc !== 0) throw spawnError(call, rc, this.#path);
        spawned = true;
      } finally {
        libc.posix_spawn_file_actions_destroy(actions);
      }
    } finally {
      if (inputFd !== undefined) {
        libc.close(pipeFds[0]!); // the child has its copy
        if (!spawned) libc.close(pipeFds[1]!);
      }
    }
    const pid = this.#pidOut[0]!;
    const status = waitFor(pid);
    return inputFd === undefined ? { pid, status } : { pid, status, input: pipeInput(pipeFds[1]!) };
  }

  /** Frees the attributes; {@linkcode start} cannot be called after. Closing twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#libc.posix_spawnattr_destroy(this.#attr);
    this.#keep.length = 0;
  }

  #openNull(fd: number, oflag: number): void {
    check(
      "posix_spawn_file_actions_addopen",
      this.#libc.posix_spawn_file_actions_addopen(this.#actions, fd, this.#devNull, oflag, 0),
    );
  }
}
