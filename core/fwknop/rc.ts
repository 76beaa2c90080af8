/**
 * The fwknop client's rc file (`~/.fwknoprc`): `[name]` stanzas of `VARIABLE value` lines, `#` comments; a
 * named stanza inherits the `[default]` stanza's values. Read into what `knocktool knock --fwknop` sends.
 * Pure.
 *
 * @module
 */
import { tryParseIP } from "../address.ts";
import { decodeB64 } from "./base64.ts";
import { type FwknopDigest, parseDigestName } from "./crypto.ts";
import { parsePortList, type ProtoPort } from "./access.ts";
import { MAX_HMAC_KEY_BYTES, MAX_KEY_BYTES } from "./packet.ts";

/** One variable as written. */
interface RcValue {
  readonly value: string;
  readonly line: number;
}

/** The stanzas of an rc file, by name, each a map of upper-case variable names. */
export type FwknopRc = ReadonlyMap<string, ReadonlyMap<string, RcValue>>;

/** What the client sends, from one stanza. */
export interface FwknopClientStanza {
  /** SPA_SERVER, when given. */
  readonly server?: string | undefined;
  /** SPA_SERVER_PORT (default 62201). */
  readonly port: number;
  /** ACCESS. */
  readonly access: readonly ProtoPort[];
  /** ALLOW_IP: an address, or `source` (0.0.0.0: the server takes the packet's source). */
  readonly allow: string;
  readonly key: Uint8Array;
  readonly hmacKey?: Uint8Array | undefined;
  readonly hmacType: FwknopDigest;
  /** DIGEST_TYPE (default SHA256). */
  readonly digestType: FwknopDigest;
  /** FW_TIMEOUT, s (0: the server's). */
  readonly fwTimeout: number;
  /** SPOOF_USER. */
  readonly user?: string | undefined;
  /** TIME_OFFSET, s (signed). */
  readonly timeOffset: number;
}

/**
 * Parses an rc file.
 *
 * @returns The stanzas, or the line that is neither a stanza header, a variable nor a comment.
 */
export function parseFwknopRc(text: string): { ok: true; rc: FwknopRc } | { ok: false; line: number } {
  const rc = new Map<string, Map<string, RcValue>>();
  let current: Map<string, RcValue> | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === "" || l.startsWith("#")) continue;
    const header = /^\[([^\]]+)\]$/.exec(l);
    if (header !== null) {
      current = new Map();
      rc.set(header[1]!.trim(), current);
      continue;
    }
    const m = /^([A-Za-z0-9_]+)(?:\s+(.*))?$/.exec(l);
    if (m === null || current === undefined) return { ok: false, line: i + 1 };
    current.set(m[1]!.toUpperCase(), { value: (m[2] ?? "").trim(), line: i + 1 });
  }
  return { ok: true, rc };
}

/** Yes-ish rc values (`Y`, `YES`, `1`). */
function yes(value: string | undefined): boolean {
  return value !== undefined && /^(y|yes|1|true)$/i.test(value);
}

/**
 * The client settings of stanza `name` (its values over `[default]`'s), with command-line overrides.
 *
 * @param rc The rc file.
 * @param name The stanza (`-n`).
 * @param overrides `ACCESS` and `ALLOW_IP` given on the command line.
 * @returns The settings, or a message (with the variable's line) saying what is wrong.
 */
