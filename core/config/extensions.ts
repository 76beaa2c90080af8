/**
 * knocktool's own door directives, on top of knockd's: `Strict` (a packet from a source in progress to any
 * other port invalidates its attempt, so a port scan cannot open an ascending sequence) and `Cooldown`
 * (after a door opens for a source, it does not open again for that source within N seconds).
 *
 * The nftables door directives (`Nft_Set`, `Nft_Set_6`, `Nft_Port`, `Nft_Timeout`) live in ./nft.ts and are
 * part of {@linkcode KNOCKTOOL_EXTENSIONS} too, and so are the TOTP door directives (`TOTP_Secret`, ...) of
 * ./totp.ts and the SPA door directives (`SPA_Port`, ..., ./spa.ts).
 *
 * Register {@linkcode KNOCKTOOL_EXTENSIONS} with `parseConfig(text, { extensions })`; read the values of a
 * parsed door with {@linkcode doorStrict} and {@linkcode doorCooldownMs}. Without these directives a file is
 * parsed exactly as knockd parses it; knockd itself rejects a file that uses them ("syntax error").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./parse.ts";
 * import { doorCooldownMs, doorStrict, KNOCKTOOL_EXTENSIONS } from "./extensions.ts";
 *
 * const text = "[ssh]\n  sequence = 7000,8000,9000\n  Strict = yes\n  Cooldown = 2.5\n";
 * const { config, ok } = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
 * assert.ok(ok);
 * assert.equal(doorStrict(config.doors[0]!), true);
 * assert.equal(doorCooldownMs(config.doors[0]!), 2500);
 * assert.equal(parseConfig(text).ok, false); // knockd's dialect: unknown keys are syntax errors
 * ```
 *
 * @module
 */
import type { Diagnostic, RuleInfo } from "../diagnostic.ts";
import type { ConfigExtension, Directive, Door } from "./types.ts";
import { NFT_EXTENSION_RULES, NFT_EXTENSIONS } from "./nft.ts";
import { TOTP_EXTENSION_RULES, TOTP_EXTENSIONS } from "./totp.ts";
import { SPA_EXTENSION_RULES, SPA_EXTENSIONS } from "./spa.ts";

/** Upper-cased key of the `Strict` door directive. */
export const STRICT_KEY = "STRICT";
/** Upper-cased key of the `Cooldown` door directive. */
export const COOLDOWN_KEY = "COOLDOWN";
/** Largest accepted `Cooldown`, in seconds (one year). */
export const MAX_COOLDOWN_SECONDS = 31_536_000;

/** Codes of the diagnostics for bad values of our directives (errors: the door cannot work as written). */
export const EXTENSION_CODES = {
  /** `Strict` with a value other than `yes` or `no`. */
  badStrict: "KT106",
  /** `Cooldown` that is not a number of seconds in range. */
  badCooldown: "KT107",
} as const;

/**
 * Reads a `Strict` value: `yes` or `no`, case-insensitive.
 *
 * @param value The trimmed value.
 * @returns `true`/`false`, or `undefined` when the value is neither.
 */
export function parseStrictValue(value: string): boolean | undefined {
  const v = value.toLowerCase();
  return v === "yes" ? true : v === "no" ? false : undefined;
}

const SECONDS = /^\d+(\.\d+)?$/;

/**
 * Reads a `Cooldown` value: non-negative seconds, decimals allowed (`30`, `2.5`), `0` for none.
 *
 * @param value The trimmed value.
 * @returns Milliseconds (rounded to the nearest one), or `undefined` when the value is not valid.
 */
export function parseCooldownValue(value: string): number | undefined {
  if (!SECONDS.test(value)) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds > MAX_COOLDOWN_SECONDS) return undefined;
  return Math.round(seconds * 1000);
}

function bad(code: string, message: string, directive: Directive): Diagnostic {
  const v = directive.valueSpan;
  // Point at the value, or at the whole line when the value is empty.
  return {
    code,
    severity: "error",
    message,
    span: v !== undefined && v.endColumn > v.column ? v : directive.span,
  };
}

