/**
 * Sealing and opening an SPA datagram (docs/spa.md, "Cryptography"): mac1 (keyed BLAKE2s, @noble/hashes), X25519 to the server's static
 * key, HKDF-SHA256, ChaCha20-Poly1305, and the user's Ed25519 signature through node:crypto. Pure: the
 * ephemeral key and the nonce come from the caller.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  hkdfSync,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { blake2s } from "@noble/hashes/blake2.js";
import { privateKeyObject, publicKeyObject, publicKeyOf } from "./keys.ts";
import {
  BODY_BYTES,
  CIPHERTEXT_OFFSET,
  DATAGRAM_BYTES,
  encodeBody,
  EPHEMERAL_OFFSET,
  MAC1_BYTES,
  PLAINTEXT_BYTES,
  SIGNATURE_BYTES,
  SPA_VERSION,
  type SpaRequest,
  TAG_BYTES,
} from "./wire.ts";

const encoder = new TextEncoder();
/** Context prefixes (domain separation), ASCII. */
const AEAD_INFO = encoder.encode("knocktool-spa/1 aead");
const SIG_LABEL = encoder.encode("knocktool-spa/1 sig");
const ZERO_NONCE = new Uint8Array(12);

/**
 * mac1 of a datagram: keyed BLAKE2s with a 16-byte output (RFC 7693, as WireGuard's mac1), keyed with the
 * mac1 secret, over version | ephemeral | ciphertext | tag (every byte but mac1 itself).
 *
 * @param secret The mac1 secret (32 bytes).
 * @param datagram The datagram ({@linkcode DATAGRAM_BYTES}; its mac1 bytes are not read).
 * @returns The 16 bytes.
 */
export function computeMac1(secret: Uint8Array, datagram: Uint8Array): Uint8Array {
  return blake2s.create({ key: secret, dkLen: MAC1_BYTES })
    .update(datagram.subarray(0, 1))
    .update(datagram.subarray(EPHEMERAL_OFFSET))
    .digest();
}

/**
 * Whether a datagram's mac1 is right (constant-time comparison).
 *
 * @param secret The mac1 secret.
 * @param datagram A datagram of {@linkcode DATAGRAM_BYTES}.
 * @returns True when it is.
 */
export function checkMac1(secret: Uint8Array, datagram: Uint8Array): boolean {
  return timingSafeEqual(computeMac1(secret, datagram), datagram.subarray(1, 1 + MAC1_BYTES));
}

function aeadKey(shared: Uint8Array, ephemeral: Uint8Array, serverPublic: Uint8Array): Buffer {
  const salt = Buffer.concat([ephemeral, serverPublic]);
  return Buffer.from(hkdfSync("sha256", shared, salt, AEAD_INFO, 32));
}

/**
 * The message the user signs: label | server public | version | ephemeral public | padded body.
 *
 * @param serverPublic The server's static public key.
 * @param ephemeral The ephemeral public key.
 * @param body The padded body.
 * @returns The bytes signed.
 */
export function signedMessage(serverPublic: Uint8Array, ephemeral: Uint8Array, body: Uint8Array): Uint8Array {
  return Buffer.concat([SIG_LABEL, serverPublic, Uint8Array.of(SPA_VERSION), ephemeral, body]);
}

/** What a client needs to seal a request. */
export interface SealInput {
  /** The server's static X25519 public key (enrolment bundle). */
  readonly serverPublic: Uint8Array;
  /** The mac1 secret (enrolment bundle). */
  readonly mac1: Uint8Array;
  /** The user's Ed25519 seed. */
  readonly userPrivate: Uint8Array;
  /** A fresh X25519 private key, used once. */
  readonly ephemeralPrivate: Uint8Array;
  /** The request. */
  readonly request: SpaRequest;
}

/**
 * Seals a request into a datagram.
 *
 * @param input Keys and request.
 * @returns The {@linkcode DATAGRAM_BYTES} bytes to send.
 */
