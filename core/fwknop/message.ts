/**
 * The plaintext of an fwknop SPA packet (protocol 3.0.0): `:`-separated fields, the text ones in base64
 * without padding, ending with a digest of everything before it. Pure.
 *
 *     rand : b64(user) : timestamp : 3.0.0 : type : b64(message) [: b64(nat)] [: b64(auth)] [: timeout] : digest
 *
 * @module
 */
import { decodeB64Text, encodeB64, encodeB64Text } from "./base64.ts";
import { constantTimeEqual, digestB64Length, type FwknopDigest, hash } from "./crypto.ts";

/** fwknop's protocol version string. */
export const FWKNOP_VERSION = "3.0.0";

/** fwknop's message types. */
export const MessageType = {
  command: 0,
  access: 1,
  natAccess: 2,
  clientTimeoutAccess: 3,
  clientTimeoutNatAccess: 4,
  localNatAccess: 5,
  clientTimeoutLocalNatAccess: 6,
} as const;

const NAT_TYPES: readonly number[] = [2, 4, 5, 6];
const TIMEOUT_TYPES: readonly number[] = [3, 4, 6];

/** The fields of an SPA message. */
export interface SpaFields {
  /** 16 decimal digits. */
  readonly random: string;
  /** The client's user name (`-U`, else its login). */
  readonly username: string;
  /** Unix seconds as the client's clock said. */
  readonly timestamp: number;
  /** The protocol version (`3.0.0`). */
  readonly version: string;
  /** The message type ({@linkcode MessageType}). */
  readonly type: number;
  /** `ip,proto/port[,proto/port...]` for access messages, `ip,command` for command messages. */
  readonly message: string;
  /** NAT access (`ip,port`), for the NAT types. */
  readonly natAccess?: string | undefined;
  /** The server auth field (`-a` of old clients' command mode), if any. */
  readonly serverAuth?: string | undefined;
  /** Seconds the client asks the access to last (`-f`), for the timeout types. */
  readonly clientTimeout?: number | undefined;
}

/** Limits of fko_limits.h. */
const MAX_USERNAME = 64;
const MAX_MESSAGE = 256;
const MAX_NAT = 128;
const MAX_AUTH = 64;

/** The digest types by the length of their base64 text (the server tells them apart so). */
function digestCandidates(length: number): readonly FwknopDigest[] {
  switch (length) {
    case 22:
      return ["MD5"];
    case 27:
      return ["SHA1"];
    case 43:
      return ["SHA256", "SHA3_256"];
    case 64:
      return ["SHA384"];
    case 86:
      return ["SHA512", "SHA3_512"];
    default:
      return [];
  }
}

/** A decoded message, or why it is refused. */
export type MessageDecode =
  | { readonly ok: true; readonly fields: SpaFields; readonly digestType: FwknopDigest }
  | { readonly ok: false; readonly reason: "format" | "digest"; readonly detail: string };

function fail(reason: "format" | "digest", detail: string): MessageDecode {
  return { ok: false, reason, detail };
}

/**
 * Decodes the plaintext of an SPA message and checks its digest (constant time).
 *
 * @param text The decrypted plaintext.
 * @returns The fields, or why not.
 */
