/**
 * End-to-end tests of the fwknop door (issue 15, "Proof") in network namespaces: Debian's real `fwknop`
 * client (2.6.10, run with a temporary HOME and rc file) sends SPA packets from client namespaces to
 * `knocktool serve --fwknop-access access.conf -i VETH` in the server namespace, whose stanza's
 * CMD_CYCLE_OPEN/CMD_CYCLE_CLOSE create and remove a marker file. Replays (the packet the client saved with
 * `-B`, resent with a plain UDP socket) from the same source, another source and after a restart are
 * refused; so are a wrong HMAC key, a wrong encryption key, an expired timestamp and a port not in
 * OPEN_PORTS, each logged with its reason.
 *
 * Root only (skipped with a printed reason otherwise). Namespaces are deleted even on failure; every wait is
 * bounded.
 */
import assert from "node:assert/strict";
import { testKeys } from "../core/fwknop/_capture.ts";
import {
  KNOCKTOOL,
  type Netns,
  poll,
  type Spawned,
  startServe,
  type Topology,
  whySkip,
  withTopology,
} from "./_netns.ts";

const skip = await whySkip(["fwknop"], "skipping fwknop e2e tests");
const ignore = skip !== undefined;
const skipFwknopd = await whySkip(["fwknopd", "iptables"], "skipping knock --fwknop -> fwknopd e2e test");
const keys = testKeys();
const TIMER_S = 2;

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "knocktool-fwknop-e2e-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

function accessConf(dir: string): string {
  return `SOURCE ANY
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22
FW_ACCESS_TIMEOUT ${TIMER_S}
CMD_CYCLE_OPEN touch ${dir}/open-$SRC-$PROTO-$PORT-$PKT_SRC
CMD_CYCLE_CLOSE rm -f ${dir}/open-$SRC-$PROTO-$PORT-$PKT_SRC
`;
}

/** Runs the real client in `ns` (its own HOME and rc file, nothing saved). */
async function fwknop(ns: Netns, home: string, server: string, args: readonly string[]): Promise<string> {
  const r = await ns.exec([
    "env",
    `HOME=${home}`,
    "fwknop",
    "--rc-file",
    `${home}/fwknoprc`,
    "--no-save-args",
    "--use-hmac",
    "-D",
    server,
    ...args,
  ], { timeoutMs: 10_000 });
  return r.stdout + r.stderr;
}

