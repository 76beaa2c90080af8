/**
 * Fixed keys and a door for the SPA tests (the test vectors' keys: never use them anywhere else).
 *
 * @module
 */
import { publicKeyObject } from "../../../core/spa/keys.ts";
import { parseConfig } from "../../../core/config/parse.ts";
import { KNOCKTOOL_EXTENSIONS } from "../../../core/config/extensions.ts";
import type { Door } from "../../../core/config/types.ts";
import {
  publicKeyOf,
  ReplayState,
  sealSpa,
  serverKeys,
  SpaDoor,
  type SpaRequest,
} from "../../../core/spa/mod.ts";

/** `n` bytes counting up from `start`. */
export function bytes(start: number, n = 32): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

export const SERVER_PRIVATE = bytes(0x10);
export const MAC1 = bytes(0x40);
export const ALICE_PRIVATE = bytes(0x70);
export const BOB_PRIVATE = bytes(0xa0);
export const SERVER_PUBLIC = publicKeyOf("x25519", SERVER_PRIVATE);
export const NOW = 1_760_000_000_000;

/** The test door's section. */
export function spaDoorSection(extra = ""): Door {
  const text =
    `[ssh]\nSPA_Port = 62201\nSPA_Server_Key = /k\nSPA_Users = /u\nstart_command = open %IP%\nstop_command = close %IP%\ncmd_timeout = 60\n${extra}`;
  return parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS }).config.doors[0]!;
}

/** An SPA door for alice (and bob when `bob`), with a fresh state beginning at `floor`. */
export function testDoor(
  options: { bob?: boolean; budget?: number; replay?: ReplayState; floor?: number } = {},
) {
  const users = new Map([["alice", publicKeyObject("ed25519", publicKeyOf("ed25519", ALICE_PRIVATE))]]);
  if (options.bob === true) users.set("bob", publicKeyObject("ed25519", publicKeyOf("ed25519", BOB_PRIVATE)));
  const replay = options.replay ?? new ReplayState(options.floor ?? NOW - 60_000);
  return {
    replay,
    door: new SpaDoor({
      door: spaDoorSection(),
      ports: [62201],
      keys: serverKeys(SERVER_PRIVATE, MAC1),
      users,
      windowMs: 30_000,
      budget: options.budget ?? 1000,
      replay,
      statePath: "/state/spa-ssh.json",
    }),
  };
}

let counter = 0;

/** A request of alice's (a fresh nonce and ephemeral key each call unless given). */
export function request(over: Partial<SpaRequest> = {}): SpaRequest {
  counter++;
  return {
    user: "alice",
    timestampMs: NOW,
    nonce: bytes(counter * 16, 16),
    address: { kind: "source" },
    door: "ssh",
    durationS: 0,
    ...over,
  };
}

/** A datagram of alice's (or `userPrivate`'s). */
export function datagram(
  over: Partial<SpaRequest> = {},
  userPrivate = ALICE_PRIVATE,
  mac1 = MAC1,
): Uint8Array {
  counter++;
  return sealSpa({
    serverPublic: SERVER_PUBLIC,
    mac1,
    userPrivate,
    ephemeralPrivate: bytes(counter * 7),
    request: request(over),
  });
}

/** A datagram from 192.0.2.7 to 198.51.100.1:62201. */
export function udp(payload: Uint8Array, src = "192.0.2.7", timeMs = NOW) {
  return { family: 4 as const, src, dst: "198.51.100.1", sport: 40000, dport: 62201, payload, timeMs };
}
