/**
 * Secrets in base32 (RFC 4648), as authenticator apps show and take them: case-insensitive, spaces and
 * `-` between groups ignored, `=` padding optional. The codec is `@scure/base`'s.
 *
 * @module
 */
import { base32 } from "@scure/base";

/**
 * Decodes a base32 secret.
 *
 * @param text The secret as written (`JBSW Y3DP-EHPK 3PXP`, `jbswy3dpehpk3pxp`).
 * @returns The bytes, or `undefined` when it is not base32 (or empty).
 */
export function decodeBase32(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  if (clean === "" || !/^[A-Z2-7]+$/.test(clean)) return undefined;
  // A length of 1, 3 or 6 characters mod 8 is no whole number of bytes.
  if ([1, 3, 6].includes(clean.length % 8)) return undefined;
  try {
    return base32.decode(clean.padEnd(Math.ceil(clean.length / 8) * 8, "="));
  } catch {
    return undefined;
  }
}

/**
 * Encodes bytes as base32 without padding (what `otpauth://` URIs carry).
 *
 * @param bytes The secret.
 * @returns Upper-case base32, no `=`.
 */
export function encodeBase32(bytes: Uint8Array): string {
  return base32.encode(bytes).replace(/=+$/, "");
}
