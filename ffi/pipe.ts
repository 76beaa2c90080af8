/**
 * The parent's end of a pipe to a child (`write`, `ioctl(FIONREAD)`, `close`).
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { errno } from "./libc.ts";
import { spawnError } from "./spawn_error.ts";

const EINTR = 4;
const EBADF = 9;
/** `<asm-generic/ioctls.h>`: bytes waiting in a pipe (asked at either end). */
const FIONREAD = 0x541bn;

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

/**
 * The parent's side of a pipe, which owns `fd` from now on.
 *
 * @param fd The pipe's write end.
 * @returns Its writer.
 */
export function pipeInput(fd: number): PipeInput {
  const libc = loadLibc();
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
