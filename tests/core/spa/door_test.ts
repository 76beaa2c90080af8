/**
 * The SPA door's verdicts (core/spa/door.ts): what opens, and every refusal with its reason and log text.
 */
import assert from "node:assert/strict";
import { ReplayState } from "../../../core/spa/mod.ts";
import type { DatagramVerdict } from "../../../core/serve/mod.ts";
import { computeMac1 } from "../../../core/spa/mod.ts";
import { BOB_PRIVATE, bytes, datagram, MAC1, NOW, testDoor, udp } from "./_fixture.ts";

function reason(v: DatagramVerdict): string {
  return v.kind === "reject" ? v.reason : v.kind;
}

Deno.test("SPA door: a valid datagram opens for its source, with the skew in the log and the state to persist", () => {
  const { door } = testDoor();
  const v = door.datagram(udp(datagram({ timestampMs: NOW + 1234 })), NOW);
  assert.equal(v.kind, "open");
  assert.equal(v.address, "192.0.2.7");
  assert.equal(v.family, 4);
  assert.deepEqual(v.commands, { start: "open 192.0.2.7", stop: "close 192.0.2.7", cmdTimeout: 60 });
  assert.equal(
    v.log[0]!.message,
    '192.0.2.7: ssh: SPA OPEN for user "alice": 192.0.2.7 (source) for 60 s (clock skew +1.2 s)',
  );
  assert.equal(v.persist?.path, "/state/spa-ssh.json");
  const state = ReplayState.parse(v.persist!.text)!;
  assert.equal(state.last("alice"), NOW + 1234);
});

Deno.test("SPA door: an explicit address (IPv4 and IPv6) and a shorter duration are what opens", () => {
  const { door } = testDoor();
  const v4 = door.datagram(
    udp(datagram({ address: { kind: 4, bytes: Uint8Array.of(203, 0, 113, 5) }, durationS: 20 })),
    NOW,
  );
  assert.equal(v4.kind, "open");
  assert.equal(v4.address, "203.0.113.5");
  assert.equal(v4.commands.cmdTimeout, 20);
  const six = new Uint8Array(16);
  six.set([0x20, 0x01, 0x0d, 0xb8]);
  six[15] = 1;
  const v6 = door.datagram(udp(datagram({ timestampMs: NOW + 1, address: { kind: 6, bytes: six } })), NOW);
  assert.equal(v6.kind, "open");
  assert.equal(v6.address, "2001:db8::1");
  assert.equal(v6.family, 6);
});

Deno.test("SPA door: the same datagram again is a replay, from the same or another source", () => {
  const { door } = testDoor();
  const d = datagram();
  assert.equal(door.datagram(udp(d), NOW).kind, "open");
  const again = door.datagram(udp(d), NOW + 10);
  assert.equal(reason(again), "replay");
  assert.equal(reason(door.datagram(udp(d, "203.0.113.99"), NOW + 20)), "replay");
  // Refused before any public-key work: the budget is not touched.
  assert.match(again.kind === "reject" ? again.log.message : "", /already judged \(same ephemeral key\)/);
});

Deno.test("SPA door: an older timestamp than the user's last is a replay; a later one opens", () => {
  const { door } = testDoor();
  assert.equal(door.datagram(udp(datagram({ timestampMs: NOW })), NOW).kind, "open");
  assert.equal(reason(door.datagram(udp(datagram({ timestampMs: NOW - 1 })), NOW)), "replay");
  assert.equal(reason(door.datagram(udp(datagram({ timestampMs: NOW })), NOW)), "replay");
  assert.equal(door.datagram(udp(datagram({ timestampMs: NOW + 1 })), NOW).kind, "open");
});

Deno.test("SPA door: a state restored from its file refuses the replay (restart, kill -9)", () => {
  const first = testDoor();
  const d = datagram();
  const v = first.door.datagram(udp(d), NOW);
  assert.equal(v.kind, "open");
  const restored = testDoor({ replay: ReplayState.parse(v.persist!.text)! });
  assert.equal(reason(restored.door.datagram(udp(d), NOW + 5)), "replay");
});

Deno.test("SPA door: without a state file, timestamps before the state began are refused", () => {
  const { door } = testDoor({ floor: NOW });
  const v = door.datagram(udp(datagram({ timestampMs: NOW - 5 })), NOW + 1);
  assert.equal(reason(v), "replay");
  assert.match(v.kind === "reject" ? v.log.message : "", /before the replay state began/);
});

Deno.test("SPA door: outside the window is expired, with the clock skew in the log", () => {
  const { door } = testDoor();
  const late = door.datagram(udp(datagram({ timestampMs: NOW - 31_000 })), NOW);
  assert.equal(reason(late), "expired");
  assert.match(late.kind === "reject" ? late.log.message : "", /clock skew -31\.0 s, window ±30 s/);
  assert.equal(reason(door.datagram(udp(datagram({ timestampMs: NOW + 30_001 })), NOW)), "expired");
  assert.equal(door.datagram(udp(datagram({ timestampMs: NOW + 30_000 })), NOW).kind, "open");
});