export function decodeMessage(text: string): MessageDecode {
  const cut = text.lastIndexOf(":");
  if (cut < 0) return fail("format", "no fields");
  const body = text.slice(0, cut);
  const digestText = text.slice(cut + 1);
  const candidates = digestCandidates(digestText.length);
  if (candidates.length === 0) return fail("format", `digest of unknown length ${digestText.length}`);
  const given = new TextEncoder().encode(digestText);
  const digestType = candidates.find((type) =>
    constantTimeEqual(new TextEncoder().encode(encodeB64(hash(type, body))), given)
  );
  if (digestType === undefined) return fail("digest", "the message digest does not match");
  const parts = body.split(":");
  if (parts.length < 6 || parts.length > 9) return fail("format", `${parts.length + 1} fields`);
  const [random, user, time, version, type, message, ...rest] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  if (!/^\d{16}$/.test(random)) return fail("format", "the random value is not 16 digits");
  const username = decodeB64Text(user);
  if (username === undefined || username.length > MAX_USERNAME) return fail("format", "bad username");
  if (!/^\d{1,12}$/.test(time)) return fail("format", "bad timestamp");
  if (!/^\d+\.\d+\.\d+$/.test(version)) return fail("format", "bad version");
  if (!/^\d$/.test(type) || Number(type) > 6) return fail("format", `unknown message type ${type}`);
  const t = Number(type);
  const msg = decodeB64Text(message);
  if (msg === undefined || msg.length > MAX_MESSAGE) return fail("format", "bad message");
  let natAccess: string | undefined;
  let serverAuth: string | undefined;
  let clientTimeout: number | undefined;
  if (NAT_TYPES.includes(t)) {
    const nat = rest.shift();
    natAccess = nat === undefined ? undefined : decodeB64Text(nat);
    if (natAccess === undefined || natAccess.length > MAX_NAT) return fail("format", "bad NAT access");
  }
  if (TIMEOUT_TYPES.includes(t)) {
    const timeout = rest.pop();
    if (timeout === undefined || !/^\d{1,9}$/.test(timeout)) return fail("format", "bad client timeout");
    clientTimeout = Number(timeout);
  }
  if (rest.length > 1) return fail("format", "too many fields");
  if (rest.length === 1) {
    serverAuth = decodeB64Text(rest[0]!);
    if (serverAuth === undefined || serverAuth.length > MAX_AUTH) return fail("format", "bad server auth");
  }
  return {
    ok: true,
    digestType,
    fields: {
      random,
      username,
      timestamp: Number(time),
      version,
      type: t,
      message: msg,
      natAccess,
      serverAuth,
      clientTimeout,
    },
  };
}

/**
 * Encodes an SPA message with its digest, as the fwknop client does.
 *
 * @param fields The fields.
 * @param digestType The digest (`-m`, SHA256 by default).
 * @returns The plaintext.
 */
export function encodeMessage(fields: SpaFields, digestType: FwknopDigest = "SHA256"): string {
  const parts = [
    fields.random,
    encodeB64Text(fields.username),
    String(fields.timestamp),
    fields.version,
    String(fields.type),
    encodeB64Text(fields.message),
  ];
  if (fields.natAccess !== undefined) parts.push(encodeB64Text(fields.natAccess));
  if (fields.serverAuth !== undefined) parts.push(encodeB64Text(fields.serverAuth));
  if (fields.clientTimeout !== undefined) parts.push(String(fields.clientTimeout));
  const body = parts.join(":");
  const digest = encodeB64(hash(digestType, body));
  if (digest.length !== digestB64Length(digestType)) throw new Error("digest length");
  return `${body}:${digest}`;
}

/** An access request of an access message: the allow address and the `proto/port` pairs. */
export interface AccessRequest {
  readonly allow: string;
  readonly ports: readonly { readonly proto: "tcp" | "udp"; readonly port: number }[];
}

/**
 * Parses an access message, `ip,proto/port[,proto/port...]`.
 *
 * @returns The request, or `undefined` when it is malformed.
 */
export function parseAccessMessage(message: string): AccessRequest | undefined {
  const [allow, ...specs] = message.split(",");
  if (allow === undefined || specs.length === 0) return undefined;
  const ports: { proto: "tcp" | "udp"; port: number }[] = [];
  for (const spec of specs) {
    const m = /^(tcp|udp)\/(\d{1,5})$/i.exec(spec.trim());
    const port = m === null ? NaN : Number(m[2]);
    if (m === null || !(port >= 0 && port <= 65535)) return undefined;
    ports.push({ proto: m[1]!.toLowerCase() as "tcp" | "udp", port });
  }
  return { allow: allow.trim(), ports };
}