export function clientStanza(
  rc: FwknopRc,
  name: string,
  overrides: { readonly access?: string | undefined; readonly allow?: string | undefined } = {},
): { ok: true; stanza: FwknopClientStanza } | { ok: false; error: string } {
  const named = rc.get(name);
  if (named === undefined) {
    const known = [...rc.keys()].join(", ") || "none";
    return { ok: false, error: `no stanza [${name}] (stanzas: ${known})` };
  }
  const values = new Map([...(rc.get("default") ?? new Map()), ...named]);
  const get = (v: string) => values.get(v);
  const fail = (v: string, why: string) => {
    const at = get(v);
    return { ok: false as const, error: `${at === undefined ? "" : `line ${at.line}: `}${v}: ${why}` };
  };
  for (const gpg of ["USE_GPG", "USE_GPG_AGENT"]) {
    if (yes(get(gpg)?.value)) return fail(gpg, "GPG mode is not supported");
  }
  const mode = get("ENCRYPTION_MODE")?.value;
  if (mode !== undefined && mode.toUpperCase() !== "CBC") {
    return fail("ENCRYPTION_MODE", "only CBC is supported");
  }
  const proto = get("SPA_SERVER_PROTO")?.value;
  if (proto !== undefined && proto.toLowerCase() !== "udp") {
    return fail("SPA_SERVER_PROTO", "only udp is supported");
  }
  if (get("NAT_ACCESS") !== undefined) return fail("NAT_ACCESS", "NAT access is not supported");
  const accessText = overrides.access ?? get("ACCESS")?.value;
  if (accessText === undefined) {
    return { ok: false, error: "no ACCESS (the proto/port list to open, e.g. tcp/22)" };
  }
  const access = parsePortList(accessText);
  if (access === undefined) return fail("ACCESS", `"${accessText}" is not a proto/port list (tcp/22,udp/53)`);
  const allowText = overrides.allow ?? get("ALLOW_IP")?.value;
  let allow: string;
  if (allowText === undefined) {
    return { ok: false, error: "no ALLOW_IP (an address, or source: use the packet's source address)" };
  } else if (/^source$/i.test(allowText)) allow = "0.0.0.0";
  else if (/^resolve$/i.test(allowText)) {
    return fail("ALLOW_IP", "resolve is not supported (it asks a web service); give the address");
  } else {
    const ip = tryParseIP(allowText);
    if (ip === undefined || ip.family !== 4) return fail("ALLOW_IP", `"${allowText}" is not an IPv4 address`);
    allow = allowText;
  }
  const keyOf = (text: string, b64: string, max: number): Uint8Array | string | undefined => {
    const b = get(b64);
    if (b !== undefined) {
      const k = decodeB64(b.value);
      if (k === undefined || k.length === 0) return `line ${b.line}: ${b64}: not base64`;
      return k.length > max ? `line ${b.line}: ${b64}: ${k.length} bytes, at most ${max}` : k;
    }
    const t = get(text);
    if (t === undefined) return undefined;
    const k = new TextEncoder().encode(t.value);
    return k.length > max ? `line ${t.line}: ${text}: ${k.length} bytes, at most ${max}` : k;
  };
  const key = keyOf("KEY", "KEY_BASE64", MAX_KEY_BYTES);
  if (key === undefined) return { ok: false, error: "no KEY or KEY_BASE64" };
  if (typeof key === "string") return { ok: false, error: key };
  const useHmac = get("USE_HMAC") === undefined || yes(get("USE_HMAC")?.value);
  const hmac = useHmac ? keyOf("HMAC_KEY", "HMAC_KEY_BASE64", MAX_HMAC_KEY_BYTES) : undefined;
  if (typeof hmac === "string") return { ok: false, error: hmac };
  const digest = (v: string): FwknopDigest | { error: string } => {
    const t = get(v)?.value;
    if (t === undefined) return "SHA256";
    return parseDigestName(t) ?? { error: fail(v, `"${t}" is not a digest type`).error };
  };
  const hmacType = digest("HMAC_DIGEST_TYPE");
  if (typeof hmacType !== "string") return { ok: false, error: hmacType.error };
  const digestType = digest("DIGEST_TYPE");
  if (typeof digestType !== "string") return { ok: false, error: digestType.error };
  const number = (v: string, fallback: number, re = /^\d{1,9}$/): number | undefined => {
    const t = get(v)?.value;
    if (t === undefined) return fallback;
    return re.test(t) ? Number(t) : undefined;
  };
  const port = number("SPA_SERVER_PORT", 62201);
  if (port === undefined || port < 1 || port > 65535) return fail("SPA_SERVER_PORT", "not a port");
  const fwTimeout = number("FW_TIMEOUT", 0);
  if (fwTimeout === undefined) return fail("FW_TIMEOUT", "not a number of seconds");
  const timeOffset = parseOffset(get("TIME_OFFSET")?.value);
  if (timeOffset === undefined) return fail("TIME_OFFSET", "not an offset (e.g. 60, -2m)");
  return {
    ok: true,
    stanza: {
      server: get("SPA_SERVER")?.value,
      port,
      access,
      allow,
      key,
      hmacKey: hmac,
      hmacType,
      digestType,
      fwTimeout,
      user: get("SPOOF_USER")?.value,
      timeOffset,
    },
  };
}

/** `60`, `-60s`, `+2m`, `1h`, `1d` in seconds. */
function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  const m = /^([+-]?)(\d{1,9})([smhd]?)$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[3]!.toLowerCase() as "" | "s" | "m" | "h" | "d"];
  return (m[1] === "-" ? -1 : 1) * Number(m[2]) * unit;
}
