/**
 * knocktool's SPA door directives (knocktool extensions of knockd.conf, docs/spa.md, "Configuration"):
 *
 * ```text
 * SPA_Port       = PORT[,PORT...]   UDP ports the door's datagrams go to (captured: no socket)
 * SPA_Server_Key = PATH             the server key file (knocktool keygen server)
 * SPA_Users      = PATH             the users file: "NAME PUBLIC-KEY" per line
 * SPA_Window     = SECONDS          accepted clock difference, either way (default 30, at most 600)
 * SPA_State      = PATH             the replay state file (default STATE-DIR/spa-DOOR.json)
 * SPA_Budget     = N                public-key verifications a second (default 1000)
 * ```
 *
 * A door with `SPA_Port` needs no `Sequence`. The values are checked here (KT150, KT151, reported by the
 * parser); the files by lint's SPA rules (core/lint/rules/spa.ts); the protocol is in core/spa/, which serve applies too.
 *
 * @module
 */
import type { Diagnostic, RuleInfo } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import type { ConfigExtension, Directive, Door } from "./types.ts";

/** Upper-cased keys of the SPA directives. */
export const SPA_KEYS = {
  port: "SPA_PORT",
  serverKey: "SPA_SERVER_KEY",
  users: "SPA_USERS",
  window: "SPA_WINDOW",
  state: "SPA_STATE",
  budget: "SPA_BUDGET",
} as const;

/** Default `SPA_Budget`: verifications a second (about a fifth of one core on the development machine). */
export const DEFAULT_SPA_BUDGET = 1000;
/** Default `SPA_Window`, seconds. */
export const DEFAULT_SPA_WINDOW_S = 30;
/** Largest `SPA_Window` lint and serve accept, seconds (KT152). */
export const MAX_SPA_WINDOW_S = 600;
/** Largest `SPA_Budget`. */
export const MAX_SPA_BUDGET = 1_000_000;

/** Codes of the SPA diagnostics (errors KT150-KT156, warnings KT250-KT251). */
export const SPA_CODES = {
  /** `SPA_Port` that is not a list of ports. */
  badPort: "KT150",
  /** `SPA_Window` or `SPA_Budget` that is not a number in range. */
  badNumber: "KT151",
  /** `SPA_Window` over {@linkcode MAX_SPA_WINDOW_S}. */
  longWindow: "KT152",
  /** A key or users file that cannot be read or is not one. */
  badFile: "KT153",
  /** A server or user key file readable by group or others. */
  exposedKey: "KT154",
  /** A line of the users file that is not `NAME PUBLIC-KEY`. */
  badUser: "KT155",
  /** An SPA door without `SPA_Server_Key` or `SPA_Users`, or SPA directives without `SPA_Port`. */
  incomplete: "KT156",
  /** An SPA door that also has a `Sequence`: a sniffed sequence opens it without SPA. */
  withSequence: "KT250",
  /** A users file with no user: nothing can open the door. */
  noUsers: "KT251",
} as const;

/** An SPA door's settings (paths as written; checked by lint). */
export interface DoorSpa {
  readonly ports: readonly number[];
  readonly serverKey?: { readonly path: string; readonly directive: Directive };
  readonly users?: { readonly path: string; readonly directive: Directive };
  readonly windowS: number;
  readonly windowDirective?: Directive;
  readonly statePath?: string;
  readonly budget: number;
}

/**
 * Reads a list of UDP ports (1-65535, comma-separated, at most 16).
 *
 * @param value The value.
 * @returns The ports, or `undefined`.
 */
