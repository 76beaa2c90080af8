/**
 * The SPA pieces around the door: replay state (bounded, serializable), token bucket, users file, key
 * files, enrolment URI, wire body.
 */
import assert from "node:assert/strict";
import {
  decodeBody,
  encodeBody,
  formatBundle,
  formatServerKey,
  formatUserKey,
  MAX_NONCES,
  MAX_SEEN_EPHEMERALS,
  parseBundle,
  parseServerKey,
  parseUserKey,
  parseUsers,
  publicKeyOf,
  ReplayState,
  toBase64Url,
  TokenBucket,
} from "../../../core/spa/mod.ts";
import { ALICE_PRIVATE, bytes, MAC1, NOW, request, SERVER_PRIVATE, SERVER_PUBLIC } from "./_fixture.ts";

Deno.test("SPA replay state: the nonce cache never holds more than its bound, and its file stays small", () => {
  const state = new ReplayState(0);
  for (let i = 0; i < MAX_NONCES * 3; i++) {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, i);
    state.accept(`u${i % 100}`, NOW + i, nonce, NOW + i + 30_000, NOW + i);
  }
  assert.equal(state.nonceCount, MAX_NONCES);
  assert.equal(state.userCount, 100);
  const text = state.serialize();
  // 4096 nonces of 32 hex digits plus their times, 100 users: under 256 KiB.
  assert.ok(text.length < 256 * 1024, `${text.length} bytes`);
  const back = ReplayState.parse(text)!;
  assert.equal(back.nonceCount, MAX_NONCES);
  assert.equal(back.last("u99"), state.last("u99"));
});

Deno.test("SPA replay state: the remembered ephemeral keys are bounded and not serialized", () => {
  const state = new ReplayState(0);
  for (let i = 0; i < MAX_SEEN_EPHEMERALS + 100; i++) {
    const eph = new Uint8Array(32);
    new DataView(eph.buffer).setUint32(0, i);
    state.markEphemeral(eph);
  }
  assert.equal(state.seenCount, MAX_SEEN_EPHEMERALS);
  assert.equal(state.seenEphemeral(new Uint8Array(32)), false, "the oldest is forgotten first");
  assert.equal(ReplayState.parse(state.serialize())!.seenCount, 0);
});

Deno.test("SPA replay state: expired nonces are dropped; revoked users forgotten; bad files refused", () => {
  const state = new ReplayState(0);
  state.accept("alice", 1, bytes(1, 16), 1000, 0);
  state.accept("bob", 2, bytes(2, 16), 1000, 0);
  state.accept("alice", 3, bytes(3, 16), 5000, 2000);
  assert.equal(state.nonceCount, 1);
  state.retain(new Set(["alice"]));
  assert.equal(state.userCount, 1);
  assert.equal(state.check("alice", 3, bytes(9, 16)), "replay");
  assert.equal(state.check("alice", 4, bytes(3, 16)), "replay");
  assert.equal(state.check("alice", 4, bytes(9, 16)), undefined);
  assert.equal(ReplayState.parse("{"), undefined);
  assert.equal(ReplayState.parse('{"v":2}'), undefined);
});

Deno.test("SPA token bucket: N a second, refilled with time, never more than one second saved", () => {
  const b = new TokenBucket(10);
  let n = 0;
  while (b.take(0)) n++;
  assert.equal(n, 10);
  assert.equal(b.take(50), false);
  assert.equal(b.take(100), true);
  let m = 0;
  while (b.take(100_000)) m++;
  assert.equal(m, 10);
});

Deno.test("SPA users file: names and keys, with precise lines and columns for what is not", () => {
  const key = toBase64Url(publicKeyOf("ed25519", ALICE_PRIVATE));
  const text = `# users\nalice ${key}\n\n  bob short\ncarol\nalice ${key}\nbad/name ${key}\n`;
  const read = parseUsers(text);
  assert.deepEqual(read.users.map((u) => [u.name, u.line]), [["alice", 2]]);
  assert.deepEqual(read.problems.map((p) => [p.line, p.column, p.message]), [
    [4, 7, 'the public key of "bob" must be 32 bytes in base64url (43 characters)'],
    [5, 1, 'expected "NAME PUBLIC-KEY" (two words), not 1 word'],
    [6, 1, 'user "alice" is already on line 2'],
    [7, 1, '"bad/name" is not a user name (1 to 64 of A-Z a-z 0-9 . _ @ -)'],
  ]);
});

Deno.test("SPA key files: written and read back; a bad line is named", () => {
  const server = parseServerKey(formatServerKey({ privateKey: SERVER_PRIVATE, mac1: MAC1 }));
  assert.ok(server.ok);
  assert.deepEqual(server.key.privateKey, SERVER_PRIVATE);
  const user = parseUserKey(formatUserKey({ name: "alice", privateKey: ALICE_PRIVATE }));
  assert.ok(user.ok);
  assert.equal(user.key.name, "alice");
  assert.deepEqual(parseServerKey("x25519-private = abc\n"), {
    ok: false,
    line: 1,
    message: '"x25519-private" must be 32 bytes in base64url (43 characters)',
  });
  assert.equal(parseUserKey("junk\n").ok, false);
});

Deno.test("SPA enrolment URI: round trip, IPv6 host in brackets, door percent-encoded", () => {
  const bundle = {
    host: "2001:db8::1",
    port: 62201,
    door: "open ssh",
    serverPublic: SERVER_PUBLIC,
    mac1: MAC1,
  };
  const uri = formatBundle(bundle);
  assert.match(uri, /^knocktool-spa:\/\/\[2001:db8::1\]:62201\/open%20ssh\?k=[\w-]{43}&m=[\w-]{43}$/);
  assert.deepEqual(parseBundle(uri), { ok: true, bundle });
  assert.equal(parseBundle("knocktool-spa://h:1/d?k=x&m=y").ok, false);
  assert.equal(parseBundle("https://example.com").ok, false);
});

Deno.test("SPA body: encode and decode agree; padding must be zero", () => {
  const r = request({ address: { kind: 4, bytes: Uint8Array.of(10, 0, 0, 1) }, durationS: 99 });
  const body = encodeBody(r);
  const back = decodeBody(body);
  assert.ok(back.ok);
  assert.deepEqual(back.request, r);
  body[175] = 1;
  assert.deepEqual(decodeBody(body), { ok: false, reason: "padding is not zero" });
});
