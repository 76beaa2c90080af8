/**
 * Starting and waiting for processes through libc's `posix_spawn` (glibc runs it as `clone(CLONE_VFORK)`,
 * so starting a child costs the same however large the calling process is, unlike `fork`), `waitpid`
 * (bound `nonblocking`: it waits on a worker thread) and `kill`.
 *
 * A child gets every signal at its default disposition and an empty signal mask (Deno ignores SIGPIPE;
 * `/bin/sh` and the commands it runs must not inherit that), optionally leads its own process group, and
 * gets its standard streams from `/dev/null` or inherited. It gets no other descriptor of this process
 * (glibc's `posix_spawn_file_actions_addclosefrom_np`, 2.34 and later): only its standard streams and
 * {@linkcode SpawnOptions.inputFd}; libpcap opens its capture socket without close-on-exec, and a door
 * command (or anything it leaves running) must not hold it. With an older glibc, descriptors without
 * close-on-exec are inherited.
 *
 * `waitpid` asks for one pid only, so it never takes the exit status of a child started by `Deno.Command`,
 * and Deno's reaper (which also waits per pid) never takes ours.
 *
 * @module
 */
import { errno, loadLibc, strerror } from "./libc.ts";

const SPAWN_SYMBOLS = {
  /** `int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
   *  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])` */
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** The same, `path` searched in `PATH` when it has no slash (as `execvp`) */
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)` */
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setpgroup: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawn_file_actions_addopen(fa, int fd, const char *path, int oflag, mode_t mode)` */
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  /** `int posix_spawn_file_actions_adddup2(fa, int fd, int newfd)` */
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  /** `int posix_spawn_file_actions_addclosefrom_np(fa, int from)` (glibc 2.34+) */
  posix_spawn_file_actions_addclosefrom_np: { parameters: ["buffer", "i32"], result: "i32", optional: true },
  /** `int pipe2(int fds[2], int flags)` */
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  /** `ssize_t write(int fd, const void *buf, size_t n)` */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  /**
   * `int ioctl(int fd, unsigned long request, ...)`, called with one `int *` (FIONREAD only): declared with
   * that argument, which Linux's x86-64 and arm64 calling conventions pass as they would a variadic one.
   */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  sigfillset: { parameters: ["buffer"], result: "i32" },
  /** `pid_t waitpid(pid_t pid, int *status, int options)`, on a blocking-pool thread */
  waitpid_blocking: {
    name: "waitpid",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** The same, on this thread (with WNOHANG, so that errno can be read) */
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
} as const;

type SpawnLib = Deno.DynamicLibrary<typeof SPAWN_SYMBOLS>["symbols"];

let cached: SpawnLib | undefined;

/**
 * Binds the spawn functions of `libc.so.6` once.
 *
 * @returns The symbols.
 * @throws {Error} When libc or a symbol cannot be bound (no `--allow-ffi`, not glibc, ...).
 */
function lib(): SpawnLib {
  if (cached === undefined) {
    loadLibc(); // errno() must not dlopen between a failed call and its errno read
    cached = Deno.dlopen("libc.so.6", SPAWN_SYMBOLS).symbols;
  }
  return cached;
}

/**
 * Whether {@linkcode spawn} can be used here (libc and its spawn functions can be bound).
 *
 * @returns `true` when they can.
 */
export function spawnAvailable(): boolean {
  try {
    lib();
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
const WNOHANG = 1;
const EINTR = 4;
const EBADF = 9;

/** Signal numbers (Linux). */
export const SIGNAL = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
} as const;

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

/** The parent's end of a pipe to a child (a blocking descriptor, closed on exec). */
export interface PipeInput {
  /**
   * Writes all of `bytes` (blocking while the pipe is full: keep writes within its 64 KiB).
   *
   * @throws {SpawnError} When `write` fails (EPIPE: the child has closed its end or ended).
   */
  write(bytes: Uint8Array): void;
  /**
   * How many bytes written are still in the pipe, not yet read by the child (`FIONREAD`).
   *
   * @returns The count; 0 once closed, or when the kernel does not tell (callers take 0 as "all read").
   */
  unread(): number;
  /** Closes the write end (the child reads end-of-file); closing twice does nothing. */
  close(): void;
}

/** How a child ended. */
export interface ExitStatus {
  /** Exited with status 0. */
  readonly success: boolean;
  /** The exit status, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: number | null;
}

/** A started child. */
export interface SpawnedProcess {
  /** The child's process id. */
  readonly pid: number;
  /** Settles once the child has ended (rejects with a {@linkcode SpawnError} if its status was lost). */
  readonly status: Promise<ExitStatus>;
  /** The write end of the pipe at {@linkcode SpawnOptions.inputFd}, when one was asked for. */
  readonly input?: PipeInput;
}

/** A failed libc process call. */
export class SpawnError extends Error {
  /** The libc function that failed (`posix_spawn`, `waitpid`, `kill`, ...). */
  readonly syscall: string;
  /** The error number. */
  readonly errno: number;

  /** Builds the error; `message` is the whole human-readable text. */
  constructor(message: string, syscall: string, errno: number) {
    super(message);
    this.name = "SpawnError";
    this.syscall = syscall;
    this.errno = errno;
  }
}

function spawnError(syscall: string, code: number, what?: string): SpawnError {
  const subject = what === undefined ? syscall : `${syscall} "${what}"`;
  return new SpawnError(`${subject} failed: ${strerror(code)}`, syscall, code);
}

const encoder = new TextEncoder();

/** A NUL-terminated copy of `text`. */
function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(text).length + 1);
  encoder.encodeInto(text, bytes);
  return bytes;
}

