/**
 * SPA keys: raw 32-byte X25519 and Ed25519 keys as node:crypto key objects, their base64url text, and the
 * key files `knocktool keygen` writes (docs/spa.md, "Key files"). Pure: randomness comes from the caller.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

// DER prefixes of a raw 32-byte key in PKCS#8 (private) and SubjectPublicKeyInfo (public) form
// (RFC 8410: OIDs 1.3.101.110 X25519 and 1.3.101.112 Ed25519).
const PKCS8 = { x25519: "302e020100300506032b656e04220420", ed25519: "302e020100300506032b657004220420" };
const SPKI = { x25519: "302a300506032b656e032100", ed25519: "302a300506032b6570032100" };

/** The two curves SPA uses: X25519 (the server's static key, the client's ephemeral) and Ed25519 (users). */
export type Curve = "x25519" | "ed25519";

/** Length of every raw key, secret and public, in bytes. */
export const KEY_BYTES = 32;

/**
 * A private key object from its raw 32 bytes.
 *
 * @param curve The curve.
 * @param raw The raw private key (an X25519 scalar or an Ed25519 seed).
 * @returns The key object.
 */
export function privateKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`a ${curve} private key is ${KEY_BYTES} bytes`);
  return createPrivateKey({
    key: Buffer.concat([Buffer.from(PKCS8[curve], "hex"), raw]),
    format: "der",
    type: "pkcs8",
  });
}

/**
 * A public key object from its raw 32 bytes.
 *
 * @param curve The curve.
 * @param raw The raw public key.
 * @returns The key object.
 */
export function publicKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`a ${curve} public key is ${KEY_BYTES} bytes`);
  return createPublicKey({
    key: Buffer.concat([Buffer.from(SPKI[curve], "hex"), raw]),
    format: "der",
    type: "spki",
  });
}

/**
 * The raw public key of a raw private key.
 *
 * @param curve The curve.
 * @param raw The raw private key.
 * @returns The raw public key (32 bytes).
 */
export function publicKeyOf(curve: Curve, raw: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyObject(curve, raw)).export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.length - KEY_BYTES));
}

/**
 * Base64url without padding (RFC 4648 §5), the text form of every key and secret.
 *
 * @param bytes The bytes.
 * @returns The text.
 */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/**
 * Reads base64url text of exactly `length` bytes.
 *
 * @param text The text (no padding, no spaces).
 * @param length The expected number of bytes.
 * @returns The bytes, or `undefined` when the text is not that.
 */
export function fromBase64Url(text: string, length = KEY_BYTES): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  return bytes.length === length && toBase64Url(bytes) === text ? bytes : undefined;
}

/** A server key file: the X25519 static private key and the doors' mac1 secret. */
export interface ServerKey {
  /** The X25519 static private key (32 bytes). */
  readonly privateKey: Uint8Array;
  /** The mac1 secret (32 bytes): given to every user in the enrolment bundle, checked before any public-key work. */
  readonly mac1: Uint8Array;
}

/** A user key file: the user's name and Ed25519 private key (seed). */
export interface UserKey {
  /** The user's name, as in the server's users file. */
  readonly name: string;
  /** The Ed25519 seed (32 bytes). */
  readonly privateKey: Uint8Array;
}

/** A user name: 1 to 64 of `A-Z a-z 0-9 . _ @ -`, not starting with `-`. */
export const USER_NAME = /^[A-Za-z0-9._@][A-Za-z0-9._@-]{0,63}$/;

/** The first line of a server key file. */
export const SERVER_KEY_HEADER = "# knocktool SPA server key v1 (secret: mode 0600, never share)";
/** The first line of a user key file. */
export const USER_KEY_HEADER = "# knocktool SPA user key v1 (secret: mode 0600, never share)";

/** A key file read, or the line and reason it is refused at. */
export type KeyFileRead<T> =
  | { readonly ok: true; readonly key: T }
  | { readonly ok: false; readonly line: number; readonly message: string };

function fields(
  text: string,
): Map<string, { value: string; line: number }> | { line: number; message: string } {
  const out = new Map<string, { value: string; line: number }>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-z0-9-]+)\s*=\s*(\S+)$/.exec(line);
    if (m === null) return { line: i + 1, message: `expected "key = value", not "${line.slice(0, 60)}"` };
    if (out.has(m[1]!)) return { line: i + 1, message: `"${m[1]}" given twice` };
    out.set(m[1]!, { value: m[2]!, line: i + 1 });
  }
  return out;
}

function bytesField(
  f: Map<string, { value: string; line: number }>,
  name: string,
): Uint8Array | { line: number; message: string } {
  const entry = f.get(name);
  if (entry === undefined) return { line: 1, message: `no "${name} = ..." line` };
  const bytes = fromBase64Url(entry.value);
  return bytes ??
    { line: entry.line, message: `"${name}" must be ${KEY_BYTES} bytes in base64url (43 characters)` };
}

/**
 * Reads a server key file (`x25519-private = ...`, `mac1-secret = ...`).
 *
 * @param text The file's text.
 * @returns The key, or the line and reason it is refused at.
 */
export function parseServerKey(text: string): KeyFileRead<ServerKey> {
  const f = fields(text);
  if (!(f instanceof Map)) return { ok: false, ...f };
  const privateKey = bytesField(f, "x25519-private");
  if (!(privateKey instanceof Uint8Array)) return { ok: false, ...privateKey };
  const mac1 = bytesField(f, "mac1-secret");
  if (!(mac1 instanceof Uint8Array)) return { ok: false, ...mac1 };
  return { ok: true, key: { privateKey, mac1 } };
}

/**
 * The text of a server key file.
 *
 * @param key The key.
 * @returns The file's text (with its public key as a comment).
 */
export function formatServerKey(key: ServerKey): string {
  return `${SERVER_KEY_HEADER}\n# public: ${
    toBase64Url(publicKeyOf("x25519", key.privateKey))
  }\nx25519-private = ${toBase64Url(key.privateKey)}\nmac1-secret = ${toBase64Url(key.mac1)}\n`;
}

/**
 * Reads a user key file (`name = ...`, `ed25519-private = ...`).
 *
 * @param text The file's text.
 * @returns The key, or the line and reason it is refused at.
 */
export function parseUserKey(text: string): KeyFileRead<UserKey> {
  const f = fields(text);
  if (!(f instanceof Map)) return { ok: false, ...f };
  const name = f.get("name");
  if (name === undefined) return { ok: false, line: 1, message: `no "name = ..." line` };
  if (!USER_NAME.test(name.value)) {
    return {
      ok: false,
      line: name.line,
      message: `"${name.value}" is not a user name (1 to 64 of A-Z a-z 0-9 . _ @ -)`,
    };
  }
  const privateKey = bytesField(f, "ed25519-private");
  if (!(privateKey instanceof Uint8Array)) return { ok: false, ...privateKey };
  return { ok: true, key: { name: name.value, privateKey } };
}

/**
 * The text of a user key file.
 *
 * @param key The key.
 * @returns The file's text (with the users-file line as a comment).
 */
export function formatUserKey(key: UserKey): string {
  return `${USER_KEY_HEADER}\n# users file line: ${key.name} ${
    toBase64Url(publicKeyOf("ed25519", key.privateKey))
  }\nname = ${key.name}\ned25519-private = ${toBase64Url(key.privateKey)}\n`;
}
