/**
 * The daemon core's nftables openings (core/serve/nft.ts): a knock sequence and a datagram door add the
 * source to their set with the element timeout, per port with Nft_Port, beside the door's commands; IPv6
 * goes to Nft_Set_6; a dry run logs only; nothing is journaled or run at shutdown for them.
 */
import assert from "node:assert/strict";
import { doorNft } from "../../../core/config/mod.ts";
import { buildPacket, createRng } from "../../../core/packet/mod.ts";
import type { DatagramDoor } from "../../../core/serve/mod.ts";
import { config, daemon } from "./_daemon.ts";

const NFT_DOOR = `[openSSH]
sequence = 7000,8000,9000
tcpflags = syn
Nft_Set = inet filter knock4
Nft_Set_6 = inet filter knock6
Nft_Timeout = 1h30m
`;

Deno.test("daemon: an nftables door adds the source with its timeout at OPEN SESAME, and nothing else", () => {
  const t = daemon(NFT_DOOR, { dryRun: false, journal: true });
  t.take();
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.deepEqual(t.take(), [
    "10.0.0.2: openSSH: Stage 1",
    "10.0.0.2: openSSH: Stage 2",
    "10.0.0.2: openSSH: Stage 3",
    "10.0.0.2: openSSH: OPEN SESAME",
    "openSSH: nft: adding 10.0.0.2 to inet filter knock4, timeout 5400 s",
    "nft inet filter knock4 10.0.0.2 5400000",
  ]);
  // Nothing pending: the kernel removes the element; shutdown runs nothing.
  assert.equal(t.d.nextDeadline(), Infinity);
  assert.ok(t.d.idle);
  t.effects.push(...t.d.shutdown(5000));
  assert.deepEqual(t.take(), []);
});

Deno.test("daemon: IPv6 sources go to Nft_Set_6; a door without one says so", () => {
  const t = daemon(NFT_DOOR, { dryRun: false });
  t.take();
  t.knocks("fd00::2", [7000, 8000, 9000]);
  assert.deepEqual(t.take().slice(-2), [
    "openSSH: nft: adding fd00::2 to inet filter knock6, timeout 5400 s",
    "nft inet filter knock6 fd00::2 5400000",
  ]);
  const v4only = daemon("[d]\nsequence = 1,2\nNft_Set = ip f k\ncmd_timeout = 4\n", { dryRun: false });
  v4only.take();
  v4only.knocks("fd00::2", [1, 2]);
  assert.deepEqual(v4only.take().slice(-1), [
    "fd00::2: d: no Nft_Set_6 for IPv6 sources: nothing added to nftables",
  ]);
  const v6only = daemon("[d]\nsequence = 1,2\nNft_Set_6 = ip6 f k\ncmd_timeout = 4\n", { dryRun: false });
  v6only.take();
  v6only.knocks("10.0.0.9", [1, 2]);
  assert.deepEqual(v6only.take().slice(-1), [
    "10.0.0.9: d: no Nft_Set for IPv4 sources: nothing added to nftables",
  ]);
});

Deno.test("daemon: Nft_Port adds one element per port; Cmd_Timeout is the timeout; commands still run, after it", () => {
  const t = daemon(
    `[web]\nsequence = 1,2\nNft_Set = inet f p4\nNft_Port = 80,443\nstart_command = log %IP%\ncmd_timeout = 7\nstop_command = unlog %IP%\n`,
    { dryRun: false },
  );
  t.take();
  t.knocks("10.0.0.3", [1, 2]);
  const lines = t.take();
  assert.deepEqual(lines.slice(-4, -1), [
    "web: nft: adding 10.0.0.3 . 80, 10.0.0.3 . 443 to inet f p4, timeout 7 s",
    "nft inet f p4 10.0.0.3 . 80, 10.0.0.3 . 443 7000",
    "web: running command: log 10.0.0.3",
  ]);
  assert.match(lines.at(-1)!, /^run \d+ log 10\.0\.0\.3$/);
});

Deno.test("daemon: a dry run logs the nftables opening and adds nothing", () => {
  const t = daemon(NFT_DOOR, { dryRun: true });
  t.take();
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.deepEqual(t.take().slice(-1), [
    "openSSH: nft: adding 10.0.0.2 to inet filter knock4, timeout 5400 s",
  ]);
  assert.ok(!t.effects.some((e) => e.type === "nft"));
});

Deno.test("daemon: a reload to another set name: the next opening adds to the new set", () => {
  const t = daemon(NFT_DOOR, { dryRun: false });
  t.take();
  t.effects.push(
    ...t.d.reload("/k.conf", {
      ok: true,
      config: config(NFT_DOOR.replace("knock4", "renamed4")),
      otp: new Map(),
    }, 500),
  );
  t.take();
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.deepEqual(t.take().slice(-1), ["nft inet filter renamed4 10.0.0.2 5400000"]);
});

Deno.test("daemon: a datagram door's opening with nftables settings adds its address too", () => {
  const nft = doorNft(config("[spa]\nsequence = 1\nNft_Set = inet f spa4\nNft_Timeout = 45\n").doors[0]!);
  assert.ok(nft !== undefined);
  const door: DatagramDoor = {
    name: "spa",
    ports: [62201],
    datagram: () => ({
      kind: "open",
      door: "spa",
      address: "198.51.100.7",
      family: 4,
      commands: { start: undefined, stop: undefined, cmdTimeout: 10 },
      log: [],
      nft,
    }),
  };
  const t = daemon("[plain]\nsequence = 7000\n", { dryRun: false });
  t.effects.push(
    ...t.d.reload("/k.conf", {
      ok: true,
      config: config("[plain]\nsequence = 7000\n"),
      otp: new Map(),
      datagramDoors: [door],
    }, 0),
  );
  t.take();
  const ip = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "udp", dport: 62201, sport: 5000 },
    payload: new TextEncoder().encode("any"),
  }, createRng(3));
  const frame = new Uint8Array(14 + ip.length);
  frame[12] = 0x08;
  frame.set(ip, 14);
  t.effects.push(...t.d.frame(0, frame, 1000));
  assert.deepEqual(t.take(), [
    "spa: nft: adding 198.51.100.7 to inet f spa4, timeout 45 s",
    "nft inet f spa4 198.51.100.7 45000",
  ]);
});
