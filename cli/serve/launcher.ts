/**
 * How door commands are started: as knockd's `system()` runs them, by `/bin/sh` (`$0` is `sh`, stdin and
 * stdout on /dev/null, stderr inherited), each in its own process group so that a timeout kills everything
 * the command started. Through libc's `posix_spawn` (ffi/spawn.ts), `Deno.Command` only where it cannot be
 * bound. With the latency tuning's standby shell (./standby.ts, ./tuning.ts) a shell started ahead of time
 * takes the command, so an opening writes one line to a pipe instead of starting a shell; when none is
 * waiting (a second opening in the same moment), `sh -c` starts.
 *
 * @module
 */
import { type ExitStatus, kill, SIGNAL, spawn, spawnAvailable } from "../../ffi/mod.ts";
import { startProgram } from "./program.ts";
import { NO_PLACEMENT, SAME_CPU_PLACEMENT, StandbyShell } from "./standby.ts";

/** A started command: its pid leads its process group. */
export interface LaunchedCommand {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
}

/** Starts door commands. */
export interface Launcher {
  /**
   * Starts `command`.
   *
   * @throws {Error} When no shell could be started (the daemon logs knockd's `command fork failed!`).
   */
  start(command: string): LaunchedCommand;
  /** Signals a command's process group (ignored when it is gone). */
  killGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void;
  /** Prepares for the first command (starts the standby shell). */
  warm(): void;
  /** Ends what it keeps ready (the standby shell); commands already started go on. */
  close(): Promise<void>;
}

/** Options of {@linkcode createLauncher}. */
export interface LauncherOptions {
  /** Keep a standby shell waiting for the next command. */
  readonly standby: boolean;
  /** Wake the standby shell on the daemon's CPU (./standby.ts `SAME_CPU_PLACEMENT`). */
  readonly pinShell: boolean;
  /** When no standby shell waits, start a command that is one program with plain words without a shell. */
  readonly directSpawn: boolean;
}

/** Whether libc's posix_spawn can be bound (checked once). */
let posixSpawn: boolean | undefined;

/** The launcher for live commands. */
export function createLauncher(options: LauncherOptions): Launcher {
  posixSpawn ??= spawnAvailable();
  const standby = options.standby && posixSpawn
    ? new StandbyShell(undefined, options.pinShell ? SAME_CPU_PLACEMENT : NO_PLACEMENT)
    : undefined;
  return {
    start: (command) =>
      standby?.take(command) ?? (options.directSpawn ? startProgram(command) : undefined) ??
        startShell(command),
    killGroup,
    warm() {
      try {
        standby?.fill();
      } catch {
        // `sh -c` reports the failure when a command runs.
      }
    },
    close: async () => await standby?.close(),
  };
}

/**
 * Starts `/bin/sh -c command` in its own process group: through libc's posix_spawn (a few ms faster than
 * `Deno.Command`, which forks the whole daemon to start a child in its own group), or `Deno.Command` when
 * posix_spawn cannot be bound.
 *
 * @param command The command.
 * @returns The running shell.
 */
export function startShell(command: string): LaunchedCommand {
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
      signal: s.signal === null ? null : (SIGNAL as Record<string, number>)[s.signal] ?? 0,
    })),
  };
}

/** Signals a command's process group (ignored when it is gone). */
export function killGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    if (posixSpawn === true) kill(-pid, SIGNAL[signal]);
    else Deno.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A shell's exit status as the daemon reports it: 0, the exit code, or 128 + the signal. */
export function exitCode(status: ExitStatus): number {
  if (status.success) return 0;
  return status.signal === null ? status.code ?? 0 : 128 + status.signal;
}
