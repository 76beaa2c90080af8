/** Names through libc, without the network: /etc/hosts, address literals, /etc/services. */
import assert from "node:assert/strict";
import { resolveHost, serviceByName, SocketError } from "../../ffi/mod.ts";

Deno.test("resolveHost() finds localhost and returns a literal as it is", () => {
  assert.ok(resolveHost("localhost", 4).some((a) => a.join(".") === "127.0.0.1"));
  assert.deepEqual(resolveHost("192.0.2.7").map((a) => [...a]), [[192, 0, 2, 7]]);
  const six = resolveHost("2001:db8::1", 6);
  assert.equal(six.length, 1);
  assert.deepEqual([...six[0]!], [0x20, 0x01, 0x0d, 0xb8, ...new Uint8Array(11), 1]);
});

Deno.test("resolveHost() failures are SocketErrors with getaddrinfo's code and text", () => {
  assert.throws(
    () => resolveHost("192.0.2.7", 6),
    (e: unknown) =>
      e instanceof SocketError && e.syscall === "getaddrinfo" && e.errno === 0 && e.gaiCode !== undefined &&
      e.message === "getaddrinfo: Address family for hostname not supported",
  );
});

Deno.test({
  name: "serviceByName() reads the services database per protocol",
  ignore: !existsSync("/etc/services"),
  fn() {
    assert.equal(serviceByName("ssh", "tcp"), 22);
    assert.equal(serviceByName("domain", "udp"), 53);
    assert.equal(serviceByName("no-such-service-here", "tcp"), undefined);
  },
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("reverseName() resolves through libc on a pool thread: 127.0.0.1 has a name, TEST-NET-1 has none", async () => {
  const { reverseName } = await import("../../ffi/resolve.ts");
  assert.equal(await reverseName(Uint8Array.of(127, 0, 0, 1)), "localhost");
  // 192.0.2.0/24 is documentation space: no PTR record, not in the hosts file.
  assert.equal(await reverseName(Uint8Array.of(192, 0, 2, 77)), undefined);
});
