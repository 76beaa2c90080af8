import assert from "node:assert/strict";
import {
  counterBytes,
  derivedSequence,
  hmac,
  TOTP_RESERVED_PORTS,
  totpCandidates,
} from "../../../core/totp/mod.ts";

const key = new TextEncoder().encode("12345678901234567890");

Deno.test("totpCandidates: the range less ports under 1024, the reserved ports and the door's own", () => {
  const c = totpCandidates(1000, 1100, [1050]);
  assert.equal(c[0], 1024);
  assert.ok(!c.includes(1050) && !c.includes(1080) && c.includes(1100));
  assert.equal(c.length, 1100 - 1024 + 1 - 2);
  const all = totpCandidates(1, 65535, []);
  for (const p of TOTP_RESERVED_PORTS) assert.ok(!all.includes(p));
  assert.equal(all.length, 65535 - 1023 - TOTP_RESERVED_PORTS.length);
});

Deno.test("derivedSequence: the first knock is HMAC-SHA256 block 0's first number, as docs/totp.md says", () => {
  const candidates = totpCandidates(20000, 40000, []);
  const params = { key, length: 4, protocols: ["tcp"] as const, candidates };
  const info = new TextEncoder().encode("knocktool-totp-v1");
  const block = hmac("sha256", key, counterBytes(7n), info, new Uint8Array(4));
  const x = new DataView(block.buffer).getUint32(0);
  const m = candidates.length;
  assert.ok(x < Math.floor(2 ** 32 / m) * m); // not rejected for this key and counter
  const steps = derivedSequence(params, 7n);
  assert.equal(steps[0]!.port, candidates[x % m]);
  assert.equal(new Set(steps.map((s) => s.port)).size, 4);
  for (const s of steps) assert.ok(s.port >= 20000 && s.port <= 40000 && s.protocol === "tcp");
  assert.notDeepEqual(derivedSequence(params, 8n), steps);
});

Deno.test("derivedSequence: distinct ports even when the range holds exactly the knocks", () => {
  const params = {
    key,
    length: 5,
    protocols: ["tcp", "udp"] as const,
    candidates: totpCandidates(30000, 30004, []),
  };
  for (let t = 0n; t < 50n; t++) {
    const ports = derivedSequence(params, t).map((s) => s.port).sort();
    assert.deepEqual(ports, [30000, 30001, 30002, 30003, 30004]);
  }
  assert.throws(() => derivedSequence({ ...params, length: 6 }, 1n), RangeError);
});

Deno.test("derivedSequence: ports and protocols are drawn uniformly (chi-square over 4000 draws)", () => {
  const candidates = [40000, 40001, 40002, 40003, 40004];
  const params = { key, length: 1, protocols: ["tcp", "udp"] as const, candidates };
  const counts = new Map<string, number>();
  const draws = 4000;
  for (let t = 0n; t < BigInt(draws); t++) {
    const [k] = derivedSequence(params, t);
    const name = `${k!.port}/${k!.protocol}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  assert.equal(counts.size, 10);
  const expected = draws / 10;
  let chi = 0;
  for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
  assert.ok(chi < 27.9, `chi-square ${chi} (9 degrees of freedom, p = 0.001 at 27.9)`);
});
