/**
 * The SPA datagram's layout (docs/spa.md, "Wire format"): sizes, offsets, and the request inside the
 * encryption, encoded to and decoded from its fixed 240-byte plaintext. Pure.
 *
 * ```text
 * datagram (305 bytes)  = version(1) | mac1(16) | ephemeral X25519 public(32) | ciphertext(240) | tag(16)
 * plaintext (240 bytes) = body, zero-padded to 176 bytes | Ed25519 signature(64)
 * body                  = user length(1) | user | timestamp ms(8, BE) | nonce(16) | address kind(1) |
 *                         address(0, 4 or 16) | door length(1) | door | duration s(4, BE)
 * ```
 *
 * @module
 */
import { USER_NAME } from "./keys.ts";

/** The protocol version, the datagram's first byte. */
export const SPA_VERSION = 1;
/** Bytes of mac1. */
export const MAC1_BYTES = 16;
/** Bytes of the plaintext (body and padding, then the signature). */
export const PLAINTEXT_BYTES = 240;
/** Bytes of the padded body: the plaintext before the signature. */
export const BODY_BYTES = 176;
/** Bytes of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** Bytes of the Poly1305 tag. */
export const TAG_BYTES = 16;
/** Bytes of the random nonce in the body. */
export const NONCE_BYTES = 16;
/** Offset of the ephemeral public key. */
export const EPHEMERAL_OFFSET: number = 1 + MAC1_BYTES;
/** Offset of the ciphertext. */
export const CIPHERTEXT_OFFSET: number = EPHEMERAL_OFFSET + 32;
/** Bytes of every SPA datagram. */
export const DATAGRAM_BYTES: number = CIPHERTEXT_OFFSET + PLAINTEXT_BYTES + TAG_BYTES;
/** Longest door name in a request, in UTF-8 bytes. */
export const MAX_DOOR_BYTES = 64;
/** Largest requested duration, seconds. */
export const MAX_DURATION_S = 0xffff_ffff;

/** What to open: the datagram's source address, or an address named by the client. */
export type RequestedAddress =
  | { readonly kind: "source" }
  | { readonly kind: 4 | 6; readonly bytes: Uint8Array };

/** The request a client signs and encrypts. */
export interface SpaRequest {
  /** The user's name (as in the server's users file). */
  readonly user: string;
  /** The client's clock, ms since the epoch. */
  readonly timestampMs: number;
  /** 16 random bytes. */
  readonly nonce: Uint8Array;
  /** The address to open. */
  readonly address: RequestedAddress;
  /** The door's name (its section name in the server's knockd.conf). */
  readonly door: string;
  /** Seconds the door should stay open; 0 for the door's own `Cmd_Timeout`. */
  readonly durationS: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes a request's body, zero-padded to {@linkcode BODY_BYTES}.
 *
 * @param request The request.
 * @returns The padded body.
 * @throws RangeError when a field is out of range.
 */
export function encodeBody(request: SpaRequest): Uint8Array {
  if (!USER_NAME.test(request.user)) throw new RangeError(`"${request.user}" is not a user name`);
  const door = encoder.encode(request.door);
  if (door.length < 1 || door.length > MAX_DOOR_BYTES) {
    throw new RangeError(`door name must be 1 to 64 bytes`);
  }
  if (request.nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  if (!Number.isSafeInteger(request.timestampMs) || request.timestampMs < 0) {
    throw new RangeError("bad timestamp");
  }
  if (!Number.isInteger(request.durationS) || request.durationS < 0 || request.durationS > MAX_DURATION_S) {
    throw new RangeError("bad duration");
  }
  const a = request.address;
  if (a.kind !== "source" && a.bytes.length !== (a.kind === 4 ? 4 : 16)) throw new RangeError("bad address");
  const body = new Uint8Array(BODY_BYTES);
  const view = new DataView(body.buffer);
  let at = 0;
  const user = encoder.encode(request.user);
  body[at++] = user.length;
  body.set(user, at);
  at += user.length;
  view.setBigUint64(at, BigInt(request.timestampMs));
  at += 8;
  body.set(request.nonce, at);
  at += NONCE_BYTES;
  body[at++] = a.kind === "source" ? 0 : a.kind;
  if (a.kind !== "source") {
    body.set(a.bytes, at);
    at += a.bytes.length;
  }
  body[at++] = door.length;
  body.set(door, at);
  at += door.length;
  view.setUint32(at, request.durationS);
  return body;
}

/** A body decoded, or why it is malformed. */
export type BodyRead = { readonly ok: true; readonly request: SpaRequest } | {
  readonly ok: false;
  readonly reason: string;
};

/**
 * Decodes a padded body (every byte after the fields must be zero).
 *
 * @param body The {@linkcode BODY_BYTES} bytes before the signature.
 * @returns The request, or why the body is malformed.
 */
export function decodeBody(body: Uint8Array): BodyRead {
  if (body.length !== BODY_BYTES) return { ok: false, reason: "wrong body length" };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  const userLength = body[at++]!;
  if (userLength < 1 || userLength > 64) return { ok: false, reason: "user name length out of range" };
  let user: string;
  try {
    user = decoder.decode(body.subarray(at, at + userLength));
  } catch {
    return { ok: false, reason: "user name is not UTF-8" };
  }
  if (!USER_NAME.test(user)) {
    return { ok: false, reason: "user name has characters outside A-Z a-z 0-9 . _ @ -" };
  }
  at += userLength;
  const ts = view.getBigUint64(at);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: "timestamp out of range" };
  at += 8;
  const nonce = body.slice(at, at + NONCE_BYTES);
  at += NONCE_BYTES;
  const kind = body[at++]!;
  let address: RequestedAddress;
  if (kind === 0) address = { kind: "source" };
  else if (kind === 4 || kind === 6) {
    const n = kind === 4 ? 4 : 16;
    address = { kind, bytes: body.slice(at, at + n) };
    at += n;
  } else return { ok: false, reason: `unknown address kind ${kind}` };
  const doorLength = body[at++]!;
  if (doorLength < 1 || doorLength > MAX_DOOR_BYTES) {
    return { ok: false, reason: "door name length out of range" };
  }
  let door: string;
  try {
    door = decoder.decode(body.subarray(at, at + doorLength));
  } catch {
    return { ok: false, reason: "door name is not UTF-8" };
  }
  at += doorLength;
  const durationS = view.getUint32(at);
  at += 4;
  for (let i = at; i < BODY_BYTES; i++) {
    if (body[i] !== 0) return { ok: false, reason: "padding is not zero" };
  }
  return { ok: true, request: { user, timestampMs: Number(ts), nonce, address, door, durationS } };
}
