/**
 * The typed error of the process bindings (`spawn.ts`, `pipe.ts`, `wait.ts`, `signal.ts`).
 *
 * @module
 */
import { strerror } from "./libc.ts";

/** A failed libc process call. */
export class SpawnError extends Error {
  /** The libc function that failed (`posix_spawn`, `waitpid`, `kill`, ...). */
  readonly syscall: string;
  /** The error number. */
  readonly errno: number;

  /**
   * Builds the error.
   *
   * @param message The whole human-readable text.
   * @param syscall The libc function that failed.
   * @param errno The error number.
   */
  constructor(message: string, syscall: string, errno: number) {
    super(message);
    this.name = "SpawnError";
    this.syscall = syscall;
    this.errno = errno;
  }
}

/**
 * The {@linkcode SpawnError} of `syscall` failing with `code`: `SYSCALL failed: TEXT`, or
 * `SYSCALL "WHAT" failed: TEXT`.
 *
 * @param syscall The libc function.
 * @param code The error number.
 * @param what What it was called on (a path, a pid).
 * @returns The error.
 */
export function spawnError(syscall: string, code: number, what?: string): SpawnError {
  const subject = what === undefined ? syscall : `${syscall} "${what}"`;
  return new SpawnError(`${subject} failed: ${strerror(code)}`, syscall, code);
}

/**
 * Throws for a non-zero result of the `posix_spawn*` helpers, which return an error number (0 on success).
 *
 * @param syscall The helper called.
 * @param rc Its result.
 * @throws {SpawnError} When `rc` is not 0.
 */
export function check(syscall: string, rc: number): void {
  if (rc !== 0) throw spawnError(syscall, rc);
}
