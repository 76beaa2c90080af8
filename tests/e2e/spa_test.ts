/**
 * End-to-end tests of knocktool's SPA doors (docs/spa.md) in network namespaces: the server namespace runs
 * `knocktool serve` with an SPA door whose start_command adds the knocking address to an nftables set that
 * lets TCP port 2222 through; clients send SPA datagrams (made here with core/spa from the test's keys, and
 * sent from the client namespaces by a one-line Python sender, so that the very same bytes can be replayed),
 * and `knocktool knock --spa` itself once. tcpdump in the server namespace proves the server sends nothing
 * back (the firewall drops the SPA port: serve captures datagrams before netfilter, and the kernel then has
 * no reason to answer with ICMP).
 *
 * Root only (skipped with a printed reason otherwise); every wait bounded; namespaces deleted on failure.
 */
import assert from "node:assert/strict";
import {
  formatBundle,
  formatServerKey,
  formatUserKey,
  publicKeyOf,
  sealSpa,
  type SpaRequest,
  toBase64Url,
} from "../../core/spa/mod.ts";
import {
  KNOCKTOOL,
  type Netns,
  poll,
  type Spawned,
  tcpListener,
  tcpProbe,
  type Topology,
  whySkip,
  withTopology,
} from "./_netns.ts";
import { parseIP } from "../../core/address.ts";

const skip = await whySkip(["nft", "tcpdump", "python3"], "skipping SPA e2e tests");
const ignore = skip !== undefined;

const PORT = 2222;
const SPA_PORT = 62201;
const WINDOW_S = 4;

