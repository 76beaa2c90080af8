/**
 * RFC 4226 HOTP and RFC 6238 TOTP: the HMAC of a moving counter, truncated to a code of some digits; and the
 * time step a moment falls in. Pure: the time comes in as milliseconds, the HMAC is node:crypto's
 * (synchronous).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hotp, totpCounter } from "./hotp.ts";
 *
 * const key = new TextEncoder().encode("12345678901234567890");
 * assert.equal(totpCounter(59_000, 30), 1n);
 * assert.equal(hotp(key, 1n, { digits: 8 }), "94287082"); // RFC 6238 appendix B, SHA-1, T = 59 s
 * ```
 *
 * @module
 */
import { createHmac } from "node:crypto";

/** The HMAC hash functions RFC 6238 names. */
export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

/**
 * The 8-byte big-endian form of a counter (RFC 4226 section 5.2).
 *
 * @param counter From 0 to 2^64 - 1.
 * @returns The eight bytes.
 */
export function counterBytes(counter: bigint): Uint8Array {
  if (counter < 0n || counter > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`counter out of range: ${counter}`);
  }
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, counter);
  return bytes;
}

/**
 * HMAC of `message` under `key`.
 *
 * @param algorithm The hash.
 * @param key The key.
 * @param message The message parts, concatenated.
 * @returns The MAC.
 */
export function hmac(algorithm: TotpAlgorithm, key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const mac = createHmac(algorithm, key);
  for (const part of message) mac.update(part);
  return new Uint8Array(mac.digest());
}

/**
 * RFC 4226 HOTP: HMAC of the counter, dynamically truncated to `digits` decimal digits.
 *
 * @param key The shared secret.
 * @param counter The moving factor.
 * @param options The hash (default SHA-1) and the number of digits (default 6, at most 10).
 * @returns The code, zero-padded.
 */
export function hotp(
  key: Uint8Array,
  counter: bigint,
  options: { readonly algorithm?: TotpAlgorithm; readonly digits?: number } = {},
): string {
  const digits = options.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 10) throw new RangeError(`digits: ${digits}`);
  const mac = hmac(options.algorithm ?? "sha1", key, counterBytes(counter));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24 | mac[offset + 1]! << 16 | mac[offset + 2]! << 8 |
    mac[offset + 3]!) >>> 0;
  return (BigInt(binary) % 10n ** BigInt(digits)).toString().padStart(digits, "0");
}

/**
 * RFC 6238's time counter: the number of whole steps since the Unix epoch (T0 = 0).
 *
 * @param nowMs The time, ms since the epoch.
 * @param stepSeconds The step (X), seconds.
 * @returns T = floor(now / X).
 */
export function totpCounter(nowMs: number, stepSeconds: number): bigint {
  return BigInt(Math.floor(nowMs / (stepSeconds * 1000)));
}

/**
 * When a step starts, ms since the epoch.
 *
 * @param counter The step's counter.
 * @param stepSeconds The step, seconds.
 * @returns Its first millisecond.
 */
export function stepStartMs(counter: bigint, stepSeconds: number): number {
  return Number(counter) * stepSeconds * 1000;
}
