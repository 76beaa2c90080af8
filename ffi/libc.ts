/**
 * The few libc functions the capture loop needs: `poll` (run on a worker thread, so awaiting it does not
 * block the event loop), `__errno_location` and `strerror`.
 *
 * @module
 */

const LIBC_SYMBOLS = {
  /** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`, on a blocking-pool thread */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** `int *__errno_location(void)` */
  __errno_location: { parameters: [], result: "pointer" },
  /** `char *strerror(int errnum)` */
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

let cached: Libc | undefined;

/**
 * Loads `libc.so.6` once.
 *
 * @returns The libc symbols.
 */
export function loadLibc(): Libc {
  return cached ??= Deno.dlopen("libc.so.6", LIBC_SYMBOLS).symbols;
}

const POLLIN = 0x001;
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
export async function waitReadable(fd: number, timeoutMs: number): Promise<boolean> {
  // struct pollfd { int fd; short events; short revents; } — kept alive and untouched until poll returns.
  const pollfd = new Uint8Array(8);
  const view = new DataView(pollfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  const rc = await loadLibc().poll(pollfd, 1n, Math.trunc(timeoutMs));
  if (rc <= 0) return false;
  return (view.getInt16(6, true) & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) !== 0;
}
