import assert from "node:assert/strict";
import { decodeBase32, encodeBase32, hotp, stepStartMs, totpCounter } from "../../../core/totp/mod.ts";

const enc = new TextEncoder();
const KEYS = {
  sha1: enc.encode("12345678901234567890"),
  sha256: enc.encode("12345678901234567890123456789012"),
  sha512: enc.encode("1234567890123456789012345678901234567890123456789012345678901234"),
} as const;

// RFC 6238 appendix B: time (s), T (hex), TOTP for SHA-1, SHA-256, SHA-512 (8 digits, X = 30).
const APPENDIX_B: readonly [number, string, string, string, string][] = [
  [59, "0000000000000001", "94287082", "46119246", "90693936"],
  [1111111109, "00000000023523EC", "07081804", "68084774", "25091201"],
  [1111111111, "00000000023523ED", "14050471", "67062674", "99943326"],
  [1234567890, "000000000273EF07", "89005924", "91819424", "93441116"],
  [2000000000, "0000000003F940AA", "69279037", "90698825", "38618901"],
  [20000000000, "0000000027BC86AA", "65353130", "77737706", "47863826"],
];

Deno.test("RFC 6238 appendix B: every row, SHA-1, SHA-256 and SHA-512", () => {
  for (const [seconds, t, sha1, sha256, sha512] of APPENDIX_B) {
    const counter = totpCounter(seconds * 1000, 30);
    assert.equal(counter.toString(16).toUpperCase().padStart(16, "0"), t, `T at ${seconds}`);
    assert.equal(hotp(KEYS.sha1, counter, { algorithm: "sha1", digits: 8 }), sha1, `SHA-1 at ${seconds}`);
    assert.equal(
      hotp(KEYS.sha256, counter, { algorithm: "sha256", digits: 8 }),
      sha256,
      `SHA-256 at ${seconds}`,
    );
    assert.equal(
      hotp(KEYS.sha512, counter, { algorithm: "sha512", digits: 8 }),
      sha512,
      `SHA-512 at ${seconds}`,
    );
  }
});

Deno.test("RFC 4226 appendix D: HOTP values for counters 0 to 9", () => {
  const expected = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
  ];
  expected.forEach((code, counter) => assert.equal(hotp(KEYS.sha1, BigInt(counter)), code));
});

Deno.test("totpCounter and stepStartMs: a step's first and last millisecond", () => {
  assert.equal(totpCounter(29_999, 30), 0n);
  assert.equal(totpCounter(30_000, 30), 1n);
  assert.equal(stepStartMs(1n, 30), 30_000);
  assert.equal(totpCounter(stepStartMs(123_456n, 10), 10), 123_456n);
});

Deno.test("base32: RFC 4648 vectors, case, spaces and padding ignored, bad text refused", () => {
  assert.deepEqual(decodeBase32("MZXW6YTBOI======"), enc.encode("foobar"));
  assert.deepEqual(decodeBase32("mzxw 6ytb-oi"), enc.encode("foobar"));
  assert.equal(encodeBase32(enc.encode("foobar")), "MZXW6YTBOI");
  assert.deepEqual(decodeBase32(encodeBase32(KEYS.sha1)), KEYS.sha1);
  assert.equal(decodeBase32(""), undefined);
  assert.equal(decodeBase32("MZXW1"), undefined); // 1 is not base32
  assert.equal(decodeBase32("MZXW6YTBO"), undefined); // 9 characters: no whole number of bytes
});
