/**
 * The enrolment bundle (docs/spa.md, "Enrolment"): what a client needs to knock at one door, as a URI
 * `knocktool-spa://HOST:PORT/DOOR?k=SERVER-PUBLIC&m=MAC1-SECRET` (host in brackets for IPv6, the door
 * percent-encoded, both keys in base64url). The mac1 secret in it is not a credential (it cannot open a
 * door without a user key) but keeps the door's public-key work for enrolled clients: share it only with
 * them. Pure.
 *
 * @module
 */
import { fromBase64Url, toBase64Url } from "./keys.ts";

/** The URI scheme. */
export const BUNDLE_SCHEME = "knocktool-spa:";

/** A door to knock at. */
export interface SpaBundle {
  /** Host name or address (IPv6 without brackets). */
  readonly host: string;
  /** The door's `SPA_Port`. */
  readonly port: number;
  /** The door's name. */
  readonly door: string;
  /** The server's static X25519 public key. */
  readonly serverPublic: Uint8Array;
  /** The mac1 secret. */
  readonly mac1: Uint8Array;
}

/**
 * The URI of a bundle.
 *
 * @param b The bundle.
 * @returns `knocktool-spa://...`.
 */
export function formatBundle(b: SpaBundle): string {
  const host = b.host.includes(":") ? `[${b.host}]` : b.host;
  return `knocktool-spa://${host}:${b.port}/${encodeURIComponent(b.door)}?k=${
    toBase64Url(b.serverPublic)
  }&m=${toBase64Url(b.mac1)}`;
}

/** A bundle read, or why not. */
export type BundleRead = { readonly ok: true; readonly bundle: SpaBundle } | {
  readonly ok: false;
  readonly reason: string;
};

/**
 * Reads a bundle URI.
 *
 * @param uri The URI.
 * @returns The bundle, or why the text is not one.
 */
export function parseBundle(uri: string): BundleRead {
  const m = /^knocktool-spa:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#[\]]+):(\d{1,5})\/([^?#]+)\?(.*)$/.exec(uri.trim());
  if (m === null) return { ok: false, reason: "not a knocktool-spa://HOST:PORT/DOOR?k=...&m=... URI" };
  const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { ok: false, reason: `port ${m[2]} out of range` };
  let door: string;
  try {
    door = decodeURIComponent(m[3]!);
  } catch {
    return { ok: false, reason: "the door name is not percent-encoded UTF-8" };
  }
  const params = new Map<string, string>();
  for (const pair of m[4]!.split("&")) {
    const eq = pair.indexOf("=");
    if (eq > 0) params.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const serverPublic = fromBase64Url(params.get("k") ?? "");
  if (serverPublic === undefined) {
    return { ok: false, reason: `"k" must be the server's public key (43 characters)` };
  }
  const mac1 = fromBase64Url(params.get("m") ?? "");
  if (mac1 === undefined) return { ok: false, reason: `"m" must be the mac1 secret (43 characters)` };
  return { ok: true, bundle: { host, port, door, serverPublic, mac1 } };
}
