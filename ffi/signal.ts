/**
 * Signals to processes and process groups (`kill`).
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { errno } from "./libc.ts";
import { spawnError } from "./spawn_error.ts";

/** Signal numbers (Linux). */
export const SIGNAL = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
} as const;

/**
 * Sends `signal` to a process, or to a process group when `pid` is negative.
 *
 * @param pid The pid (`-pgid` for a group).
 * @param signal The signal number (see {@linkcode SIGNAL}).
 * @throws {SpawnError} When `kill` fails (ESRCH: no such process or group).
 */
export function kill(pid: number, signal: number): void {
  if (loadLibc().kill(pid, signal) !== 0) throw spawnError("kill", errno(), String(pid));
}
