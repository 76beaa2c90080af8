/**
 * Enrolment URIs of TOTP doors: `otpauth://totp/knocktool:DOOR?secret=...&issuer=knocktool&period=30` (what
 * authenticator apps store: the secret, the period), plus knocktool's own parameters, which apps ignore and
 * `knocktool knock --profile` reads back: `knocks`, `ports`, `protocol`, `skew`, `exclude` (docs/totp.md).
 * The 6-digit codes an app shows for it are not the ports; the app only keeps the secret safe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTotpUri, parseTotpUri } from "./uri.ts";
 *
 * const profile = {
 *   door: "ssh", secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", length: 4, protocols: ["tcp"] as const,
 *   low: 20000, high: 40000, stepSeconds: 30, skew: 1, exclude: [],
 * };
 * const uri = formatTotpUri(profile);
 * assert.ok(uri.startsWith("otpauth://totp/knocktool:ssh?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"));
 * assert.deepEqual(parseTotpUri(uri), { ok: true, profile });
 * ```
 *
 * @module
 */
/** What a client needs of a TOTP door to compute its sequences. */
export interface TotpProfile {
  /** The door's name (the URI's label after `knocktool:`). */
  readonly door: string;
  /** The secret, base32 without padding. */
  readonly secret: string;
  /** Knocks per sequence (`knocks`). */
  readonly length: number;
  /** The knocks' protocols, `tcp` before `udp` (`protocol`). */
  readonly protocols: readonly ("tcp" | "udp")[];
  /** First port of the range (`ports`). */
  readonly low: number;
  /** Last port of the range (`ports`). */
  readonly high: number;
  /** The step, seconds (`period`). */
  readonly stepSeconds: number;
  /** Steps accepted on either side (`skew`). */
  readonly skew: number;
  /** Ports never drawn (`exclude`). */
  readonly exclude: readonly number[];
}

/** The issuer named in the URIs. */
export const TOTP_ISSUER = "knocktool";

/** Writes a port list compactly: runs as `LOW-HIGH`. */
function ranges(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/**
 * The enrolment URI of a door.
 *
 * @param p The door's profile.
 * @returns The `otpauth://` URI.
 */
export function formatTotpUri(p: TotpProfile): string {
  const q = new URLSearchParams({
    secret: p.secret,
    issuer: TOTP_ISSUER,
    period: String(p.stepSeconds),
    knocks: String(p.length),
    ports: `${p.low}-${p.high}`,
    protocol: p.protocols.join(","),
    skew: String(p.skew),
  });
  if (p.exclude.length > 0) q.set("exclude", ranges(p.exclude));
  return `otpauth://totp/${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(p.door)}?${q}`;
}

function int(text: string | null, min: number, max: number): number | undefined {
  if (text === null || !/^\d{1,6}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/**
 * Reads an enrolment URI back.
 *
 * @param text The URI.
 * @returns The profile, or what is wrong with the URI.
 */
export function parseTotpUri(
  text: string,
): { readonly ok: true; readonly profile: TotpProfile } | { readonly ok: false; readonly error: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, error: "not a URI" };
  }
  if (url.protocol !== "otpauth:" || url.host !== "totp") {
    return { ok: false, error: "not an otpauth://totp/ URI" };
  }
  const label = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const door = label.includes(":") ? label.slice(label.indexOf(":") + 1) : label;
  const q = url.searchParams;
  const secret = (q.get("secret") ?? "").toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(secret)) return { ok: false, error: "no base32 secret" };
  const range = /^(\d{1,5})-(\d{1,5})$/.exec(q.get("ports") ?? "1024-65535");
  const protocols = (q.get("protocol") ?? "tcp").split(",");
  const length = int(q.get("knocks") ?? "4", 1, 32);
  const stepSeconds = int(q.get("period") ?? "30", 1, 86400);
  const skew = int(q.get("skew") ?? "1", 0, 10);
  const exclude: number[] = [];
  for (const item of (q.get("exclude") ?? "").split(",").filter((s) => s !== "")) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (m === null) return { ok: false, error: `bad exclude item "${item}"` };
    for (let port = Number(m[1]); port <= Number(m[2] ?? m[1]); port++) exclude.push(port);
  }
  if (range === null || Number(range[1]) > Number(range[2]) || Number(range[2]) > 65535) {
    return { ok: false, error: "bad ports range" };
  }
  if (protocols.some((p) => p !== "tcp" && p !== "udp")) return { ok: false, error: "bad protocol" };
  if (length === undefined || stepSeconds === undefined || skew === undefined) {
    return { ok: false, error: "bad knocks, period or skew" };
  }
  return {
    ok: true,
    profile: {
      door,
      secret: secret.replace(/=+$/, ""),
      length,
      protocols: (["tcp", "udp"] as const).filter((p) => protocols.includes(p)),
      low: Number(range[1]),
      high: Number(range[2]),
      stepSeconds,
      skew,
      exclude,
    },
  };
}
