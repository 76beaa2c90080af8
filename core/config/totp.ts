/**
 * knocktool's TOTP door directives: a door whose knock sequence is derived from a shared secret and the
 * time (core/totp/), so that a sequence sniffed once is useless after its time step, while any plain knock
 * client can still send it.
 *
 * ```text
 * TOTP_Secret      = BASE32             the shared secret, as authenticator apps show it
 * TOTP_Secret_File = /PATH              or a file holding it (mode 0600)
 * TOTP_Length      = N                  knocks per sequence, 1 to 32 (default 4)
 * TOTP_Protocol    = tcp | udp | tcp,udp   what the knocks are (default tcp)
 * TOTP_Ports       = LOW-HIGH           the range the ports are drawn from (default 1024-65535)
 * TOTP_Step        = SECONDS            the time step, 1 to 86400 (default 30)
 * TOTP_Skew        = N                  steps accepted before and after the current one, 0 to 10 (default 1)
 * TOTP_Exclude     = PORT[,PORT...]     ports never drawn (besides those under 1024 and the reserved ones)
 * ```
 *
 * A door is a TOTP door when it has `TOTP_Secret` or `TOTP_Secret_File`; it has no `Sequence`. The values
 * are checked here (KT130 to KT136, reported by the parser); the door as a whole by lint (KT137 to KT139,
 * KT230 to KT233).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./parse.ts";
 * import { KNOCKTOOL_EXTENSIONS } from "./extensions.ts";
 * import { doorTotp } from "./totp.ts";
 *
 * const text = "[ssh]\nTOTP_Secret = JBSWY3DPEHPK3PXP\nTOTP_Ports = 20000-40000\nTOTP_Step = 60\n";
 * const door = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS }).config.doors[0]!;
 * const totp = doorTotp(door)!;
 * assert.deepEqual(totp.secret, { kind: "inline", text: "JBSWY3DPEHPK3PXP" });
 * assert.equal(totp.stepSeconds, 60);
 * assert.deepEqual([totp.low, totp.high, totp.length, totp.skew], [20000, 40000, 4, 1]);
 * ```
 *
 * @module
 */
import type { Diagnostic, RuleInfo } from "../diagnostic.ts";
import { decodeBase32 } from "../totp/base32.ts";
import type { ConfigExtension, Directive, Door, Protocol } from "./types.ts";

/** Upper-cased keys of the TOTP door directives. */
export const TOTP_KEYS = {
  secret: "TOTP_SECRET",
  secretFile: "TOTP_SECRET_FILE",
  length: "TOTP_LENGTH",
  protocol: "TOTP_PROTOCOL",
  ports: "TOTP_PORTS",
  step: "TOTP_STEP",
  skew: "TOTP_SKEW",
  exclude: "TOTP_EXCLUDE",
} as const;

/** Defaults of the TOTP directives. */
export const TOTP_DEFAULTS = {
  length: 4,
  protocols: ["tcp"] as readonly Protocol[],
  low: 1024,
  high: 65535,
  stepSeconds: 30,
  skew: 1,
} as const;

/** Most knocks in a TOTP sequence (knockd's sequence limit). */
export const MAX_TOTP_LENGTH = 32;
/** Longest step, seconds (a day). */
export const MAX_TOTP_STEP = 86_400;
/** Most steps of skew. */
export const MAX_TOTP_SKEW = 10;

/** Codes of the diagnostics for bad values of the TOTP directives. */
export const TOTP_CODES = {
  /** `TOTP_Secret` that is not base32, or an empty `TOTP_Secret_File`. */
  badSecret: "KT130",
  /** `TOTP_Length` out of 1 to 32. */
  badLength: "KT131",
  /** `TOTP_Protocol` other than tcp, udp or tcp,udp. */
  badProtocol: "KT132",
  /** `TOTP_Ports` that is not LOW-HIGH within 1 to 65535. */
  badPorts: "KT133",
  /** `TOTP_Step` out of 1 to 86400. */
  badStep: "KT134",
  /** `TOTP_Skew` out of 0 to 10. */
  badSkew: "KT135",
  /** `TOTP_Exclude` that is not a list of ports. */
  badExclude: "KT136",
} as const;

