/*
 * knocktool's single-file launcher (tools/package/launcher.c, built by tools/package/single_file.ts).
 *
 * dist/knocktool is this small program followed by a payload: the Deno runtime (the `deno` executable of
 * the npm package @deno/linux-x64-glibc), the knocktool bundle (`deno task bundle`) and a 64-byte trailer
 * that says where each lies. Run, the launcher reads its own file (/proc/self/exe), copies the runtime
 * and the bundle into two sealed memory files (memfd_create: nothing is written to disk, no cache, no
 * temporary file) and replaces itself with the runtime:
 *
 *     deno run -A --no-config --no-lock --no-prompt --no-code-cache --ext=js /proc/self/fd/N ARGS...
 *
 * It sets KNOCKTOOL_EXECUTABLE to its own path (so `serve -d` can start the same file again) and
 * DENO_NO_UPDATE_CHECK=1. Exit status 127 with a one-line message when the payload is missing or damaged
 * or the kernel refuses (no memfd_create: Linux older than 3.17).
 *
 * Trailer (little-endian, the file's last 64 bytes):
 *   0  char[16]  "KNOCKTOOL-PACK-1"
 *   16 u64       runtime offset      24 u64  runtime size
 *   32 u64       bundle offset       40 u64  bundle size
 *   48 u64       payload FNV-1a-64 of the trailer's first 48 bytes (a check of the trailer itself)
 *   56 char[8]   "KNOCKEND"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRAILER_SIZE 64
static const char MAGIC[16] = "KNOCKTOOL-PACK-1";
static const char END[8] = "KNOCKEND";

static const char *const DENO_ARGS[] = {
    "run", "-A", "--no-config", "--no-lock", "--no-prompt", "--no-code-cache", "--quiet", "--ext=js",
};
#define DENO_ARG_COUNT (sizeof DENO_ARGS / sizeof DENO_ARGS[0])

static _Noreturn void die(const char *what) {
  int saved = errno;
  if (saved != 0) {
    fprintf(stderr, "knocktool: %s: %s\n", what, strerror(saved));
  } else {
    fprintf(stderr, "knocktool: %s\n", what);
  }
  exit(127);
}

static uint64_t le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* Copies size bytes at offset of `from` into a new sealed memory file; returns its descriptor. */
static int memory_copy(int from, uint64_t offset, uint64_t size, const char *name, unsigned flags) {
  int fd = memfd_create(name, flags | MFD_ALLOW_SEALING);
  if (fd < 0) die("memfd_create");
  if (ftruncate(fd, (off_t)size) != 0) die("cannot size the memory file");
  off_t in = (off_t)offset;
  uint64_t left = size;
  while (left > 0) {
    size_t chunk = left > (1u << 30) ? (1u << 30) : (size_t)left;
    ssize_t n = sendfile(fd, from, &in, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      die("cannot copy the payload");
    }
    left -= (uint64_t)n;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    die("cannot seal the memory file");
  }
  return fd;
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) die("cannot read /proc/self/exe");
  self[len] = '\0';

  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open /proc/self/exe");
  struct stat st;
  if (fstat(fd, &st) != 0) die("cannot stat /proc/self/exe");
  unsigned char t[TRAILER_SIZE];
  errno = 0;
  if (st.st_size < TRAILER_SIZE || pread(fd, t, TRAILER_SIZE, st.st_size - TRAILER_SIZE) != TRAILER_SIZE) {
    die("no payload: this launcher was not packaged (tools/package/single_file.ts)");
  }
  errno = 0;
  if (memcmp(t, MAGIC, 16) != 0 || memcmp(t + 56, END, 8) != 0 || le64(t + 48) != fnv1a64(t, 48)) {
    die("no payload: this launcher was not packaged (tools/package/single_file.ts)");
  }
  uint64_t runtime_at = le64(t + 16), runtime_size = le64(t + 24);
  uint64_t bundle_at = le64(t + 32), bundle_size = le64(t + 40);
  uint64_t end = (uint64_t)st.st_size - TRAILER_SIZE;
  if (runtime_size == 0 || bundle_size == 0 || runtime_at > end || runtime_size > end - runtime_at ||
      bundle_at > end || bundle_size > end - bundle_at) {
    die("damaged payload (offsets outside the file)");
  }

  /* The runtime is executed by descriptor (closed on exec); the bundle stays open for it to read. */
  int runtime = memory_copy(fd, runtime_at, runtime_size, "knocktool-deno", MFD_CLOEXEC);
  int bundle = memory_copy(fd, bundle_at, bundle_size, "knocktool.js", 0);
  close(fd);

  char script[64];
  snprintf(script, sizeof script, "/proc/self/fd/%d", bundle);
  char **args = calloc((size_t)argc + DENO_ARG_COUNT + 2, sizeof *args);
  if (args == NULL) die("out of memory");
  size_t n = 0;
  args[n++] = argv[0] != NULL ? argv[0] : "knocktool";
  for (size_t i = 0; i < DENO_ARG_COUNT; i++) args[n++] = (char *)DENO_ARGS[i];
  args[n++] = script;
  for (int i = 1; i < argc; i++) args[n++] = argv[i];
  args[n] = NULL;

  if (setenv("KNOCKTOOL_EXECUTABLE", self, 1) != 0 || setenv("DENO_NO_UPDATE_CHECK", "1", 1) != 0) {
    die("setenv");
  }
  extern char **environ;
  fexecve(runtime, args, environ);
  die("cannot start the Deno runtime");
}