/** knocktool's own door directives, for `ParseOptions.extensions`. */
export const KNOCKTOOL_EXTENSIONS: readonly ConfigExtension[] = [
  {
    key: "Strict",
    scope: "door",
    parse: (value, directive) =>
      parseStrictValue(value) === undefined
        ? [bad(
          EXTENSION_CODES.badStrict,
          `"${directive.key}" must be "yes" or "no", not "${value}"`,
          directive,
        )]
        : [],
  },
  {
    key: "Cooldown",
    scope: "door",
    parse: (value, directive) =>
      parseCooldownValue(value) === undefined
        ? [bad(
          EXTENSION_CODES.badCooldown,
          `"${directive.key}" must be a number of seconds from 0 to ${MAX_COOLDOWN_SECONDS} (e.g. "30" or "2.5"), not "${value}"`,
          directive,
        )]
        : [],
  },
  // Nft_Set, Nft_Set_6, Nft_Port, Nft_Timeout (./nft.ts).
  ...NFT_EXTENSIONS,
  // TOTP_Secret, TOTP_Secret_File, TOTP_Length, ... (./totp.ts).
  ...TOTP_EXTENSIONS,
  // SPA_Port, SPA_Server_Key, SPA_Users, SPA_Window, SPA_State, SPA_Budget (./spa.ts).
  ...SPA_EXTENSIONS,
];

/**
 * Whether a door is strict (`Strict = yes`; the last line wins; an invalid value counts as `no`).
 *
 * @param door A parsed door.
 * @returns True for a strict door.
 */
export function doorStrict(door: Door): boolean {
  const value = door.extensions?.get(STRICT_KEY)?.value;
  return value !== undefined && parseStrictValue(value) === true;
}

/**
 * A door's cool-down in milliseconds (`Cooldown`; the last line wins; absent or invalid: 0, none).
 *
 * @param door A parsed door.
 * @returns Milliseconds, 0 for no cool-down.
 */
export function doorCooldownMs(door: Door): number {
  const value = door.extensions?.get(COOLDOWN_KEY)?.value;
  return value === undefined ? 0 : parseCooldownValue(value) ?? 0;
}

/** `--explain` texts of {@linkcode EXTENSION_CODES}. */
export const EXTENSION_RULES: readonly RuleInfo[] = [
  {
    code: EXTENSION_CODES.badStrict,
    severity: "error",
    name: "bad-strict-value",
    summary: "knocktool's Strict directive takes yes or no",
    explanation: `Strict is a knocktool door directive (knockd does not know it). With "Strict = yes", while a
source is in the middle of the door's sequence, any TCP SYN (SYN set, ACK clear) or UDP datagram from that
source to any other port of the door's addresses invalidates its attempt. A sequential port scan therefore
can no longer open an ascending sequence such as 7000,8000,9000 (with knockd it does, because packets to
ports outside every sequence are invisible to it). "Strict = no" is the default, knockd's behaviour.

The value is "yes" or "no" (any case); anything else is refused, and knocktool serve does not start.

Example:
  [openSSH]
      sequence = 7000,8000,9000
      Strict   = true        <- write "yes"

Fix: write "Strict = yes" or "Strict = no".`,
  },
  {
    code: EXTENSION_CODES.badCooldown,
    severity: "error",
    name: "bad-cooldown-value",
    summary: "knocktool's Cooldown directive takes a number of seconds",
    explanation:
      `Cooldown is a knocktool door directive (knockd does not know it). "Cooldown = 30" means: after the
door opens for a source, further openings of that door by the same source within 30 seconds are refused
(logged once: "<ip>: <door>: cooldown, not opening again for N s"). It stops a one-knock UDP door from
running its command on every packet (knockd issue #86). The value is a number of seconds from 0 (no
cool-down, the default) to ${MAX_COOLDOWN_SECONDS} (one year), decimals allowed ("2.5"); no sign, no unit.

Example:
  [openSSH]
      sequence = 7000:udp
      Cooldown = 30s        <- no unit

Fix: write the number of seconds alone, e.g. "Cooldown = 30".`,
  },
  ...NFT_EXTENSION_RULES,
  ...TOTP_EXTENSION_RULES,
  ...SPA_EXTENSION_RULES,
];