/** Where a door's secret is. */
export type TotpSecretSource =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "file"; readonly path: string };

/** A TOTP door's settings (invalid values read as their defaults: lint refuses them). */
export interface DoorTotp {
  /** The secret, inline or in a file (`TOTP_Secret_File` wins when both are given; lint refuses that). */
  readonly secret: TotpSecretSource;
  /** The directive that gave the secret (for messages). */
  readonly secretDirective: Directive;
  /** `TOTP_Length`: knocks per sequence. */
  readonly length: number;
  /** `TOTP_Protocol`: `tcp` before `udp`. */
  readonly protocols: readonly Protocol[];
  /** `TOTP_Ports`: the range's first port. */
  readonly low: number;
  /** `TOTP_Ports`: the range's last port. */
  readonly high: number;
  /** `TOTP_Step`, seconds. */
  readonly stepSeconds: number;
  /** `TOTP_Skew`: steps accepted on either side of the current one. */
  readonly skew: number;
  /** `TOTP_Exclude`: ports never drawn. */
  readonly exclude: readonly number[];
}

function integer(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/**
 * Reads a `TOTP_Protocol` value: `tcp`, `udp`, or both comma-separated (any case, any order).
 *
 * @param value The trimmed value.
 * @returns The protocols (`tcp` first), or `undefined`.
 */
export function parseTotpProtocols(value: string): Protocol[] | undefined {
  const items = value.toLowerCase().split(",").map((s) => s.trim());
  if (items.some((i) => i !== "tcp" && i !== "udp") || new Set(items).size !== items.length) return undefined;
  return (["tcp", "udp"] as const).filter((p) => items.includes(p));
}

/**
 * Reads a `TOTP_Ports` value: `LOW-HIGH`, 1 ≤ LOW ≤ HIGH ≤ 65535.
 *
 * @param value The trimmed value.
 * @returns The range, or `undefined`.
 */
export function parseTotpRange(value: string): { low: number; high: number } | undefined {
  const m = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(value);
  if (m === null) return undefined;
  const low = Number(m[1]), high = Number(m[2]);
  return low >= 1 && low <= high && high <= 65535 ? { low, high } : undefined;
}

/**
 * Reads a `TOTP_Exclude` value: ports from 1 to 65535 and ranges `LOW-HIGH`, comma-separated.
 *
 * @param value The trimmed value.
 * @returns The ports, or `undefined`.
 */
export function parseTotpExclude(value: string): number[] | undefined {
  const out: number[] = [];
  for (const item of value.split(",").map((s) => s.trim())) {
    const range = parseTotpRange(item);
    const single = integer(item, 1, 65535);
    if (range !== undefined) { for (let p = range.low; p <= range.high; p++) out.push(p); }
    else if (single !== undefined) out.push(single);
    else return undefined;
  }
  return out;
}

/** Whether a door is a TOTP door (it has `TOTP_Secret` or `TOTP_Secret_File`). */
export function isTotpDoor(door: Door): boolean {
  const ext = door.extensions;
  return ext !== undefined && (ext.has(TOTP_KEYS.secret) || ext.has(TOTP_KEYS.secretFile));
}

/**
 * A door's TOTP settings (the last line of each directive wins), or `undefined` for other doors.
 *
 * @param door A parsed door.
 * @returns Its settings.
 */
export function doorTotp(door: Door): DoorTotp | undefined {
  const ext = door.extensions;
  if (ext === undefined) return undefined;
  const file = ext.get(TOTP_KEYS.secretFile);
  const inline = ext.get(TOTP_KEYS.secret);
  const secretDirective = file ?? inline;
  if (secretDirective === undefined) return undefined;
  const secret: TotpSecretSource = file !== undefined
    ? { kind: "file", path: file.value ?? "" }
    : { kind: "inline", text: inline!.value ?? "" };
  const read = <T>(key: string, parse: (v: string) => T | undefined, fallback: T): T => {
    const value = ext.get(key)?.value;
    return value === undefined ? fallback : parse(value) ?? fallback;
  };
  const range = read(TOTP_KEYS.ports, parseTotpRange, { low: TOTP_DEFAULTS.low, high: TOTP_DEFAULTS.high });
  return {
    secret,
    secretDirective,
    length: read(TOTP_KEYS.length, (v) => integer(v, 1, MAX_TOTP_LENGTH), TOTP_DEFAULTS.length),
    protocols: read(TOTP_KEYS.protocol, parseTotpProtocols, TOTP_DEFAULTS.protocols),
    low: range.low,
    high: range.high,
    stepSeconds: read(TOTP_KEYS.step, (v) => integer(v, 1, MAX_TOTP_STEP), TOTP_DEFAULTS.stepSeconds),
    skew: read(TOTP_KEYS.skew, (v) => integer(v, 0, MAX_TOTP_SKEW), TOTP_DEFAULTS.skew),
    exclude: read(TOTP_KEYS.exclude, parseTotpExclude, []),
  };
}

/**
 * Reads a secret as written in `TOTP_Secret` or in a secret file (base32; surrounding white space, spaces
 * and `-` between groups ignored).
 *
 * @param text The text.
 * @returns The bytes, or `undefined` when it is not base32.
 */
export function parseTotpSecret(text: string): Uint8Array | undefined {
  return decodeBase32(text.trim());
}

function bad(code: string, message: string, directive: Directive): Diagnostic {
  const v = directive.valueSpan;
  return {
    code,
    severity: "error",
    message,
    span: v !== undefined && v.endColumn > v.column ? v : directive.span,
  };
}

function check(
  key: string,
  code: string,
  ok: (value: string) => boolean,
  expected: string,
): ConfigExtension {
  return {
    key,
    scope: "door",
    ...(key.startsWith("TOTP_Secret") ? { replacesSequence: true } : {}),
    parse: (value, directive) =>
      ok(value) ? [] : [bad(code, `"${directive.key}" must be ${expected}, not "${value}"`, directive)],
  };
}

/** The TOTP door directives, for `ParseOptions.extensions` (part of `KNOCKTOOL_EXTENSIONS`). */
export const TOTP_EXTENSIONS: readonly ConfigExtension[] = [
  check(
    "TOTP_Secret",
    TOTP_CODES.badSecret,
    (v) => parseTotpSecret(v) !== undefined,
    'a base32 secret (letters A-Z and digits 2-7, e.g. "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")',
  ),
  check("TOTP_Secret_File", TOTP_CODES.badSecret, (v) => v !== "", "the path of a file holding the secret"),
  check(
    "TOTP_Length",
    TOTP_CODES.badLength,
    (v) => integer(v, 1, MAX_TOTP_LENGTH) !== undefined,
    `a number of knocks from 1 to ${MAX_TOTP_LENGTH}`,
  ),
  check(
    "TOTP_Protocol",
    TOTP_CODES.badProtocol,
    (v) => parseTotpProtocols(v) !== undefined,
    '"tcp", "udp" or "tcp,udp"',
  ),
  check(
    "TOTP_Ports",
    TOTP_CODES.badPorts,
    (v) => parseTotpRange(v) !== undefined,
    'a range LOW-HIGH of ports from 1 to 65535 (e.g. "20000-40000")',
  ),
  check(
    "TOTP_Step",
    TOTP_CODES.badStep,
    (v) => integer(v, 1, MAX_TOTP_STEP) !== undefined,
    `a whole number of seconds from 1 to ${MAX_TOTP_STEP} (e.g. "30")`,
  ),
  check(
    "TOTP_Skew",
    TOTP_CODES.badSkew,
    (v) => integer(v, 0, MAX_TOTP_SKEW) !== undefined,
    `a number of steps from 0 to ${MAX_TOTP_SKEW}`,
  ),
  check(
    "TOTP_Exclude",
    TOTP_CODES.badExclude,
    (v) => parseTotpExclude(v) !== undefined,
    'ports and ranges, comma-separated (e.g. "22,8000-8100")',
  ),
];

function rule(code: string, name: string, summary: string, explanation: string): RuleInfo {
  return { code, severity: "error", name, summary, explanation };
}

const INTRO = `TOTP doors (knocktool's own, see docs/totp.md) derive their knock sequence from a shared secret
and the time, one sequence per time step.`;

/** `--explain` texts of {@linkcode TOTP_CODES}. */
export const TOTP_EXTENSION_RULES: readonly RuleInfo[] = [
  rule(
    TOTP_CODES.badSecret,
    "bad-totp-secret",
    "TOTP_Secret takes a base32 secret; TOTP_Secret_File a path",
    `${INTRO} TOTP_Secret is the secret in base32 (RFC 4648: letters A to Z and digits 2 to 7, in any case;
spaces, "-" and "=" padding are ignored), as authenticator apps show it. TOTP_Secret_File names a file that
holds it instead (keep it mode 0600: the config is often readable by more people than the secret should be).

Example:
  [openSSH]
      TOTP_Secret = my-password        <- not base32

Fix: generate one with e.g. "head -c 20 /dev/urandom | base32".`,
  ),
  rule(
    TOTP_CODES.badLength,
    "bad-totp-length",
    "TOTP_Length takes a number of knocks from 1 to 32",
    `${INTRO} TOTP_Length is how many knocks each sequence has (default 4), at most ${MAX_TOTP_LENGTH}.

Fix: write e.g. "TOTP_Length = 4".`,
  ),
  rule(
    TOTP_CODES.badProtocol,
    "bad-totp-protocol",
    "TOTP_Protocol takes tcp, udp or tcp,udp",
    `${INTRO} TOTP_Protocol is what the knocks are: "tcp" (SYNs, the default), "udp", or "tcp,udp" (each
knock's protocol is drawn with its port, so the sequence mixes both).

Fix: write "TOTP_Protocol = tcp", "udp" or "tcp,udp".`,
  ),
  rule(
    TOTP_CODES.badPorts,
    "bad-totp-ports",
    "TOTP_Ports takes a port range LOW-HIGH",
    `${INTRO} TOTP_Ports is the range the knocks' ports are drawn from (default 1024-65535). Ports below
1024, the door's TOTP_Exclude list and a fixed list of ports servers commonly listen on are never drawn.

Fix: write e.g. "TOTP_Ports = 20000-40000".`,
  ),
  rule(
    TOTP_CODES.badStep,
    "bad-totp-step",
    "TOTP_Step takes a whole number of seconds from 1 to 86400",
    `${INTRO} TOTP_Step is the length of a time step in seconds (default 30, as RFC 6238 recommends).

Fix: write e.g. "TOTP_Step = 30".`,
  ),
  rule(
    TOTP_CODES.badSkew,
    "bad-totp-skew",
    "TOTP_Skew takes a number of steps from 0 to 10",
    `${INTRO} TOTP_Skew is how many steps before and after the current one the server also accepts (default
1), for clocks that drift and knocks that straddle a step boundary.

Fix: write e.g. "TOTP_Skew = 1".`,
  ),
  rule(
    TOTP_CODES.badExclude,
    "bad-totp-exclude",
    "TOTP_Exclude takes ports and port ranges, comma-separated",
    `${INTRO} TOTP_Exclude lists ports the sequence never uses, such as ports this host serves on.

Fix: write e.g. "TOTP_Exclude = 8000-8100,9999".`,
  ),
];