Deno.test("SPA door: unknown user, wrong user key, wrong door, wrong mac1, too long a duration", () => {
  const { door } = testDoor();
  const unknown = door.datagram(udp(datagram({ user: "mallory" })), NOW);
  assert.equal(reason(unknown), "unknown-user");
  assert.match(unknown.kind === "reject" ? unknown.log.message : "", /unknown user "mallory"/);
  assert.equal(reason(door.datagram(udp(datagram({}, BOB_PRIVATE)), NOW)), "bad-signature");
  assert.equal(reason(door.datagram(udp(datagram({ door: "web" })), NOW)), "wrong-door");
  assert.equal(reason(door.datagram(udp(datagram({}, undefined, bytes(0x99))), NOW)), "bad-mac");
  assert.equal(reason(door.datagram(udp(datagram({ durationS: 61 })), NOW)), "duration");
});

Deno.test("SPA door: another length or version is ignored silently", () => {
  const { door } = testDoor();
  assert.equal(door.datagram(udp(new Uint8Array(10)), NOW).kind, "ignore");
  const d = datagram();
  assert.equal(door.datagram(udp(d.subarray(0, 304)), NOW).kind, "ignore");
  const v2 = d.slice();
  v2[0] = 2;
  assert.equal(door.datagram(udp(v2), NOW).kind, "ignore");
});

Deno.test("SPA door: every single-bit flip of a valid datagram is refused (2440 flips)", () => {
  const d = datagram();
  const counts = new Map<string, number>();
  for (let bit = 0; bit < d.length * 8; bit++) {
    const { door } = testDoor();
    const flipped = d.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    const v = door.datagram(udp(flipped), NOW);
    assert.notEqual(v.kind, "open", `bit ${bit} opened`);
    counts.set(reason(v), (counts.get(reason(v)) ?? 0) + 1);
  }
  // Version bits: ignored; every other bit: mac1 fails.
  assert.deepEqual(Object.fromEntries(counts), { ignore: 8, "bad-mac": 2432 });
  assert.equal(testDoor().door.datagram(udp(d), NOW).kind, "open");
});

Deno.test("SPA door: with a valid mac1, a changed ciphertext fails decryption (the second line of defence)", () => {
  // A holder of the mac1 secret recomputes mac1 over a changed datagram: the AEAD still refuses it.
  const { door } = testDoor();
  const d = datagram();
  d[100]! ^= 1;
  d.set(computeMac1(MAC1, d), 1);
  assert.equal(reason(door.datagram(udp(d), NOW)), "bad-seal");
});

Deno.test("SPA door: a flood of one captured datagram costs no public-key step (the budget stays)", () => {
  const { door, replay } = testDoor({ budget: 2 });
  const d = datagram();
  assert.equal(door.datagram(udp(d), NOW).kind, "open");
  for (let i = 0; i < 1000; i++) assert.equal(reason(door.datagram(udp(d), NOW)), "replay");
  assert.equal(replay.seenCount, 1);
  assert.equal(door.datagram(udp(datagram({ timestampMs: NOW + 1 })), NOW).kind, "open", "a token was left");
});

Deno.test("SPA door: without the remembered ephemeral key (a restart), the replay is refused by its timestamp", () => {
  const first = testDoor();
  const d = datagram();
  const v = first.door.datagram(udp(d), NOW);
  assert.equal(v.kind, "open");
  const again = testDoor({ replay: ReplayState.parse(v.persist!.text)! }).door.datagram(udp(d), NOW + 5);
  assert.match(again.kind === "reject" ? again.log.message : "", /user "alice": replay \(timestamp or nonce/);
});

Deno.test("SPA door: the public-key budget refuses beyond N a second, and refills", () => {
  const { door } = testDoor({ budget: 3 });
  const bogus = () => {
    const d = datagram({ user: "mallory" });
    return udp(d);
  };
  for (let i = 0; i < 3; i++) assert.equal(reason(door.datagram(bogus(), NOW)), "unknown-user");
  assert.equal(reason(door.datagram(bogus(), NOW)), "budget");
  assert.equal(reason(door.datagram(udp(datagram()), NOW)), "budget");
  assert.equal(door.datagram(udp(datagram({ timestampMs: NOW + 400 })), NOW + 400).kind, "open");
});

Deno.test("SPA door: with mac1 recomputed (an insider), every bit flip after mac1 is still refused", () => {
  const d = datagram();
  const key = MAC1;
  const counts = new Map<string, number>();
  for (let bit = 17 * 8; bit < d.length * 8; bit++) {
    const { door } = testDoor({ budget: 100_000 });
    const flipped = d.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    flipped.set(computeMac1(key, flipped), 1);
    const v = door.datagram(udp(flipped), NOW);
    assert.notEqual(v.kind, "open", `bit ${bit} opened`);
    counts.set(reason(v), (counts.get(reason(v)) ?? 0) + 1);
  }
  assert.deepEqual(
    [...counts.keys()].sort(),
    ["bad-seal"].concat(counts.has("bad-key") ? ["bad-key"] : []).sort(),
  );
});
