/**
 * The thin socket bindings on loopback: `Socket` (non-blocking connect, SO_ERROR, a datagram), the source
 * address the kernel picks, `sockaddr` encoding, and errors that carry libc's text and no user hint.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { parseIPv4, parseIPv6 } from "../../core/address.ts";
import { ERRNO, sockaddr, Socket, SocketError, socketError, sourceAddressFor } from "../../ffi/mod.ts";

const LOOPBACK = parseIPv4("127.0.0.1");

Deno.test("sockaddr() encodes sockaddr_in and sockaddr_in6 with the port in network order", () => {
  assert.deepEqual([...sockaddr(LOOPBACK, 0x1b58)], [2, 0, 0x1b, 0x58, 127, 0, 0, 1, ...new Uint8Array(8)]);
  const six = sockaddr(parseIPv6("::1"), 7000, 3);
  assert.equal(six.length, 28);
  assert.deepEqual([...six.subarray(0, 4)], [10, 0, 0x1b, 0x58]);
  assert.equal(six[23], 1);
  assert.equal(new DataView(six.buffer).getUint32(24, true), 3);
  assert.throws(() => sockaddr(new Uint8Array(5)), RangeError);
});

Deno.test("Socket: a non-blocking connect to a listener ends with no pending error", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  using socket = Socket.open(4, "stream", { nonblocking: true });
  const code = socket.connect(sockaddr(LOOPBACK, listener.addr.port));
  assert.ok(code === 0 || code === ERRNO.EINPROGRESS, `connect: errno ${code}`);
  assert.equal(await socket.waitWritable(2000), true);
  assert.equal(socket.pendingError(), 0);
  (await accepted).close();
});

Deno.test("Socket: a non-blocking connect to a closed port ends with ECONNREFUSED", async () => {
  const port = (() => {
    using probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return probe.addr.port;
  })();
  using socket = Socket.open(4, "stream", { nonblocking: true });
  const code = socket.connect(sockaddr(LOOPBACK, port));
  if (code === ERRNO.EINPROGRESS) {
    assert.equal(await socket.waitWritable(2000), true);
    assert.equal(socket.pendingError(), ERRNO.ECONNREFUSED);
  } else {
    assert.equal(code, ERRNO.ECONNREFUSED);
  }
});

Deno.test("Socket: sendTo() delivers one datagram; close() is idempotent and the descriptor goes", async () => {
  const receiver = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
    const got = new Promise<Uint8Array>((resolve) => receiver.once("message", (m: Uint8Array) => resolve(m)));
    const socket = Socket.open(4, "datagram");
    socket.sendTo(Uint8Array.of(0, 1, 2), sockaddr(LOOPBACK, receiver.address().port));
    assert.deepEqual([...await got], [0, 1, 2]);
    const fd = socket.fd;
    socket.close();
    socket.close();
    assert.equal(socket.fd, -1);
    assert.throws(() => Deno.statSync(`/proc/self/fd/${fd}`), Deno.errors.NotFound);
  } finally {
    receiver.close();
  }
});

Deno.test("sourceAddressFor() is the loopback address towards loopback, without sending", () => {
  assert.deepEqual([...sourceAddressFor(LOOPBACK)], [127, 0, 0, 1]);
  // The whole of 127/8 is routed through lo, whose address is the source.
  assert.deepEqual([...sourceAddressFor(parseIPv4("127.1.2.3"))], [127, 0, 0, 1]);
});

Deno.test("socket errors carry the call and libc's text, and no hint (hints are the CLI's)", () => {
  const error = socketError("sendto", ERRNO.EPERM);
  assert.ok(error instanceof SocketError);
  assert.equal(error.message, "sendto: Operation not permitted");
  assert.equal(error.syscall, "sendto");
  assert.equal(error.errno, ERRNO.EPERM);
  assert.equal(error.gaiCode, undefined);
  using socket = Socket.open(4, "datagram");
  assert.throws(
    () => socket.applyOptions({ device: "no-such-device0" }),
    (e: unknown) =>
      e instanceof SocketError && e.syscall === "setsockopt SO_BINDTODEVICE" &&
      e.message === "setsockopt SO_BINDTODEVICE: No such device",
  );
});
