import assert from "node:assert/strict";
import { formatIPv6At } from "../../core/address.ts";
import { LIBC_SYMBOLS, loadLibc } from "../../ffi/_libc_symbols.ts";
import { errno, strerror, waitReadable, waitWritable } from "../../ffi/mod.ts";

Deno.test("every libc binding of ffi/ shares one dlopen of libc.so.6", async () => {
  const script = new URL("./_count_dlopen.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", script], stderr: "inherit" })
    .output();
  assert.equal(out.code, 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), ["libc.so.6"]);
});

Deno.test("loadLibc() binds once; the one optional symbol is a function or null", () => {
  const libc = loadLibc();
  assert.equal(loadLibc(), libc);
  const closeFrom = libc.posix_spawn_file_actions_addclosefrom_np;
  assert.ok(closeFrom === null || typeof closeFrom === "function");
  const optional = Object.entries(LIBC_SYMBOLS).filter(([, d]) => "optional" in d && d.optional);
  assert.deepEqual(optional.map(([name]) => name), ["posix_spawn_file_actions_addclosefrom_np"]);
});

Deno.test("strerror() returns libc's text", () => {
  assert.equal(strerror(2), "No such file or directory");
  assert.equal(strerror(9), "Bad file descriptor");
});

Deno.test("errno() reads the errno of the last synchronous libc call", () => {
  const libc = Deno.dlopen("libc.so.6", { close: { parameters: ["i32"], result: "i32" } });
  try {
    assert.equal(libc.symbols.close(-1), -1);
    assert.equal(errno(), 9); // EBADF
  } finally {
    libc.close();
  }
});

Deno.test("waitReadable() times out on an ignored descriptor and reports an invalid one", async () => {
  const started = performance.now();
  assert.equal(await waitReadable(-1, 100), false); // poll ignores negative descriptors
  assert.ok(performance.now() - started >= 90);
  assert.equal(await waitReadable(1_000_000, 1000), true); // POLLNVAL counts as readable
});

Deno.test("waitReadable() sees data on a real socket; waitWritable() sees room", async () => {
  // No fd API on Deno sockets: use a libc socketpair directly.
  const libc = Deno.dlopen("libc.so.6", {
    socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
    write: { parameters: ["i32", "buffer", "u64"], result: "i64" },
    close: { parameters: ["i32"], result: "i32" },
  });
  const fds = new Int32Array(2);
  try {
    assert.equal(
      libc.symbols.socketpair(1, /* AF_UNIX */ 1, /* SOCK_STREAM */ 0, new Uint8Array(fds.buffer)),
      0,
    );
    assert.equal(await waitReadable(fds[0]!, 50), false);
    assert.equal(await waitWritable(fds[1]!, 1000), true);
    assert.equal(libc.symbols.write(fds[1]!, new Uint8Array([1, 2, 3]), 3n), 3n);
    assert.equal(await waitReadable(fds[0]!, 1000), true);
  } finally {
    libc.symbols.close(fds[0]!);
    libc.symbols.close(fds[1]!);
    libc.close();
  }
});

Deno.test("formatIPv6At() agrees with glibc inet_ntop on 20k addresses", () => {
  const libc = Deno.dlopen("libc.so.6", {
    inet_ntop: { parameters: ["i32", "buffer", "buffer", "u32"], result: "pointer" },
  });
  try {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const src = new Uint8Array(16);
    const view = new DataView(src.buffer);
    const out = new Uint8Array(64);
    for (let i = 0; i < 20_000; i++) {
      // Mostly zero groups so that runs, ties and the IPv4 forms come up often.
      for (let g = 0; g < 8; g++) {
        const r = next() % 8;
        view.setUint16(g * 2, r < 5 ? 0 : r === 5 ? 0xffff : next() & 0xffff);
      }
      const ptr = libc.symbols.inet_ntop(10, /* AF_INET6 */ src, out, out.length);
      assert.ok(ptr !== null);
      const expected = Deno.UnsafePointerView.getCString(ptr);
      assert.equal(formatIPv6At(view, 0), expected, `groups ${[...src].join(",")}`);
    }
  } finally {
    libc.close();
  }
});
