/**
 * Waiting for a child with `waitpid` (bound `nonblocking`: it waits on a worker thread), and the status
 * word it returns.
 *
 * `waitpid` asks for one pid only, so it never takes the exit status of a child started by `Deno.Command`,
 * and Deno's reaper (which also waits per pid) never takes ours.
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { errno } from "./libc.ts";
import { spawnError } from "./spawn_error.ts";

const WNOHANG = 1;
const EINTR = 4;

/** How a child ended. */
export interface ExitStatus {
  /** Exited with status 0. */
  readonly success: boolean;
  /** The exit status, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: number | null;
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
 * Waits for `pid` on a worker thread; a failure there (errno unreadable) is looked at again here.
 *
 * @param pid A child of this process.
 * @returns Its exit status, once it has ended.
 * @throws {SpawnError} When its status was lost (`waitpid` failed with another error than EINTR).
 */
export async function waitFor(pid: number): Promise<ExitStatus> {
  const libc = loadLibc();
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
