/**
 * fwknop's base64: the standard alphabet with the trailing `=` stripped. Pure.
 *
 * @module
 */

const B64 = /^[A-Za-z0-9+/]*$/;

/** Encodes bytes as base64 without `=` padding. */
export function encodeB64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/=+$/, "");
}

/** Encodes a string's UTF-8 bytes as base64 without `=` padding. */
export function encodeB64Text(text: string): string {
  return encodeB64(new TextEncoder().encode(text));
}

/**
 * Decodes base64 with or without `=` padding.
 *
 * @returns The bytes, or `undefined` when `text` is not base64 (a character outside the alphabet, a length
 *   of 1 modulo 4, or non-zero unused bits: only the canonical form decodes).
 */
export function decodeB64(text: string): Uint8Array | undefined {
  const bare = text.replace(/={1,2}$/, "");
  if (!B64.test(bare) || bare.length % 4 === 1) return undefined;
  let binary: string;
  try {
    binary = atob(bare + "=".repeat((4 - (bare.length % 4)) % 4));
  } catch {
    return undefined;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return encodeB64(out) === bare ? out : undefined;
}

/** Decodes base64 to UTF-8 text (`undefined` when it is not base64 or not UTF-8). */
export function decodeB64Text(text: string): string | undefined {
  const bytes = decodeB64(text);
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
