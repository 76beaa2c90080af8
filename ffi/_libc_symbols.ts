/**
 * The one libc symbol table of knocktool, and its loader: every module of `ffi/` that calls libc takes its
 * functions from {@linkcode loadLibc}, so `libc.so.6` is opened once, lazily, with one `Deno.dlopen`.
 *
 * One library handle also keeps `errno` readable: a `dlopen` between a failed call and the read of its
 * `errno` (a module binding its own table on first use) could overwrite it.
 *
 * Every symbol is in glibc 2.9 and later except `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34),
 * which is `optional`: on an older glibc it is `null` and {@linkcode loadLibc} still succeeds. A missing
 * symbol that is not optional makes the whole load fail (the error names the symbol).
 *
 * @module
 */

/** The libc functions knocktool uses, with their C signatures, grouped by the module that calls them. */
export const LIBC_SYMBOLS = {
  // errno and waiting on descriptors (libc.ts)
  /** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`, on a blocking-pool thread */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** `int *__errno_location(void)` */
  __errno_location: { parameters: [], result: "pointer" },
  /** `char *strerror(int errnum)` */
  strerror: { parameters: ["i32"], result: "pointer" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },

  // processes (spawn.ts, pipe.ts, wait.ts, signal.ts)
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
  /** `int posix_spawnattr_init(posix_spawnattr_t *attr)` */
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawnattr_destroy(posix_spawnattr_t *attr)` */
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)` */
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  /** `int posix_spawnattr_setpgroup(posix_spawnattr_t *attr, pid_t pgroup)` */
  posix_spawnattr_setpgroup: { parameters: ["buffer", "i32"], result: "i32" },
  /** `int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault)` */
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask)` */
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)` */
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)` */
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /** `int posix_spawn_file_actions_addopen(fa, int fd, const char *path, int oflag, mode_t mode)` */
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  /** `int posix_spawn_file_actions_adddup2(fa, int fd, int newfd)` */
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  /** `int posix_spawn_file_actions_addclosefrom_np(fa, int from)`: glibc 2.34+, `null` before */
  posix_spawn_file_actions_addclosefrom_np: { parameters: ["buffer", "i32"], result: "i32", optional: true },
  /** `int sigemptyset(sigset_t *set)` */
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  /** `int sigfillset(sigset_t *set)` */
  sigfillset: { parameters: ["buffer"], result: "i32" },
  /** `int pipe2(int fds[2], int flags)` */
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  /** `ssize_t write(int fd, const void *buf, size_t n)` */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /**
   * `int ioctl(int fd, unsigned long request, ...)`, called with one `int *` (FIONREAD only): declared with
   * that argument, which Linux's x86-64 and arm64 calling conventions pass as they would a variadic one.
   */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  /** `pid_t waitpid(pid_t pid, int *status, int options)`, on a blocking-pool thread */
  waitpid_blocking: {
    name: "waitpid",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** The same, on this thread (with WNOHANG, so that errno can be read) */
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** `int kill(pid_t pid, int sig)` */
  kill: { parameters: ["i32", "i32"], result: "i32" },

  // scheduling (sched.ts)
  /** `int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)` */
  sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** `int sched_getscheduler(pid_t pid)` */
  sched_getscheduler: { parameters: ["i32"], result: "i32" },
  /** `int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)` (the raw call's byte count) */
  sched_getaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
  /** `int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)` */
  sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
  /** `int sched_getcpu(void)` */
  sched_getcpu: { parameters: [], result: "i32" },

  // sockets (socket.ts, packet_wake.ts)
  /** `int socket(int domain, int type, int protocol)` */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `int setsockopt(int fd, int level, int name, const void *value, socklen_t length)` */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** `int getsockopt(int fd, int level, int name, void *value, socklen_t *length)` */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** `ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t len)` */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** `int connect(int fd, const struct sockaddr *address, socklen_t length)` */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** `int bind(int fd, const struct sockaddr *address, socklen_t length)` */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** `int getsockname(int fd, struct sockaddr *address, socklen_t *length)` */
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** `unsigned int if_nametoindex(const char *name)` */
  if_nametoindex: { parameters: ["buffer"], result: "u32" },

  // names (resolve.ts)
  /** `int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
   *  struct addrinfo **result)` */
  getaddrinfo: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** `void freeaddrinfo(struct addrinfo *list)` */
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  /** `const char *gai_strerror(int code)` */
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  /** `struct servent *getservbyname(const char *name, const char *protocol)` */
  getservbyname: { parameters: ["buffer", "buffer"], result: "pointer" },
  /**
   * `int getnameinfo(const struct sockaddr *address, socklen_t length, char *host, socklen_t hostlen,
   *  char *serv, socklen_t servlen, int flags)`, on a pool thread (it may wait for DNS).
   */
  getnameinfo: {
    parameters: ["buffer", "u32", "buffer", "u32", "pointer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },

  // the system logger (syslog.ts)
  /** `void openlog(const char *ident, int option, int facility)` */
  openlog: { parameters: ["buffer", "i32", "i32"], result: "void" },
  /**
   * `void syslog(int priority, const char *format, ...)`, always called with the format `"%s"` and one
   * string, which the x86_64 and aarch64 Linux calling conventions pass like a non-variadic call.
   */
  syslog: { parameters: ["i32", "buffer", "buffer"], result: "void" },
  /** `void closelog(void)` */
  closelog: { parameters: [], result: "void" },
} as const;

/** The loaded libc. */
export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

let cached: Libc | undefined;

/**
 * Opens `libc.so.6` with {@linkcode LIBC_SYMBOLS} on first use; later calls return the same symbols.
 *
 * @returns The libc symbols.
 * @throws {Error} When libc or a symbol that is not optional cannot be bound (no `--allow-ffi`, not glibc).
 */
export function loadLibc(): Libc {
  return cached ??= Deno.dlopen("libc.so.6", LIBC_SYMBOLS).symbols;
}