/** A NULL-terminated `char *[]` of `strings`; every buffer goes to `keep`, which must outlive the call. */
function pointerArray(strings: readonly string[], keep: Uint8Array[]): BigUint64Array<ArrayBuffer> {
  const array = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => {
    const bytes = cString(s);
    keep.push(bytes);
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  });
  return array;
}

/**
 * Decodes a `waitpid` status word (WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG).
 *
 * @param raw The status word.
 * @returns The exit status.
 */
export function decodeWaitStatus(raw: number): ExitStatus {
  const low = raw & 0x7f;
  if (low === 0) {
    const code = (raw >> 8) & 0xff;
    return { success: code === 0, code, signal: null };
  }
  return { success: false, code: null, signal: low };
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
  readonly #libc: SpawnLib;
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
   * Builds the argv, the environment snapshot and the spawn attributes of one command line.
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
    const libc = this.#libc = lib();
    this.#path = path;
    this.#options = options;
    this.#pathBytes = cString(path);
    this.#argv = pointerArray([options.argv0 ?? path, ...args], this.#keep);
    const env = options.env ?? Deno.env.toObject();
    this.#envp = pointerArray(Object.entries(env).map(([k, v]) => `${k}=${v}`), this.#keep);
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
    const status = waitFor(libc, pid);
    return inputFd === undefined ? { pid, status } : { pid, status, input: pipeInput(libc, pipeFds[1]!) };
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

/** `<asm-generic/ioctls.h>`: bytes waiting in a pipe (asked at either end). */
const FIONREAD = 0x541bn;

/** The parent's side of a pipe: `fd` is its write end. */
function pipeInput(libc: SpawnLib, fd: number): PipeInput {
  let open = true;
  return {
    write(bytes: Uint8Array): void {
      if (!open) throw spawnError("write", EBADF);
      let offset = 0;
      while (offset < bytes.length) {
        const n = Number(libc.write(fd, bytes.subarray(offset), BigInt(bytes.length - offset)));
        if (n < 0) {
          const code = errno();
          if (code === EINTR) continue;
          throw spawnError("write", code);
        }
        offset += n;
      }
    },
    unread(): number {
      if (!open) return 0;
      const count = new Int32Array(1);
      return libc.ioctl(fd, FIONREAD, new Uint8Array(count.buffer)) === 0 ? count[0]! : 0;
    },
    close(): void {
      if (!open) return;
      open = false;
      libc.close(fd);
    },
  };
}

/** The posix_spawn* helpers return an error number (0 on success). */
function check(syscall: string, rc: number): void {
  if (rc !== 0) throw spawnError(syscall, rc);
}

/** Waits for `pid` on a worker thread; a failure there (errno unreadable) is looked at again here. */
async function waitFor(libc: SpawnLib, pid: number): Promise<ExitStatus> {
  // Referenced until the wait settles: the worker thread writes into it.
  const status = new Int32Array(1);
  for (;;) {
    const rc = await libc.waitpid_blocking(pid, status, 0);
    if (rc === pid) return decodeWaitStatus(status[0]!);
    const now = libc.waitpid(pid, status, WNOHANG);
    if (now === pid) return decodeWaitStatus(status[0]!);
    if (now === -1) {
      const code = errno();
      if (code !== EINTR) throw spawnError("waitpid", code, String(pid));
    }
    // 0 (still running) or EINTR: wait again.
  }
}

/**
 * Sends `signal` to a process, or to a process group when `pid` is negative.
 *
 * @param pid The pid (`-pgid` for a group).
 * @param signal The signal number (see {@linkcode SIGNAL}).
 * @throws {SpawnError} When `kill` fails (ESRCH: no such process or group).
 */
export function kill(pid: number, signal: number): void {
  if (lib().kill(pid, signal) !== 0) throw spawnError("kill", errno(), String(pid));
}
