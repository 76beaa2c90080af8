/**
 * fwknop's cryptography (Rijndael mode): OpenSSL's `EVP_BytesToKey` with MD5 and one iteration (what fwknop
 * calls PBKDF1) for the AES-256 key and IV from the KEY and an 8-byte salt, AES-256-CBC with PKCS#7 padding,
 * the HMAC over the base64 ciphertext and the inner digest over the plaintext. Synchronous `node:crypto`
 * (WebCrypto has no MD5 and is asynchronous); no randomness here: the salt comes in.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The digest types fwknop names (`HMAC_DIGEST_TYPE`, the client's `-m`/`--hmac-digest-type`). */
export type FwknopDigest = "MD5" | "SHA1" | "SHA256" | "SHA384" | "SHA512" | "SHA3_256" | "SHA3_512";

/** Every digest type, in fwknop's numbering order. */
export const FWKNOP_DIGESTS: readonly FwknopDigest[] = [
  "MD5",
  "SHA1",
  "SHA256",
  "SHA384",
  "SHA512",
  "SHA3_256",
  "SHA3_512",
];

const NODE_NAMES: Readonly<Record<FwknopDigest, string>> = {
  MD5: "md5",
  SHA1: "sha1",
  SHA256: "sha256",
  SHA384: "sha384",
  SHA512: "sha512",
  SHA3_256: "sha3-256",
  SHA3_512: "sha3-512",
};

const DIGEST_BYTES: Readonly<Record<FwknopDigest, number>> = {
  MD5: 16,
  SHA1: 20,
  SHA256: 32,
  SHA384: 48,
  SHA512: 64,
  SHA3_256: 32,
  SHA3_512: 64,
};

/** Length of a digest's base64 text without `=` padding (how the server slices the HMAC off the packet). */
export function digestB64Length(type: FwknopDigest): number {
  return Math.ceil((DIGEST_BYTES[type] * 4) / 3);
}

/** The digest type a name gives (`sha256`, `SHA3_256`, `sha3-256`: case and `-`/`_` do not matter). */
export function parseDigestName(name: string): FwknopDigest | undefined {
  const n = name.trim().toUpperCase().replace("-", "_");
  return (FWKNOP_DIGESTS as readonly string[]).includes(n) ? n as FwknopDigest : undefined;
}

/** A hash of `data`. */
export function hash(type: FwknopDigest, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash(NODE_NAMES[type]).update(data).digest());
}

/** An HMAC of `data` under `key` (RFC 2104, as fwknop's own implementation). */
export function hmac(type: FwknopDigest, key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac(NODE_NAMES[type], key).update(data).digest());
}

/** Whether two byte strings are equal, in time that depends on their length only. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * OpenSSL's `EVP_BytesToKey(aes-256-cbc, md5, salt, key, 1)`: D_i = MD5(D_{i-1} ‖ key ‖ salt) until 48 bytes.
 *
 * @param key The passphrase bytes (fwknop's KEY, at most 32 bytes).
 * @param salt The 8-byte salt.
 * @returns The 32-byte AES key and the 16-byte IV.
 */
export function bytesToKey(key: Uint8Array, salt: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const out = new Uint8Array(48);
  let previous = new Uint8Array(0);
  for (let filled = 0; filled < 48; filled += 16) {
    previous = new Uint8Array(createHash("md5").update(previous).update(key).update(salt).digest());
    out.set(previous, filled);
  }
  return { key: out.slice(0, 32), iv: out.slice(32, 48) };
}

/**
 * Decrypts AES-256-CBC with PKCS#7 padding.
 *
 * @returns The plaintext, or `undefined` when the padding is wrong (a wrong key, almost always).
 */
export function decryptCbc(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  try {
    const d = createDecipheriv("aes-256-cbc", key, iv);
    const head = d.update(ciphertext);
    const tail = d.final();
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  } catch {
    return undefined;
  }
}

/** Encrypts AES-256-CBC with PKCS#7 padding. */
export function encryptCbc(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-cbc", key, iv);
  const head = c.update(plaintext);
  const tail = c.final();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}