/** Sends `payload` over UDP from `ns` (a plain socket: the replay of a captured packet). */
async function sendUdp(ns: Netns, host: string, port: number, payload: string): Promise<void> {
  const code = `import dgram from "node:dgram";
const s = dgram.createSocket("udp4");
s.send(${JSON.stringify(payload)}, ${port}, ${JSON.stringify(host)}, (e) => { s.close(); if (e) throw e; });`;
  await ns.exec([Deno.execPath(), "eval", code], { timeoutMs: 15_000 });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function startDaemon(t: Topology, access: string, digests: string): Promise<Spawned> {
  return startServe(t.server, ["--fwknop-access", access, "--fwknop-digest-file", digests, "-i", t.serverIf]);
}

Deno.test({
  name: "fwknop e2e: the real client opens (-a and -s), CMD_CYCLE_CLOSE after the timer; replays are refused",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const access = `${dir.path}/access.conf`;
  const digests = `${dir.path}/digests`;
  await Deno.writeTextFile(access, accessConf(dir.path));
  await withTopology({ clients: 2 }, async (t) => {
    const [c, other] = [t.clients[0]!, t.clients[1]!];
    const home = `${dir.path}/home`;
    await Deno.mkdir(home);
    const keyArgs = ["--key-base64-rijndael", keys.keyBase64, "--key-base64-hmac", keys.hmacKeyBase64];
    const saved = `${dir.path}/spa.pkt`;
    {
      await using daemon = await startDaemon(t, access, digests);
      // -a: the allow address inside the packet (here the client's own).
      await fwknop(c.ns, home, t.serverV4, ["-A", "tcp/22", "-a", c.v4, ...keyArgs, "-B", saved]);
      await daemon.waitForLine(
        new RegExp(
          `^${c.v4}: fwknop: SPA packet accepted: user \\S+, open tcp/22 for ${c.v4} for ${TIMER_S} s`,
        ),
        10_000,
      );
      const marker = `${dir.path}/open-${c.v4}-6-22-${c.v4}`;
      assert.ok(await poll(() => exists(marker), 5000), daemon.output());
      await daemon.waitForLine(new RegExp(`^${c.v4}: fwknop: command timeout$`), (TIMER_S + 5) * 1000);
      assert.ok(await poll(async () => !(await exists(marker)), 5000), daemon.output());

      // The saved packet, replayed from the same source, then from another (after the 1 s log interval).
      const packet = (await Deno.readTextFile(saved)).trim();
      assert.match(packet, /^[A-Za-z0-9+/]{150,}$/);
      let mark = daemon.lines.length;
      await sendUdp(c.ns, t.serverV4, 62201, packet);
      await daemon.waitForLine(
        new RegExp(`^${c.v4}: fwknop: SPA packet refused: replay of an accepted packet`),
        10_000,
        mark,
      );
      await new Promise((r) => setTimeout(r, 1100));
      mark = daemon.lines.length;
      await sendUdp(other.ns, t.serverV4, 62201, packet);
      await daemon.waitForLine(
        new RegExp(`^${other.v4}: fwknop: SPA packet refused: replay of an accepted packet`),
        10_000,
        mark,
      );

      // -s: 0.0.0.0 in the packet, opened for the packet's source.
      mark = daemon.lines.length;
      await fwknop(other.ns, home, t.serverV4, ["-A", "tcp/22", "-s", ...keyArgs]);
      await daemon.waitForLine(
        new RegExp(`^${other.v4}: fwknop: SPA packet accepted: .* for ${other.v4} `),
        10_000,
        mark,
      );
      assert.ok(
        await poll(() => exists(`${dir.path}/open-${other.v4}-6-22-${other.v4}`), 5000),
        daemon.output(),
      );
    }
    // After a restart (the cache was written before the command ran), the saved packet is still a replay.
    await using daemon = await startDaemon(t, access, digests);
    await sendUdp(c.ns, t.serverV4, 62201, (await Deno.readTextFile(saved)).trim());
    await daemon.waitForLine(
      new RegExp(`^${c.v4}: fwknop: SPA packet refused: replay of an accepted packet`),
      10_000,
    );
    assert.equal(daemon.lines.filter((l) => /accepted: user/.test(l)).length, 0, daemon.output());
  });
});

Deno.test({
  name:
    "fwknop e2e: wrong HMAC key, wrong KEY, expired timestamp, port not in OPEN_PORTS: refused with the reason",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const access = `${dir.path}/access.conf`;
  await Deno.writeTextFile(access, accessConf(dir.path));
  await withTopology({}, async (t) => {
    const c = t.clients[0]!;
    const home = `${dir.path}/home`;
    await Deno.mkdir(home);
    await using daemon = await startDaemon(t, access, `${dir.path}/digests`);
    const other = "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1rZXktYXQtYWxsLXJlYWxseQ=="; // 40 bytes base64
    const cases: { args: string[]; line: RegExp }[] = [
      {
        args: [
          "-A",
          "tcp/22",
          "-a",
          c.v4,
          "--key-base64-rijndael",
          keys.keyBase64,
          "--key-base64-hmac",
          other,
        ],
        line: /SPA packet refused: the HMAC does not match/,
      },
      {
        args: [
          "-A",
          "tcp/22",
          "-a",
          c.v4,
          "--key-rijndael",
          "not-the-key",
          "--key-base64-hmac",
          keys.hmacKeyBase64,
        ],
        line: /SPA packet refused: decryption failed \(wrong KEY\?\)/,
      },
      {
        args: [
          "-A",
          "tcp/22",
          "-a",
          c.v4,
          "--time-offset-minus",
          "300s",
          "--key-base64-rijndael",
          keys.keyBase64,
          "--key-base64-hmac",
          keys.hmacKeyBase64,
        ],
        line: /SPA packet refused: SPA data time difference is too great \(30\d seconds/,
      },
      {
        args: [
          "-A",
          "tcp/23",
          "-a",
          c.v4,
          "--key-base64-rijndael",
          keys.keyBase64,
          "--key-base64-hmac",
          keys.hmacKeyBase64,
        ],
        line: /SPA packet refused: tcp\/23 is not in OPEN_PORTS/,
      },
    ];
    for (const { args, line } of cases) {
      const mark = daemon.lines.length;
      await fwknop(c.ns, home, t.serverV4, args);
      await daemon.waitForLine(new RegExp(`^${c.v4}: fwknop: ${line.source}`), 10_000, mark);
    }
    assert.equal(daemon.lines.filter((l) => /accepted: user/.test(l)).length, 0, daemon.output());
    assert.deepEqual([...Deno.readDirSync(dir.path)].filter((e) => e.name.startsWith("open-")), []);
  });
});

Deno.test({
  name:
    "fwknop e2e: knocktool knock --fwknop (an ~/.fwknoprc stanza) -> the real fwknopd opens; a wrong key does not",
  ignore: skipFwknopd !== undefined,
}, async () => {
  await using dir = await tempDir();
  await withTopology({}, async (t) => {
    const c = t.clients[0]!;
    const d = dir.path;
    await Deno.writeTextFile(
      `${d}/fwknopd.conf`,
      `PCAP_INTF ${t.serverIf}\nENABLE_PCAP_PROMISC N\nPCAP_FILTER udp port 62201\nFWKNOP_RUN_DIR ${d}\n`,
    );
    await Deno.writeTextFile(
      `${d}/access.conf`,
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nOPEN_PORTS tcp/22\n` +
        `REQUIRE_SOURCE_ADDRESS Y\nCMD_CYCLE_OPEN touch ${d}/opened-$SRC-$PROTO-$PORT\nCMD_CYCLE_CLOSE NONE\n` +
        `CMD_CYCLE_TIMER 5\n`,
    );
    await Deno.chmod(`${d}/fwknopd.conf`, 0o600);
    await Deno.chmod(`${d}/access.conf`, 0o600);
    await Deno.writeTextFile(
      `${d}/fwknoprc`,
      `[default]\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nUSE_HMAC Y\n` +
        `[srv]\nACCESS tcp/22\nALLOW_IP ${c.v4}\n[wrong]\nACCESS tcp/22\nALLOW_IP ${c.v4}\n` +
        `HMAC_KEY_BASE64 c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1rZXktYXQtYWxsLXJlYWxseQ\n`,
    );
    await using daemon = t.server.spawn([
      "fwknopd",
      "-f",
      "-v",
      "-c",
      `${d}/fwknopd.conf`,
      "-a",
      `${d}/access.conf`,
      "-i",
      t.serverIf,
      "-d",
      `${d}/digest.cache`,
      "-p",
      `${d}/fwknopd.pid`,
    ]);
    // fwknopd -f logs on stderr.
    assert.ok(
      await poll(() => Promise.resolve(daemon.output().includes("Starting fwknopd main event loop")), 20_000),
      daemon.output(),
    );
    const knock = (stanza: string) =>
      c.ns.exec(
        [...KNOCKTOOL, "knock", "--fwknop", "--fwknop-rc", `${d}/fwknoprc`, "-n", stanza, t.serverV4],
        {
          timeoutMs: 20_000,
        },
      );
    await knock("wrong");
    assert.ok(
      await poll(() => Promise.resolve(/HMAC_COMPAREFAIL/.test(daemon.output())), 5000),
      daemon.output(),
    );
    assert.equal(await exists(`${d}/opened-${c.v4}-6-22`), false, daemon.output());
    await knock("srv");
    assert.ok(await poll(() => exists(`${d}/opened-${c.v4}-6-22`), 10_000), daemon.output());
    assert.match(
      daemon.output(),
      new RegExp(`Running CMD_CYCLE_OPEN command: touch ${d}/opened-${c.v4}-6-22`),
    );
  });
});

Deno.test({
  name: "fwknop e2e: SIGHUP with a bad access.conf keeps the old one; a good one applies; the cache survives",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const access = `${dir.path}/access.conf`;
  await Deno.writeTextFile(access, accessConf(dir.path));
  await withTopology({}, async (t) => {
    const c = t.clients[0]!;
    const home = `${dir.path}/home`;
    await Deno.mkdir(home);
    const keyArgs = ["--key-base64-rijndael", keys.keyBase64, "--key-base64-hmac", keys.hmacKeyBase64];
    await using daemon = await startDaemon(t, access, `${dir.path}/digests`);
    const saved = `${dir.path}/spa.pkt`;
    await fwknop(c.ns, home, t.serverV4, ["-A", "tcp/22", "-a", c.v4, ...keyArgs, "-B", saved]);
    await daemon.waitForLine(/SPA packet accepted/, 10_000);

    // A GPG line: refused on reload, naming the line; the old stanza still opens.
    await Deno.writeTextFile(access, accessConf(dir.path) + "GPG_REMOTE_ID 1234ABCD\n");
    let mark = daemon.lines.length;
    daemon.signal("SIGHUP");
    await daemon.waitForLine(
      new RegExp(`^${access}:8:1: error\\[KT160\\]: GPG_REMOTE_ID: GPG mode is not supported`),
      10_000,
      mark,
    );
    await daemon.waitForLine(/keeping the old configuration$/, 10_000, mark);
    mark = daemon.lines.length;
    await fwknop(c.ns, home, t.serverV4, ["-A", "tcp/22", "-a", c.v4, ...keyArgs]);
    await daemon.waitForLine(/SPA packet accepted/, 10_000, mark);

    // A good file with tcp/23 added applies; the packet accepted before the reloads is still a replay.
    await Deno.writeTextFile(
      access,
      accessConf(dir.path).replace("OPEN_PORTS tcp/22", "OPEN_PORTS tcp/22, tcp/23"),
    );
    mark = daemon.lines.length;
    daemon.signal("SIGHUP");
    await daemon.waitForLine(/^re-reading config file/, 10_000, mark);
    await fwknop(c.ns, home, t.serverV4, ["-A", "tcp/23", "-a", c.v4, ...keyArgs]);
    await daemon.waitForLine(/SPA packet accepted: user \S+, open tcp\/23/, 10_000, mark);
    await sendUdp(c.ns, t.serverV4, 62201, (await Deno.readTextFile(saved)).trim());
    await daemon.waitForLine(/SPA packet refused: replay of an accepted packet/, 10_000, mark);
  });
});

Deno.test({
  name: "fwknop e2e: beside a knockd.conf door in one daemon, both open",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const access = `${dir.path}/access.conf`;
  await Deno.writeTextFile(access, accessConf(dir.path));
  const conf = `${dir.path}/knockd.conf`;
  await Deno.writeTextFile(
    conf,
    `[options]\n[seq]\n  sequence = 7000,8000:udp\n  seq_timeout = 5\n  tcpflags = syn\n` +
      `  start_command = touch ${dir.path}/knocked-%IP%\n`,
  );
  await withTopology({}, async (t) => {
    const c = t.clients[0]!;
    const home = `${dir.path}/home`;
    await Deno.mkdir(home);
    await using daemon = await startServe(t.server, [
      "-c",
      conf,
      "--fwknop-access",
      access,
      "--fwknop-digest-file",
      `${dir.path}/digests`,
      "-i",
      t.serverIf,
    ]);
    await c.ns.exec([...KNOCKTOOL, "knock", t.serverV4, "7000", "8000:udp"], { timeoutMs: 20_000 });
    await daemon.waitForLine(new RegExp(`^${c.v4}: seq: OPEN SESAME$`), 10_000);
    assert.ok(await poll(() => exists(`${dir.path}/knocked-${c.v4}`), 5000), daemon.output());
    await fwknop(c.ns, home, t.serverV4, [
      "-A",
      "tcp/22",
      "-a",
      c.v4,
      "--key-base64-rijndael",
      keys.keyBase64,
      "--key-base64-hmac",
      keys.hmacKeyBase64,
    ]);
    await daemon.waitForLine(/fwknop: SPA packet accepted/, 10_000);
    assert.ok(await poll(() => exists(`${dir.path}/open-${c.v4}-6-22-${c.v4}`), 5000), daemon.output());
  });
});

Deno.test({
  name:
    "fwknop e2e: killed with SIGKILL while open, the restarted daemon runs CMD_CYCLE_CLOSE from the journal",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const access = `${dir.path}/access.conf`;
  await Deno.writeTextFile(access, accessConf(dir.path));
  const state = `${dir.path}/state`;
  await Deno.mkdir(state);
  await withTopology({}, async (t) => {
    const c = t.clients[0]!;
    const home = `${dir.path}/home`;
    await Deno.mkdir(home);
    const args = ["--fwknop-access", access, "--state-dir", state, "-i", t.serverIf];
    const marker = `${dir.path}/open-${c.v4}-6-22-${c.v4}`;
    {
      await using daemon = await startServe(t.server, args);
      await fwknop(c.ns, home, t.serverV4, [
        "-A",
        "tcp/22",
        "-a",
        c.v4,
        "--key-base64-rijndael",
        keys.keyBase64,
        "--key-base64-hmac",
        keys.hmacKeyBase64,
      ]);
      await daemon.waitForLine(/SPA packet accepted/, 10_000);
      assert.ok(await poll(() => exists(marker), 5000), daemon.output());
      daemon.signal("SIGKILL");
      assert.ok((await daemon.waitForExit(5000)) !== undefined, daemon.output());
    }
    assert.ok(await exists(marker), "nothing closed it: the daemon was killed");
    await using daemon = await startServe(t.server, args);
    await daemon.waitForLine(/fwknop: .*(stop command from the journal|overdue stop command)/, 10_000);
    assert.ok(await poll(async () => !(await exists(marker)), (TIMER_S + 5) * 1000), daemon.output());
  });
});