export function sealSpa(input: SealInput): Uint8Array {
  const ephemeral = publicKeyOf("x25519", input.ephemeralPrivate);
  const body = encodeBody(input.request);
  const signature = sign(
    null,
    signedMessage(input.serverPublic, ephemeral, body),
    privateKeyObject("ed25519", input.userPrivate),
  );
  const shared = diffieHellman({
    privateKey: privateKeyObject("x25519", input.ephemeralPrivate),
    publicKey: publicKeyObject("x25519", input.serverPublic),
  });
  const cipher = createCipheriv(
    "chacha20-poly1305",
    aeadKey(shared, ephemeral, input.serverPublic),
    ZERO_NONCE,
    {
      authTagLength: TAG_BYTES,
    },
  );
  cipher.setAAD(Buffer.concat([Uint8Array.of(SPA_VERSION), ephemeral]), { plaintextLength: PLAINTEXT_BYTES });
  const sealed = Buffer.concat([
    cipher.update(Buffer.concat([body, signature])),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const datagram = new Uint8Array(DATAGRAM_BYTES);
  datagram[0] = SPA_VERSION;
  datagram.set(ephemeral, EPHEMERAL_OFFSET);
  datagram.set(sealed, CIPHERTEXT_OFFSET);
  datagram.set(computeMac1(input.mac1, datagram), 1);
  return datagram;
}

/** The server's keys, ready to open datagrams. */
export interface ServerKeys {
  /** The static X25519 private key. */
  readonly privateKey: KeyObject;
  /** Its raw public key. */
  readonly publicKey: Uint8Array;
  /** The mac1 secret. */
  readonly mac1: Uint8Array;
}

/**
 * The server's key objects from a server key file's bytes.
 *
 * @param privateKey The X25519 private key.
 * @param mac1 The mac1 secret.
 * @returns The keys.
 */
export function serverKeys(privateKey: Uint8Array, mac1: Uint8Array): ServerKeys {
  return {
    privateKey: privateKeyObject("x25519", privateKey),
    publicKey: publicKeyOf("x25519", privateKey),
    mac1: mac1.slice(),
  };
}

/** A datagram decrypted: its ephemeral key, padded body and signature (not yet checked). */
export type Unsealed =
  | {
    readonly ok: true;
    readonly ephemeral: Uint8Array;
    readonly body: Uint8Array;
    readonly signature: Uint8Array;
  }
  | { readonly ok: false; readonly reason: "bad-key" | "bad-seal" };

/**
 * Decrypts a datagram whose mac1 was checked: X25519, HKDF, ChaCha20-Poly1305.
 *
 * @param keys The server's keys.
 * @param datagram A datagram of {@linkcode DATAGRAM_BYTES}.
 * @returns The plaintext's parts, or `bad-key` (an ephemeral key X25519 refuses, such as a low-order point)
 *   or `bad-seal` (the tag does not verify: another server's key, or a changed byte).
 */
export function unseal(keys: ServerKeys, datagram: Uint8Array): Unsealed {
  const ephemeral = datagram.slice(EPHEMERAL_OFFSET, CIPHERTEXT_OFFSET);
  let shared: Uint8Array;
  try {
    shared = diffieHellman({ privateKey: keys.privateKey, publicKey: publicKeyObject("x25519", ephemeral) });
  } catch {
    return { ok: false, reason: "bad-key" };
  }
  if (shared.every((b) => b === 0)) return { ok: false, reason: "bad-key" };
  const decipher = createDecipheriv(
    "chacha20-poly1305",
    aeadKey(shared, ephemeral, keys.publicKey),
    ZERO_NONCE,
    {
      authTagLength: TAG_BYTES,
    },
  );
  decipher.setAAD(Buffer.concat([datagram.subarray(0, 1), ephemeral]), { plaintextLength: PLAINTEXT_BYTES });
  decipher.setAuthTag(datagram.subarray(DATAGRAM_BYTES - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([
      decipher.update(datagram.subarray(CIPHERTEXT_OFFSET, DATAGRAM_BYTES - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return { ok: false, reason: "bad-seal" };
  }
  if (plain.length !== PLAINTEXT_BYTES) return { ok: false, reason: "bad-seal" };
  return {
    ok: true,
    ephemeral,
    body: new Uint8Array(plain.subarray(0, BODY_BYTES)),
    signature: new Uint8Array(plain.subarray(BODY_BYTES, BODY_BYTES + SIGNATURE_BYTES)),
  };
}

/**
 * Checks the user's signature.
 *
 * @param userPublic The user's Ed25519 public key object.
 * @param serverPublic The server's static public key.
 * @param unsealed The decrypted datagram.
 * @returns True when the user signed this body for this server and this ephemeral key.
 */
export function checkSignature(
  userPublic: KeyObject,
  serverPublic: Uint8Array,
  unsealed: { readonly ephemeral: Uint8Array; readonly body: Uint8Array; readonly signature: Uint8Array },
): boolean {
  try {
    return verify(
      null,
      signedMessage(serverPublic, unsealed.ephemeral, unsealed.body),
      userPublic,
      unsealed.signature,
    );
  } catch {
    return false;
  }
}
