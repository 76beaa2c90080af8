/**
 * `knocktool keygen` and `knocktool knock --spa` through the real CLI: files 0600 that are never replaced,
 * the users line, the enrolment URI and its QR code, profiles under XDG_CONFIG_HOME or HOME, and a datagram
 * sent to a UDP socket on loopback (IPv4 and IPv6) that an SPA door built from those files opens.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { parseConfig } from "../../core/config/parse.ts";
import { KNOCKTOOL_EXTENSIONS } from "../../core/config/extensions.ts";
import {
  parseBundle,
  parseServerKey,
  parseUsers,
  publicKeyObject,
  ReplayState,
  serverKeys,
  SpaDoor,
} from "../../core/spa/mod.ts";
import { runCli } from "./_io.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-keygen-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("keygen server and user: mode 0600, never replaced, the users line on stdout", async () => {
  await withDir(async (dir) => {
    const server = await runCli(["keygen", "server", `${dir}/server.key`]);
    assert.equal(server.code, 0, server.stderr);
    assert.match(server.stdout, /^server public key: [\w-]{43}\n$/);
    assert.equal((await Deno.stat(`${dir}/server.key`)).mode! & 0o777, 0o600);
    assert.ok(parseServerKey(await Deno.readTextFile(`${dir}/server.key`)).ok);
    const again = await runCli(["keygen", "server", `${dir}/server.key`]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists: keygen never replaces a file/);
    const user = await runCli(["keygen", "user", "alice", `${dir}/alice.key`]);
    assert.equal(user.code, 0, user.stderr);
    assert.equal(parseUsers(user.stdout).users[0]?.name, "alice");
    assert.equal((await Deno.stat(`${dir}/alice.key`)).mode! & 0o777, 0o600);
    const bad = await runCli(["keygen", "user", "al ice", `${dir}/x.key`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a user name/);
  });
});

Deno.test("keygen bundle: the URI (IPv6 host in brackets) and a QR code", async () => {
  await withDir(async (dir) => {
    await runCli(["keygen", "server", `${dir}/server.key`]);
    const r = await runCli([
      "keygen",
      "bundle",
      "--server-key",
      `${dir}/server.key`,
      "--host",
      "2001:db8::1",
      "--port",
      "62201",
      "--door",
      "ssh",
      "--qr",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [uri, ...qr] = r.stdout.split("\n");
    const bundle = parseBundle(uri!);
    assert.ok(bundle.ok);
    assert.equal(bundle.bundle.host, "2001:db8::1");
    assert.ok(qr.length > 20 && qr.some((l) => l.includes("█")), "a QR code of block characters");
    const missing = await runCli(["keygen", "bundle", "--host", "h"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --server-key/);
  });
});

for (const family of [4, 6] as const) {
  Deno.test(`keygen profile, then knock --spa PROFILE: one datagram to loopback (IPv${family}) that the door opens`, async () => {
    await withDir(async (dir) => {
      const host = family === 4 ? "127.0.0.1" : "::1";
      const socket = createSocket(family === 4 ? "udp4" : "udp6");
      using _close = { [Symbol.dispose]: () => socket.close() };
      const received = new Promise<[Uint8Array, { address: string; port: number }]>((resolve) =>
        socket.once("message", (msg, rinfo) => resolve([new Uint8Array(msg), rinfo]))
      );
      await new Promise<void>((resolve) => socket.bind(0, host, resolve));
      const port = socket.address().port;
      await runCli(["keygen", "server", `${dir}/server.key`]);
      const line = (await runCli(["keygen", "user", "alice", `${dir}/alice.key`])).stdout;
      const uri = (await runCli([
        "keygen",
        "bundle",
        "--server-key",
        `${dir}/server.key`,
        "--host",
        host,
        "--port",
        String(port),
        "--door",
        "ssh",
      ])).stdout.trim();
      const env = { XDG_CONFIG_HOME: `${dir}/config` };
      const saved = await runCli([
        "keygen",
        "profile",
        "home",
        "--uri",
        uri,
        "--user-key",
        `${dir}/alice.key`,
      ], {
        env,
      });
      assert.equal(saved.code, 0, saved.stderr);
      assert.equal((await Deno.stat(`${dir}/config/knocktool/spa/home.conf`)).mode! & 0o777, 0o600);
      const sent = await runCli(["knock", "--spa", "home", "-v", "-a", "203.0.113.9", "--duration", "10"], {
        env,
      });
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stdout, /sent SPA for user "alice", door "ssh", 203\.0\.113\.9 to .* \(305 bytes\)/);
      const [payload, from] = await received;
      assert.equal(payload.length, 305);
      const key = parseServerKey(await Deno.readTextFile(`${dir}/server.key`));
      assert.ok(key.ok);
      const user = parseUsers(line).users[0]!;
      const door = new SpaDoor({
        door: parseConfig("[ssh]\nSPA_Port = 1\nstart_command = open %IP%\ncmd_timeout = 30\n", {
          extensions: KNOCKTOOL_EXTENSIONS,
        }).config.doors[0]!,
        ports: [port],
        keys: serverKeys(key.key.privateKey, key.key.mac1),
        users: new Map([["alice", publicKeyObject("ed25519", user.publicKey)]]),
        windowMs: 30_000,
        budget: 10,
        replay: new ReplayState(0),
        statePath: `${dir}/state.json`,
      });
      const now = Date.now();
      const verdict = door.datagram({
        family,
        src: from.address,
        dst: host,
        sport: from.port,
        dport: port,
        payload,
        timeMs: now,
      }, now);
      assert.equal(verdict.kind, "open", JSON.stringify(verdict));
      assert.equal(verdict.address, "203.0.113.9");
      assert.equal(verdict.commands.cmdTimeout, 10);
    });
  });
}

Deno.test("knock --spa: a missing profile, a bad URI, -a with -s are errors with their exit status", async () => {
  await withDir(async (dir) => {
    const env = { HOME: dir };
    const missing = await runCli(["knock", "--spa", "nope"], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`cannot read "${dir}/\\.config/knocktool/spa/nope\\.conf"`));
    const bad = await runCli(["knock", "--spa", "-", "--uri", "http://x", "--user-key", "/k"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the enrolment URI: not a knocktool-spa:/);
    const both = await runCli(["knock", "--spa", "x", "-a", "192.0.2.1", "-s"], { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /-a and -s exclude each other/);
  });
});