const NFT_RULES = `
table inet kt {
  set allowed4 { type ipv4_addr; }
  set allowed6 { type ipv6_addr; }
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${SPA_PORT} drop
    tcp dport ${PORT} ip saddr @allowed4 accept
    tcp dport ${PORT} ip6 saddr @allowed6 accept
    tcp dport ${PORT} drop
  }
}
`;

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** Keys, users, config and state of one test, in a temporary directory. */
async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-spa-e2e-" });
  const server = { privateKey: random(32), mac1: random(32) };
  const other = { privateKey: random(32), mac1: server.mac1 };
  const users = { alice: random(32), bob: random(32), mallory: random(32) };
  await Deno.writeTextFile(`${dir}/server.key`, formatServerKey(server), { mode: 0o600 });
  await Deno.chmod(`${dir}/server.key`, 0o600);
  const line = (name: "alice" | "bob") => `${name} ${toBase64Url(publicKeyOf("ed25519", users[name]))}\n`;
  await Deno.writeTextFile(`${dir}/users`, line("alice") + line("bob"));
  await Deno.writeTextFile(`${dir}/alice.key`, formatUserKey({ name: "alice", privateKey: users.alice }), {
    mode: 0o600,
  });
  await Deno.writeTextFile(
    `${dir}/knockd.conf`,
    `[ssh]
  SPA_Port = ${SPA_PORT}
  SPA_Server_Key = ${dir}/server.key
  SPA_Users = ${dir}/users
  SPA_Window = ${WINDOW_S}
  SPA_State = ${dir}/spa-ssh.json
  start_command = nft add element inet kt allowed4 { %IP% }
  start_command_6 = nft add element inet kt allowed6 { %IP% }
  cmd_timeout = 30
  stop_command = nft delete element inet kt allowed4 { %IP% }
  stop_command_6 = nft delete element inet kt allowed6 { %IP% }
`,
  );
  const serverPublic = publicKeyOf("x25519", server.privateKey);
  /** A datagram of `user` for door ssh (sealed to `to`, the server's key unless told). */
  const seal = (user: keyof typeof users, over: Partial<SpaRequest> = {}, to = server.privateKey) =>
    sealSpa({
      serverPublic: publicKeyOf("x25519", to),
      mac1: server.mac1,
      userPrivate: users[user],
      ephemeralPrivate: random(32),
      request: {
        user,
        timestampMs: Date.now(),
        nonce: random(16),
        address: { kind: "source" },
        door: "ssh",
        durationS: 0,
        ...over,
      },
    });
  return {
    dir,
    seal,
    other,
    serverPublic,
    mac1: server.mac1,
    removeBob: () => Deno.writeTextFile(`${dir}/users`, line("alice")),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Sends `payload` as one UDP datagram from `ns` to `host`. */
async function send(ns: Netns, host: string, payload: Uint8Array): Promise<void> {
  const hex = Array.from(payload, (b) => b.toString(16).padStart(2, "0")).join("");
  const family = host.includes(":") ? "AF_INET6" : "AF_INET";
  await ns.exec([
    "python3",
    "-c",
    `import socket; s = socket.socket(socket.${family}, socket.SOCK_DGRAM); s.sendto(bytes.fromhex("${hex}"), ("${host}", ${SPA_PORT}))`,
  ], { timeoutMs: 10_000 });
}

async function startDaemon(t: Topology, conf: string, extra: readonly string[] = []): Promise<Spawned> {
  const daemon = t.server.spawn([...KNOCKTOOL, "serve", "-c", conf, "-i", t.serverIf, "-v", ...extra]);
  try {
    await daemon.waitForLine(/^starting up, listening on /, 20_000);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

/** tcpdump of what leaves the server's interface (UDP and ICMP: what an answer would be). */
async function watchOutgoing(t: Topology): Promise<Spawned> {
  const dump = t.server.spawn([
    "tcpdump",
    "-i",
    t.serverIf,
    "-Q",
    "out",
    "-n",
    "-l",
    "udp or icmp or icmp6 and not ip6[40] >= 133",
  ]);
  await new Promise((r) => setTimeout(r, 800));
  return dump;
}

/** One sample of serve's metrics page (`serve --metrics`), scraped inside the server namespace. */
async function metric(t: Topology, port: number, name: string): Promise<number | undefined> {
  const r = await t.server.exec([
    Deno.execPath(),
    "eval",
    `await Deno.stdout.write(new Uint8Array(await (await fetch("http://127.0.0.1:${port}/metrics")).arrayBuffer()));`,
  ], { timeoutMs: 10_000 });
  const found = r.stdout.split("\n").find((l) => l.startsWith(`${name} `));
  return found === undefined ? undefined : Number(found.slice(name.length + 1));
}

/** Waits (bounded) for a line after `mark`. */
async function line(daemon: Spawned, pattern: RegExp, mark: number): Promise<string> {
  return (await daemon.waitForLine(pattern, 8000, mark)).line;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    "SPA e2e (IPv4): a valid SPA opens; replays, bit flips, wrong keys, expired, unknown and revoked users never do; restart and kill -9 keep the replay state; the server sends nothing",
  ignore,
}, async () => {
  await using s = await setup();
  const conf = `${s.dir}/knockd.conf`;
  await withTopology({ clients: 2 }, async (t) => {
    const [a, b] = [t.clients[0]!, t.clients[1]!];
    const host = t.serverV4;
    await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
    await using _listener = await tcpListener(t.server, [PORT]);
    await using dump = await watchOutgoing(t);
    let daemon = await startDaemon(t, conf, ["--metrics", "9103"]);
    try {
      const opens = () => daemon.lines.filter((l) => l.includes("SPA OPEN")).length;
      assert.equal(await tcpProbe(a.ns, host, PORT, { timeoutMs: 700 }), "timeout");

      // A valid SPA opens for its source, logged with the clock skew.
      const d1 = s.seal("alice");
      let mark = daemon.lines.length;
      await send(a.ns, host, d1);
      assert.match(
        await line(daemon, /SPA OPEN/, mark),
        new RegExp(
          `^${a.v4}: ssh: SPA OPEN for user "alice": ${a.v4} \\(source\\) for 30 s \\(clock skew [+-][\\d.]+ m?s\\)$`,
        ),
      );
      assert.equal(await tcpProbe(a.ns, host, PORT, { timeoutMs: 2000 }), "open");
      assert.equal(await tcpProbe(b.ns, host, PORT, { timeoutMs: 700 }), "timeout");

      // The same datagram again: from the same source, then from another one.
      mark = daemon.lines.length;
      await send(a.ns, host, d1);
      assert.match(
        await line(daemon, /SPA refused/, mark),
        new RegExp(`^${a.v4}: ssh: SPA refused: replay of a datagram already judged`),
      );
      await pause(1100);
      mark = daemon.lines.length;
      await send(b.ns, host, d1);
      assert.match(
        await line(daemon, /SPA refused/, mark),
        new RegExp(`^${b.v4}: ssh: SPA refused: replay of a datagram already judged`),
      );
      assert.equal(await tcpProbe(b.ns, host, PORT, { timeoutMs: 700 }), "timeout", "a replay from b opened");

      // A bit flip, a datagram sealed to another server's key, an expired one, an unknown user.
      const flipped = s.seal("alice");
      flipped[200]! ^= 0x10;
      const cases: [Uint8Array, RegExp][] = [
        [flipped, /SPA refused: bad mac1/],
        [s.seal("alice", {}, s.other.privateKey), /SPA refused: does not decrypt/],
        [
          s.seal("alice", { timestampMs: Date.now() - 60_000 }),
          /SPA refused: user "alice": timestamp outside the window \(clock skew -6\d\.\d s, window ±4 s\)/,
        ],
        [s.seal("mallory"), /SPA refused: unknown user "mallory"/],
      ];
      for (const [datagram, pattern] of cases) {
        mark = daemon.lines.length;
        await send(b.ns, host, datagram);
        await line(daemon, pattern, mark);
      }

      // bob opens, is removed from the users file, SIGHUP: bob is refused by name.
      mark = daemon.lines.length;
      await send(b.ns, host, s.seal("bob"));
      await line(daemon, new RegExp(`^${b.v4}: ssh: SPA OPEN for user "bob"`), mark);
      await s.removeBob();
      mark = daemon.lines.length;
      daemon.signal("SIGHUP");
      await line(daemon, /re-reading config file/, mark);
      await pause(1100); // refusals of one reason are logged once a second (mallory's was one)
      await send(b.ns, host, s.seal("bob"));
      await line(daemon, /SPA refused: unknown user "bob" \(not in the users file\)/, mark);

      // The verdicts are counted by door and result on the metrics page (issue 18).
      assert.equal(opens(), 2);
      const verdicts = (result: string) =>
        metric(t, 9103, `knocktool_datagrams_total{door="ssh",result="${result}"}`);
      assert.equal(await verdicts("open"), 2);
      assert.equal(await verdicts("replay"), 2);
      assert.equal(await verdicts("bad-mac"), 1);
      assert.equal(await verdicts("bad-seal"), 1);
      assert.equal(await verdicts("unknown-user"), 2);

      // Restart (SIGTERM): the replay is still refused (state file); after the window it is expired.
      await daemon.stop();
      daemon = await startDaemon(t, conf);
      mark = daemon.lines.length;
      await send(a.ns, host, d1);
      await line(daemon, /SPA refused: user "alice": (replay|timestamp outside the window)/, mark);
      const d2 = s.seal("alice");
      mark = daemon.lines.length;
      await send(a.ns, host, d2);
      await line(daemon, /SPA OPEN for user "alice"/, mark);

      // kill -9 right after an opening: the state was written before its command ran.
      daemon.signal("SIGKILL");
      await daemon.waitForExit(5000);
      daemon = await startDaemon(t, conf);
      mark = daemon.lines.length;
      await send(b.ns, host, d2);
      await line(daemon, new RegExp(`^${b.v4}: ssh: SPA refused: user "alice": replay`), mark);
      // After the window, the same datagram is still refused (its timestamp is used, and too old).
      await pause(WINDOW_S * 1000 + 1200);
      mark = daemon.lines.length;
      await send(b.ns, host, d2);
      await line(
        daemon,
        /SPA refused: (replay of a datagram already judged|user "alice": (replay|timestamp outside the window))/,
        mark,
      );
      assert.equal(daemon.lines.filter((l) => l.includes("SPA OPEN")).length, 0, daemon.output());
    } finally {
      await daemon.stop();
    }
    await pause(300);
    const out = dump.lines.filter((l) => l.trim() !== "");
    assert.deepEqual(out, [], `the server sent:\n${out.join("\n")}`);
  });
});

/** Waits for an address in a set: the start command runs after the SPA OPEN line is logged. */
async function inSet(t: Topology, set: string, address: RegExp): Promise<void> {
  let listed = "";
  const ok = await poll(async () => {
    listed = (await t.server.exec(["nft", "list", "set", "inet", "kt", set])).stdout;
    return address.test(listed);
  }, 5000);
  assert.ok(ok, `${address} not in ${set}:\n${listed}`);
}

Deno.test({
  name:
    "SPA e2e (IPv6): knocktool knock --spa opens for the source; -a opens for another address; the replay is refused",
  ignore,
}, async () => {
  await using s = await setup();
  const conf = `${s.dir}/knockd.conf`;
  await withTopology({ clients: 1 }, async (t) => {
    const c = t.clients[0]!;
    const host = t.serverV6;
    await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
    await using _listener = await tcpListener(t.server, [PORT]);
    await using dump = await watchOutgoing(t);
    await using daemon = await startDaemon(t, conf);
    const uri = formatBundle({
      host,
      port: SPA_PORT,
      door: "ssh",
      serverPublic: s.serverPublic,
      mac1: s.mac1,
    });
    let mark = daemon.lines.length;
    const sent = await c.ns.exec([
      ...KNOCKTOOL,
      "knock",
      "--spa",
      "-",
      "--uri",
      uri,
      "--user-key",
      `${s.dir}/alice.key`,
      "-v",
    ], {
      timeoutMs: 30_000,
    });
    assert.match(sent.stdout, /sent SPA for user "alice", door "ssh", source address/);
    await line(daemon, new RegExp(`^${c.v6}: ssh: SPA OPEN for user "alice": ${c.v6} \\(source\\)`), mark);
    assert.equal(await tcpProbe(c.ns, host, PORT, { timeoutMs: 2000 }), "open");
    await inSet(t, "allowed6", new RegExp(c.v6));

    // -a: an explicit IPv4 address, asked over IPv6.
    const d = s.seal("alice", { address: { kind: 4, bytes: parseIP("192.0.2.44").bytes } });
    mark = daemon.lines.length;
    await send(c.ns, host, d);
    await line(
      daemon,
      new RegExp(`^${c.v6}: ssh: SPA OPEN for user "alice": 192\\.0\\.2\\.44 for 30 s`),
      mark,
    );
    await inSet(t, "allowed4", /192\.0\.2\.44/);
    mark = daemon.lines.length;
    await send(c.ns, host, d);
    await line(daemon, new RegExp(`^${c.v6}: ssh: SPA refused: replay of a datagram already judged`), mark);
    await daemon.stop();
    await pause(300);
    const out = dump.lines.filter((l) => l.trim() !== "");
    assert.deepEqual(out, [], `the server sent:\n${out.join("\n")}`);
  });
});
