/**
 * errno and its text, and waiting for a descriptor with `poll` on a worker thread (so awaiting it does not
 * block the event loop).
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";

const POLLIN = 0x001;
const POLLOUT = 0x004;
const POLLERR = 0x008;
const POLLHUP = 0x010;
const POLLNVAL = 0x020;

/**
 * The calling thread's `errno`. Only meaningful right after a synchronous libc call on this thread; the errno
 * of a `nonblocking` call (such as `poll` here) is lost on its worker thread.
 *
 * @returns The errno value.
 */
export function errno(): number {
  const ptr = loadLibc().__errno_location();
  return ptr === null ? 0 : new Deno.UnsafePointerView(ptr).getInt32();
}

/**
 * The text of an errno value (`strerror`).
 *
 * @param code An errno value.
 * @returns The message, e.g. `No such file or directory`.
 */
export function strerror(code: number): string {
  const ptr = loadLibc().strerror(code);
  return ptr === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(ptr);
}

/**
 * Waits until `fd` is readable (`poll` with POLLIN) without blocking the event loop.
 *
 * A failed `poll` (-1, e.g. EINTR on the worker thread, whose errno is not observable) counts as "not
 * readable"; callers loop anyway. Error conditions on the descriptor (POLLERR, POLLHUP, POLLNVAL) count as
 * readable so that the next read reports the error.
 *
 * @param fd The file descriptor.
 * @param timeoutMs Maximum wait in milliseconds (-1 = forever; avoid, an abort cannot interrupt it).
 * @returns `true` when readable, `false` on timeout.
 */
export function waitReadable(fd: number, timeoutMs: number): Promise<boolean> {
  return pollOne(fd, POLLIN, timeoutMs);
}

/**
 * Waits until `fd` is writable (`poll` with POLLOUT) without blocking the event loop, e.g. for a
 * non-blocking `connect` to finish. As with {@linkcode waitReadable}, a failed `poll` counts as "not
 * writable" and an error condition on the descriptor as writable (read `SO_ERROR` next).
 *
 * @param fd The file descriptor.
 * @param timeoutMs Maximum wait in milliseconds (-1 = forever; avoid, an abort cannot interrupt it).
 * @returns `true` when writable, `false` on timeout.
 */
export function waitWritable(fd: number, timeoutMs: number): Promise<boolean> {
  return pollOne(fd, POLLOUT, timeoutMs);
}

async function pollOne(fd: number, events: number, timeoutMs: number): Promise<boolean> {
  // struct pollfd { int fd; short events; short revents; } — kept alive and untouched until poll returns.
  const pollfd = new Uint8Array(8);
  const view = new DataView(pollfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  const rc = await loadLibc().poll(pollfd, 1n, Math.trunc(timeoutMs));
  if (rc <= 0) return false;
  return (view.getInt16(6, true) & (events | POLLERR | POLLHUP | POLLNVAL)) !== 0;
}
