/**
 * `knocktool serve --read` with an SPA door, in-process through the real libpcap, filter, decoder, SPA
 * loader and door: an opening, its replay from another source, a bit flip, an unknown user, the replay state
 * file written and read back by the next run (a restart), and a revoked user.
 */
import assert from "node:assert/strict";
import { errorMessage } from "../../core/error_message.ts";
import { buildPacket, createRng, encodePcap } from "../../core/packet/mod.ts";
import {
  formatServerKey,
  publicKeyOf,
  ReplayState,
  sealSpa,
  type SpaRequest,
  toBase64Url,
} from "../../core/spa/mod.ts";
import { runCli } from "./_io.ts";

let skip: string | undefined;
try {
  const { PcapHandle } = await import("../../ffi/mod.ts");
  PcapHandle.libVersion();
} catch (error) {
  skip = `libpcap unavailable: ${errorMessage(error)}`;
  // deno-lint-ignore no-console
  console.log(`skipping serve SPA replay tests: ${skip}`);
}

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const SERVER = "10.77.0.1";
const bytes = (seed: number, n = 32) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff);
const KEYS = { server: bytes(1), mac1: bytes(2), alice: bytes(3), bob: bytes(4), mallory: bytes(5) };

let n = 0;
function seal(user: "alice" | "bob" | "mallory", over: Partial<SpaRequest> = {}): Uint8Array {
  n++;
  return sealSpa({
    serverPublic: publicKeyOf("x25519", KEYS.server),
    mac1: KEYS.mac1,
    userPrivate: KEYS[user],
    ephemeralPrivate: bytes(100 + n),
    request: {
      user,
      timestampMs: T0,
      nonce: bytes(200 + n, 16),
      address: { kind: "source" },
      door: "ssh",
      durationS: 0,
      ...over,
    },
  });
}

function pcap(datagrams: readonly { at: number; src: string; payload: Uint8Array }[]): Uint8Array {
  const rng = createRng(3);
  return encodePcap(
    datagrams.map((d, i) => ({
      timeMs: T0 + d.at,
      data: buildPacket({
        src: d.src,
        dst: SERVER,
        transport: { protocol: "udp", dport: 62201, sport: 40000 + i },
        payload: d.payload,
      }, rng),
    })),
    { linkType: 101 },
  );
}

async function setup(users: readonly ("alice" | "bob")[]) {
  const dir = await Deno.makeTempDir({ prefix: "kt-serve-spa-" });
  await Deno.writeTextFile(
    `${dir}/server.key`,
    formatServerKey({ privateKey: KEYS.server, mac1: KEYS.mac1 }),
  );
  await Deno.chmod(`${dir}/server.key`, 0o600);
  await Deno.writeTextFile(
    `${dir}/users`,
    users.map((u) => `${u} ${toBase64Url(publicKeyOf("ed25519", KEYS[u]))}\n`).join(""),
  );
  await Deno.writeTextFile(
    `${dir}/knockd.conf`,
    `[ssh]\n  SPA_Port = 62201\n  SPA_Server_Key = ${dir}/server.key\n  SPA_Users = ${dir}/users\n` +
      `  SPA_State = ${dir}/state.json\n  start_command = echo open %IP% >> ${dir}/out\n  cmd_timeout = 10\n`,
  );
  return dir;
}

async function serve(dir: string, datagrams: Parameters<typeof pcap>[0]) {
  await Deno.writeFile(`${dir}/in.pcap`, pcap(datagrams));
  return await runCli(["serve", "-c", `${dir}/knockd.conf`, "--read", `${dir}/in.pcap`, "-v", "--dry-run"]);
}

/** The same in a process of its own (a real restart: nothing kept in memory between runs). */
async function serveProcess(dir: string, datagrams: Parameters<typeof pcap>[0]) {
  await Deno.writeFile(`${dir}/in.pcap`, pcap(datagrams));
  const main = new URL("../../cli/main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-prompt",
      main,
      "serve",
      "-c",
      `${dir}/knockd.conf`,
      "--read",
      `${dir}/in.pcap`,
      "-v",
    ],
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: skip !== undefined, fn });

test("serve --read: an SPA opens once; its replay, a bit flip and an unknown user are refused and logged", async () => {
  const dir = await setup(["alice"]);
  try {
    const valid = seal("alice");
    const flipped = seal("alice", { timestampMs: T0 + 1 });
    flipped[100]! ^= 4;
    const r = await serve(dir, [
      { at: 0, src: "10.77.0.2", payload: valid },
      { at: 1500, src: "10.77.0.3", payload: valid },
      { at: 3000, src: "10.77.0.2", payload: flipped },
      { at: 4500, src: "10.77.0.2", payload: seal("mallory", { timestampMs: T0 + 4500 }) },
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.split("\n");
    const spa = out.filter((l) => l.includes("SPA"));
    assert.deepEqual(spa, [
      '10.77.0.2: ssh: SPA OPEN for user "alice": 10.77.0.2 (source) for 10 s (clock skew +0 ms)',
      "10.77.0.3: ssh: SPA refused: replay of a datagram already judged (same ephemeral key)",
      "10.77.0.2: ssh: SPA refused: bad mac1 (not sealed with this server's mac1 secret, or changed)",
      '10.77.0.2: ssh: SPA refused: unknown user "mallory" (not in the users file)',
    ]);
    const state = ReplayState.parse(await Deno.readTextFile(`${dir}/state.json`));
    assert.equal(state?.last("alice"), T0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("serve --read: the replay state file written by one process refuses the replay in the next (restart)", async () => {
  const dir = await setup(["alice", "bob"]);
  try {
    const valid = seal("alice");
    const first = await serveProcess(dir, [{ at: 0, src: "10.77.0.2", payload: valid }]);
    assert.match(first.stdout, /SPA OPEN for user "alice"/, first.stderr);
    const second = await serveProcess(dir, [
      { at: 10, src: "10.77.0.2", payload: valid },
      { at: 20, src: "10.77.0.2", payload: seal("bob", { timestampMs: T0 + 20 }) },
    ]);
    assert.match(second.stdout, /SPA refused: user "alice": replay/);
    assert.match(second.stdout, /SPA OPEN for user "bob"/);
    // bob's line removed (the reload of a running daemon reads the file the same way): bob is refused.
    await Deno.writeTextFile(`${dir}/users`, `alice ${toBase64Url(publicKeyOf("ed25519", KEYS.alice))}\n`);
    const third = await serve(dir, [{
      at: 30,
      src: "10.77.0.2",
      payload: seal("bob", { timestampMs: T0 + 30 }),
    }]);
    assert.match(third.stdout, /SPA refused: unknown user "bob"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("serve refuses an SPA door whose replay state file is not one, naming it", async () => {
  const dir = await setup(["alice"]);
  try {
    await Deno.writeTextFile(`${dir}/state.json`, "garbage\n");
    const r = await serve(dir, [{ at: 0, src: "10.77.0.2", payload: seal("alice") }]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /SPA replay state ".*state\.json" is not one/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