export function parseSpaPorts(value: string): number[] | undefined {
  const items = value.split(",").map((s) => s.trim());
  if (items.length > 16) return undefined;
  const ports: number[] = [];
  for (const item of items) {
    if (!/^\d{1,5}$/.test(item)) return undefined;
    const port = Number(item);
    if (port < 1 || port > 65535) return undefined;
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

function parseWhole(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/**
 * A door's SPA settings, or `undefined` when it has no valid `SPA_Port` (not an SPA door).
 *
 * @param door A parsed door.
 * @returns Its settings.
 */
export function doorSpa(door: Door): DoorSpa | undefined {
  const ext = door.extensions;
  const portValue = ext?.get(SPA_KEYS.port)?.value;
  if (ext === undefined || portValue === undefined) return undefined;
  const ports = parseSpaPorts(portValue);
  if (ports === undefined) return undefined;
  const file = (key: string) => {
    const d = ext.get(key);
    return d?.value === undefined || d.value === "" ? undefined : { path: d.value, directive: d };
  };
  const serverKey = file(SPA_KEYS.serverKey);
  const users = file(SPA_KEYS.users);
  const w = ext.get(SPA_KEYS.window);
  const windowS = w?.value === undefined
    ? DEFAULT_SPA_WINDOW_S
    : parseWhole(w.value, 1, 86_400) ?? DEFAULT_SPA_WINDOW_S;
  const b = ext.get(SPA_KEYS.budget)?.value;
  const budget = b === undefined
    ? DEFAULT_SPA_BUDGET
    : parseWhole(b, 1, MAX_SPA_BUDGET) ?? DEFAULT_SPA_BUDGET;
  const state = ext.get(SPA_KEYS.state)?.value;
  return {
    ports,
    ...(serverKey === undefined ? {} : { serverKey }),
    ...(users === undefined ? {} : { users }),
    windowS,
    ...(w === undefined ? {} : { windowDirective: w }),
    ...(state === undefined || state === "" ? {} : { statePath: state }),
    budget,
  };
}

function valueSpan(directive: Directive): Span {
  const v = directive.valueSpan;
  return v !== undefined && v.endColumn > v.column ? v : directive.span;
}

function bad(code: string, message: string, directive: Directive): Diagnostic {
  return { code, severity: "error", message, span: valueSpan(directive) };
}

function numberExtension(key: string, min: number, max: number, example: string): ConfigExtension {
  return {
    key,
    scope: "door",
    parse: (value, directive) =>
      parseWhole(value, min, max) === undefined
        ? [bad(
          SPA_CODES.badNumber,
          `"${directive.key}" must be a whole number from ${min} to ${max} (e.g. "${example}"), not "${value}"`,
          directive,
        )]
        : [],
  };
}

/** The SPA door directives, for `ParseOptions.extensions` (part of `KNOCKTOOL_EXTENSIONS`). */
export const SPA_EXTENSIONS: readonly ConfigExtension[] = [
  {
    key: "SPA_Port",
    scope: "door",
    replacesSequence: true,
    parse: (value, directive) =>
      parseSpaPorts(value) === undefined
        ? [bad(
          SPA_CODES.badPort,
          `"${directive.key}" must be UDP ports from 1 to 65535, comma-separated, at most 16 (e.g. "62201"), not "${value}"`,
          directive,
        )]
        : [],
  },
  { key: "SPA_Server_Key", scope: "door" },
  { key: "SPA_Users", scope: "door" },
  numberExtension("SPA_Window", 1, 86_400, "30"),
  { key: "SPA_State", scope: "door" },
  numberExtension("SPA_Budget", 1, MAX_SPA_BUDGET, "1000"),
];

/** `--explain` texts of the parser's SPA codes (KT150, KT151). */
export const SPA_EXTENSION_RULES: readonly RuleInfo[] = [
  {
    code: SPA_CODES.badPort,
    severity: "error",
    name: "bad-spa-port",
    summary: "SPA_Port takes a comma-separated list of UDP ports from 1 to 65535",
    explanation: `SPA_Port makes a door an SPA door (knocktool's single packet authorization): the door opens
when one valid SPA datagram arrives at one of these UDP ports. serve captures the datagrams (no socket is
opened, nothing is ever sent back). The value is one or more decimal ports from 1 to 65535, comma-separated,
at most 16.

Example:
  [ssh]
      SPA_Port = spa        <- service names are not taken

Fix: write the port numbers, e.g. "SPA_Port = 62201".`,
  },
  {
    code: SPA_CODES.badNumber,
    severity: "error",
    name: "bad-spa-number",
    summary: "SPA_Window and SPA_Budget take whole numbers",
    explanation: `SPA_Window is the clock difference (seconds, either way) an SPA request's timestamp may have
with the server's clock (default 30); SPA_Budget the public-key verifications the door does a second at
most (default 1000: datagrams that pass mac1 beyond it are refused with "budget"). Both are whole numbers:
SPA_Window from 1 to 86400 (lint refuses over 600, KT152), SPA_Budget from 1 to ${MAX_SPA_BUDGET}.

Example:
  [ssh]
      SPA_Port   = 62201
      SPA_Window = 30s        <- no unit

Fix: write the number alone, e.g. "SPA_Window = 30".`,
  },
];
