/**
 * An fwknop SPA packet (Rijndael mode) on the wire: `Salted__ ‖ salt ‖ AES-256-CBC(message)` in base64
 * without padding and without its constant first ten characters (`U2FsdGVkX1`, the base64 of `Salted__`),
 * followed by the HMAC of the base64 text with those ten characters put back, in base64 without padding.
 * Decoding checks the HMAC first (constant time), then decrypts, then checks the message digest. Pure.
 *
 * @module
 */
import { decodeB64, encodeB64 } from "./base64.ts";
import {
  bytesToKey,
  constantTimeEqual,
  decryptCbc,
  digestB64Length,
  encryptCbc,
  type FwknopDigest,
  hmac,
} from "./crypto.ts";
import { decodeMessage, encodeMessage, type SpaFields } from "./message.ts";

/** The base64 of `Salted__`, stripped from packets. */
export const SALTED_PREFIX = "U2FsdGVkX1";
/** The shortest payload fwknopd considers (`MIN_SPA_DATA_SIZE`). */
export const MIN_SPA_BYTES = 140;
/** The longest payload fwknopd considers (`MAX_SPA_PACKET_LEN`). */
export const MAX_SPA_BYTES = 1500;
/** Longest Rijndael key fwknop accepts (`RIJNDAEL_MAX_KEYSIZE`), bytes. */
export const MAX_KEY_BYTES = 32;
/** Longest HMAC key fwknop accepts, bytes. */
export const MAX_HMAC_KEY_BYTES = 128;

/** The keys of one access.conf stanza (or one client stanza). */
export interface FwknopKeys {
  /** KEY (its bytes) or KEY_BASE64 (decoded). */
  readonly key: Uint8Array;
  /** HMAC_KEY or HMAC_KEY_BASE64; without it the packet carries no HMAC. */
  readonly hmacKey?: Uint8Array | undefined;
  /** HMAC_DIGEST_TYPE (SHA256 by default). */
  readonly hmacType: FwknopDigest;
}

/** Why a packet is refused. */
export type SpaFailure = "bad-mac" | "decrypt" | "format" | "digest";

/** A decoded packet, or why not. */
export type SpaDecode =
  | { readonly ok: true; readonly fields: SpaFields; readonly digestType: FwknopDigest }
  | { readonly ok: false; readonly reason: SpaFailure; readonly detail: string };

/** Whether a payload may be an SPA packet at all: its size, its alphabet, not starting with the prefix. */
export function plausibleSpa(payload: string): boolean {
  return payload.length >= MIN_SPA_BYTES && payload.length <= MAX_SPA_BYTES &&
    /^[A-Za-z0-9+/]+$/.test(payload) && !payload.startsWith(SALTED_PREFIX);
}

const encoder = new TextEncoder();

/**
 * Checks and decrypts a packet with one stanza's keys.
 *
 * @param payload The UDP payload as text.
 * @param keys The keys.
 * @returns The fields, or why not.
 */
export function decodeSpa(payload: string, keys: FwknopKeys): SpaDecode {
  let cipherText = payload;
  if (keys.hmacKey !== undefined) {
    const macLength = digestB64Length(keys.hmacType);
    if (payload.length <= macLength) {
      return { ok: false, reason: "bad-mac", detail: "too short for its HMAC" };
    }
    cipherText = payload.slice(0, payload.length - macLength);
    const given = encoder.encode(payload.slice(payload.length - macLength));
    const expected = encoder.encode(encodeB64(hmac(keys.hmacType, keys.hmacKey, SALTED_PREFIX + cipherText)));
    if (!constantTimeEqual(given, expected)) {
      return { ok: false, reason: "bad-mac", detail: "the HMAC does not match" };
    }
  }
  const raw = decodeB64(SALTED_PREFIX + cipherText);
  if (raw === undefined || raw.length < 32 || (raw.length - 16) % 16 !== 0) {
    return { ok: false, reason: "decrypt", detail: "not a Rijndael ciphertext" };
  }
  const { key, iv } = bytesToKey(keys.key, raw.subarray(8, 16));
  const plain = decryptCbc(key, iv, raw.subarray(16));
  if (plain === undefined) return { ok: false, reason: "decrypt", detail: "decryption failed (wrong KEY?)" };
  let text: string;
  try {
    text = new TextDecoder("ascii", { fatal: true }).decode(plain);
  } catch {
    return { ok: false, reason: "decrypt", detail: "decryption failed (wrong KEY?)" };
  }
  if (!/^[\x20-\x7e]+$/.test(text)) {
    return { ok: false, reason: "decrypt", detail: "decryption failed (wrong KEY?)" };
  }
  const decoded = decodeMessage(text);
  if (!decoded.ok) return decoded;
  return decoded;
}

/**
 * Encodes a packet as the fwknop client does.
 *
 * @param fields The message fields.
 * @param keys The keys.
 * @param salt 8 random bytes.
 * @param digestType The message digest (`-m`, SHA256 by default).
 * @returns The UDP payload as text.
 */
export function encodeSpa(
  fields: SpaFields,
  keys: FwknopKeys,
  salt: Uint8Array,
  digestType: FwknopDigest = "SHA256",
): string {
  if (salt.length !== 8) throw new RangeError("the salt is 8 bytes");
  const message = encoder.encode(encodeMessage(fields, digestType));
  const { key, iv } = bytesToKey(keys.key, salt);
  const sealed = encryptCbc(key, iv, message);
  const raw = new Uint8Array(16 + sealed.length);
  raw.set(encoder.encode("Salted__"), 0);
  raw.set(salt, 8);
  raw.set(sealed, 16);
  const b64 = encodeB64(raw);
  const cipherText = b64.slice(SALTED_PREFIX.length);
  if (keys.hmacKey === undefined) return cipherText;
  return cipherText + encodeB64(hmac(keys.hmacType, keys.hmacKey, b64));
}

/**
 * The replay-cache key of a packet: the SHA-256 of its payload in base64 without padding (fwknopd's).
 */
export { spaDigest } from "./_digest.ts";
