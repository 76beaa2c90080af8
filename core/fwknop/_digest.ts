/** The replay key of a payload. @module */
import { encodeB64 } from "./base64.ts";
import { hash } from "./crypto.ts";

/**
 * The replay-cache key of a packet: SHA-256 of the payload, base64 without padding (as fwknopd's cache).
 *
 * @param payload The UDP payload.
 * @returns The key.
 */
export function spaDigest(payload: Uint8Array | string): string {
  return encodeB64(hash("SHA256", payload));
}
