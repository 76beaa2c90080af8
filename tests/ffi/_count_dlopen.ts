/**
 * Run by tests/ffi/libc_test.ts: `deno run -A _count_dlopen.ts`. Counts the `Deno.dlopen` calls while
 * every libc binding of `ffi/` is used once (errno, poll, scheduling, names, sockets, a packet socket, a
 * child, a signal, syslog), and prints the names opened as one JSON line.
 *
 * @module
 */
const opened: string[] = [];
const dlopen = Deno.dlopen;
Object.defineProperty(Deno, "dlopen", {
  value: (path: string | URL, symbols: Deno.ForeignLibraryInterface) => {
    opened.push(String(path));
    return dlopen(path, symbols);
  },
});

const ffi = await import("../../ffi/mod.ts");
ffi.strerror(ffi.errno());
await ffi.waitReadable(-1, 0);
ffi.threadPolicy(0);
ffi.currentCpu();
ffi.getAffinity(0);
ffi.resolveHost("127.0.0.1");
ffi.serviceByName("ssh", "tcp");
ffi.sourceAddressFor(Uint8Array.of(127, 0, 0, 1));
ffi.Socket.open(4, "datagram").close();
try {
  ffi.PacketWake.open("no-such-if0");
} catch {
  // if_nametoindex fails: it was called.
}
await ffi.spawn("/bin/true", []).status;
ffi.kill(Deno.pid, 0);
ffi.openSyslog("knocktool-test");
ffi.closeSyslog();
// deno-lint-ignore no-console
console.log(JSON.stringify(opened));
