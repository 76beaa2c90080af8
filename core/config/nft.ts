/**
 * knocktool's nftables door directives: a door that opens by adding the knocking address to an nftables set
 * with an element timeout, so that the kernel closes it on time even if the daemon dies.
 *
 * ```text
 * Nft_Set     = FAMILY TABLE SET     IPv4 sources go into this set (type ipv4_addr, flags timeout)
 * Nft_Set_6   = FAMILY TABLE SET     IPv6 sources go into this set (type ipv6_addr, flags timeout)
 * Nft_Port    = PORT[,PORT...]       per-port elements "ADDRESS . PORT" (sets of ipv4_addr . inet_service)
 * Nft_Timeout = DURATION             the element timeout: 30, 2.5, 90s, 5m, 1h30m, 1d, 500ms
 * ```
 *
 * Without `Nft_Timeout`, the door's own `Cmd_Timeout` line is the timeout; a door with a set and neither is
 * refused (lint's KT144): knockd's implicit 10 s default is never used for an element that nobody removes.
 *
 * The values are checked here (KT140 to KT143, reported by the parser like `Strict` and `Cooldown`); what
 * the kernel must hold (tables and sets with the right type and the `timeout` flag) is checked by `serve`
 * at start and on reload, and by `lint --check-firewall` (core/nft/).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./parse.ts";
 * import { KNOCKTOOL_EXTENSIONS } from "./extensions.ts";
 * import { doorNft } from "./nft.ts";
 *
 * const text = "[ssh]\nsequence = 7000,8000\nNft_Set = inet filter knock4\nNft_Timeout = 1h\n";
 * const door = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS }).config.doors[0]!;
 * assert.deepEqual(doorNft(door), {
 *   v4: { family: "inet", table: "filter", set: "knock4" },
 *   ports: [],
 *   timeoutMs: 3_600_000,
 *   timeoutSource: "nft_timeout",
 * });
 * ```
 *
 * @module
 */
import type { Diagnostic, RuleInfo } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import type { ConfigExtension, Directive, Door } from "./types.ts";

/** Upper-cased keys of the nftables door directives. */
export const NFT_KEYS = {
  set: "NFT_SET",
  set6: "NFT_SET_6",
  port: "NFT_PORT",
  timeout: "NFT_TIMEOUT",
} as const;

/** An nftables family a set of addresses can be in (`arp` tables see no IP source addresses). */
export type NftFamily = "ip" | "ip6" | "inet" | "bridge" | "netdev";

/** The nftables families a set of addresses can be in. */
export const NFT_FAMILIES: readonly NftFamily[] = ["ip", "ip6", "inet", "bridge", "netdev"];

/** A set named by `Nft_Set` or `Nft_Set_6`. */
export interface NftSetRef {
  /** The table's family. */
  readonly family: NftFamily;
  /** The table's name. */
  readonly table: string;
  /** The set's name. */
  readonly set: string;
}

/** Largest `Nft_Timeout`, in seconds (one year). */
export const MAX_NFT_TIMEOUT_SECONDS = 31_536_000;
/** Most ports in one `Nft_Port`. */
export const MAX_NFT_PORTS = 32;
/** Longest table or set name nftables takes (`NFT_NAME_MAXLEN` less its NUL). */
export const MAX_NFT_NAME_LENGTH = 255;

/** Codes of the diagnostics for bad values of the nftables directives. */
export const NFT_CODES = {
  /** `Nft_Set` that is not three words, or a table or set name nft cannot parse. */
  badSet: "KT140",
  /** An unknown family, or one whose tables never see that address family. */
  badFamily: "KT141",
  /** `Nft_Port` that is not a list of ports. */
  badPort: "KT142",
  /** `Nft_Timeout` that is not a duration in range. */
  badTimeout: "KT143",
} as const;

const NAME = /^[A-Za-z_.][A-Za-z0-9/_.-]*$/;

/** A value's problem: its code, message and where in the value (code units `[start, end)`), if a part. */
interface Problem {
  readonly code: string;
  readonly message: string;
  readonly start?: number;
  readonly end?: number;
}

/** A set value read, or its problem. */
export type NftSetValue = { readonly ok: true; readonly ref: NftSetRef } | ({ readonly ok: false } & Problem);

/**
 * Reads an `Nft_Set` (IPv4, `family` 4) or `Nft_Set_6` (IPv6) value: `FAMILY TABLE SET`, separated by
 * spaces or tabs; the family in any case, the names as nft's identifiers (a letter, `_` or `.` first, then
 * letters, digits and `/-_.`, at most 255 characters).
 *
 * @param value The trimmed value.
 * @param family Which directive: 4 for `Nft_Set`, 6 for `Nft_Set_6`.
 * @param key The key as written, for messages.
 * @returns The set, or why the value cannot name one.
 */
export function parseNftSetValue(
  value: string,
  family: 4 | 6,
  key = family === 4 ? "Nft_Set" : "Nft_Set_6",
): NftSetValue {
  const words = [...value.matchAll(/\S+/g)];
  if (words.length !== 3) {
    return {
      ok: false,
      code: NFT_CODES.badSet,
      message: `"${key}" must be "FAMILY TABLE SET" (e.g. "inet filter ${
        family === 4 ? "knock_ssh4" : "knock_ssh6"
      }"), not "${value}"`,
    };
  }
  const [f, t, s] = words as [RegExpMatchArray, RegExpMatchArray, RegExpMatchArray];
  const part = (m: RegExpMatchArray) => ({ start: m.index!, end: m.index! + m[0].length });
  const fam = f[0].toLowerCase();
  if (!(NFT_FAMILIES as readonly string[]).includes(fam)) {
    return {
      ok: false,
      code: NFT_CODES.badFamily,
      message: `Unknown nftables family "${f[0]}": write ip, ip6, inet, bridge or netdev`,
      ...part(f),
    };
  }
  const wrong = family === 4 ? "ip6" : "ip";
  if (fam === wrong) {
    return {
      ok: false,
      code: NFT_CODES.badFamily,
      message: family === 4
        ? `"${key}" holds IPv4 addresses, but a table of family "ip6" sees only IPv6 packets: use Nft_Set_6, or a table of family ip or inet`
        : `"${key}" holds IPv6 addresses, but a table of family "ip" sees only IPv4 packets: use Nft_Set, or a table of family ip6 or inet`,
      ...part(f),
    };
  }
  for (const [m, what] of [[t, "Table"], [s, "Set"]] as const) {
    const name = m[0];
    if (!NAME.test(name)) {
      return {
        ok: false,
        code: NFT_CODES.badSet,
        message:
          `${what} name "${name}" is not an nftables name: a letter, "_" or "." first, then letters, digits and "/-_."`,
        ...part(m),
      };
    }
    if (name.length > MAX_NFT_NAME_LENGTH) {
      return {
        ok: false,
        code: NFT_CODES.badSet,
        message:
          `${what} name is ${name.length} characters long; nftables takes at most ${MAX_NFT_NAME_LENGTH}`,
        ...part(m),
      };
    }
  }
  return { ok: true, ref: { family: fam as NftFamily, table: t[0], set: s[0] } };
}

/**
 * Reads an `Nft_Port` value: ports from 1 to 65535, comma-separated (spaces around commas allowed), at most
 * {@linkcode MAX_NFT_PORTS}; a port listed twice counts once.
 *
 * @param value The trimmed value.
 * @returns The ports in the order written, or `undefined` when the value is not such a list.
 */
export function parseNftPorts(value: string): number[] | undefined {
  const items = value.split(",").map((s) => s.trim());
  if (items.length > MAX_NFT_PORTS) return undefined;
  const ports: number[] = [];
  for (const item of items) {
    if (!/^\d{1,5}$/.test(item)) return undefined;
    const port = Number(item);
    if (port < 1 || port > 65535) return undefined;
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

const SECONDS = /^\d+(\.\d+)?$/;
const UNITS = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Reads an `Nft_Timeout` value: a number of seconds (`30`, `2.5`) or an nft-style duration (`90s`, `5m`,
 * `1h30m`, `1d`, `500ms`; units d, h, m, s, ms in that order), from 1 ms to one year.
 *
 * @param value The trimmed value.
 * @returns Milliseconds (seconds rounded to the nearest one), or `undefined` when the value is not valid.
 */
export function parseNftTimeout(value: string): number | undefined {
  let ms: number;
  if (SECONDS.test(value)) {
    ms = Math.round(Number(value) * 1000);
  } else {
    const m = UNITS.exec(value);
    if (m === null || value === "") return undefined;
    const [d = 0, h = 0, min = 0, s = 0, milli = 0] = m.slice(1).map((x) => x === undefined ? 0 : Number(x));
    ms = (((d * 24 + h) * 60 + min) * 60 + s) * 1000 + milli;
  }
  return Number.isFinite(ms) && ms >= 1 && ms <= MAX_NFT_TIMEOUT_SECONDS * 1000 ? ms : undefined;
}

/** What a door asks of nftables: the sets, the ports, the element timeout. */
export interface DoorNft {
  /** Where IPv4 sources go (`Nft_Set`). */
  readonly v4?: NftSetRef;
  /** Where IPv6 sources go (`Nft_Set_6`). */
  readonly v6?: NftSetRef;
  /** `Nft_Port`: one element `ADDRESS . PORT` per port; empty for address elements. */
  readonly ports: readonly number[];
  /** The element timeout; `undefined` when the door has no source for it (lint's KT144 refuses it). */
  readonly timeoutMs: number | undefined;
  /** Where the timeout comes from. */
  readonly timeoutSource: "nft_timeout" | "cmd_timeout" | undefined;
}

/**
 * A door's nftables settings (the last line of each directive wins), or `undefined` when it names no valid
 * set (no `Nft_Set` or `Nft_Set_6`, or only invalid ones, which lint refuses).
 *
 * @param door A parsed door.
 * @returns Its sets, ports and timeout.
 */
export function doorNft(door: Door): DoorNft | undefined {
  const ext = door.extensions;
  if (ext === undefined) return undefined;
  const read = (key: string, family: 4 | 6): NftSetRef | undefined => {
    const value = ext.get(key)?.value;
    if (value === undefined) return undefined;
    const parsed = parseNftSetValue(value, family);
    return parsed.ok ? parsed.ref : undefined;
  };
  const v4 = read(NFT_KEYS.set, 4);
  const v6 = read(NFT_KEYS.set6, 6);
  if (v4 === undefined && v6 === undefined) return undefined;
  const portValue = ext.get(NFT_KEYS.port)?.value;
  const ports = portValue === undefined ? [] : parseNftPorts(portValue) ?? [];
  const timeoutValue = ext.get(NFT_KEYS.timeout)?.value;
  let timeoutMs: number | undefined;
  let timeoutSource: DoorNft["timeoutSource"];
  if (timeoutValue !== undefined) {
    timeoutMs = parseNftTimeout(timeoutValue);
    timeoutSource = timeoutMs === undefined ? undefined : "nft_timeout";
  } else if (door.cmdTimeout.span !== undefined && door.cmdTimeout.value > 0) {
    timeoutMs = door.cmdTimeout.value * 1000;
    timeoutSource = "cmd_timeout";
  }
  return {
    ...(v4 === undefined ? {} : { v4 }),
    ...(v6 === undefined ? {} : { v6 }),
    ports,
    timeoutMs,
    timeoutSource,
  };
}

function diagnostic(
  code: string,
  message: string,
  directive: Directive,
  start?: number,
  end?: number,
): Diagnostic {
  const v = directive.valueSpan;
  let span: Span = v !== undefined && v.endColumn > v.column ? v : directive.span;
  if (v !== undefined && start !== undefined && end !== undefined) {
    span = { line: v.line, column: v.column + start, endColumn: v.column + end, offset: v.offset + start };
  }
  return { code, severity: "error", message, span };
}

function setExtension(key: string, family: 4 | 6): ConfigExtension {
  return {
    key,
    scope: "door",
    parse: (value, directive) => {
      const parsed = parseNftSetValue(value, family, directive.key);
      return parsed.ok ? [] : [diagnostic(parsed.code, parsed.message, directive, parsed.start, parsed.end)];
    },
  };
}

/** The nftables door directives, for `ParseOptions.extensions` (part of `KNOCKTOOL_EXTENSIONS`). */
export const NFT_EXTENSIONS: readonly ConfigExtension[] = [
  setExtension("Nft_Set", 4),
  setExtension("Nft_Set_6", 6),
  {
    key: "Nft_Port",
    scope: "door",
    parse: (value, directive) =>
      parseNftPorts(value) === undefined
        ? [diagnostic(
          NFT_CODES.badPort,
          `"${directive.key}" must be ports from 1 to 65535, comma-separated, at most ${MAX_NFT_PORTS} (e.g. "22" or "80,443"), not "${value}"`,
          directive,
        )]
        : [],
  },
  {
    key: "Nft_Timeout",
    scope: "door",
    parse: (value, directive) =>
      parseNftTimeout(value) === undefined
        ? [diagnostic(
          NFT_CODES.badTimeout,
          `"${directive.key}" must be a duration from 1 ms to 365 days (e.g. "30", "2.5", "90s", "5m", "1h30m"), not "${value}"`,
          directive,
        )]
        : [],
  },
];

/** `--explain` texts of {@linkcode NFT_CODES}. */
export const NFT_EXTENSION_RULES: readonly RuleInfo[] = [
  {
    code: NFT_CODES.badSet,
    severity: "error",
    name: "bad-nft-set",
    summary: "Nft_Set and Nft_Set_6 take FAMILY TABLE SET, with names nftables can parse",
    explanation:
      `Nft_Set and Nft_Set_6 are knocktool door directives (knockd does not know them). When the door
opens, knocktool adds the source address to the named nftables set, in-process through libnftables, with an
element timeout, so that the kernel removes it on time even if the daemon is killed. The value is three
words: the table's family, the table's name and the set's name, as in "nft list set inet filter knock_ssh4".

Names are nftables identifiers: a letter, "_" or "." first, then letters, digits and the characters
"/", "-", "_" and "."; at most 255 characters. (A name that is also an nft keyword, such as "set", cannot be
used either: serve checks each set with libnftables itself at start and refuses one nft cannot parse.)

Example:
  [openSSH]
      sequence = 7113,4091,9277
      Nft_Set  = inet filter        <- the set's name is missing

Fix: write all three words, e.g. "Nft_Set = inet filter knock_ssh4".`,
  },
  {
    code: NFT_CODES.badFamily,
    severity: "error",
    name: "bad-nft-family",
    summary: "an nftables family must be ip, ip6, inet, bridge or netdev, and see the set's addresses",
    explanation:
      `The first word of Nft_Set and Nft_Set_6 is the family of the set's table: ip (IPv4 only), ip6
(IPv6 only), inet (both), bridge or netdev. arp tables, and any other word, are refused. Nft_Set holds IPv4
addresses, so its table cannot be of family ip6 (whose chains see IPv6 packets only); Nft_Set_6 holds IPv6
addresses and cannot be in a table of family ip.

Example:
  [openSSH]
      sequence = 7113,4091,9277
      Nft_Set  = ipv4 filter knock_ssh4        <- "ipv4" is not a family

Fix: write the family as "nft list tables" shows it, e.g. "Nft_Set = inet filter knock_ssh4".`,
  },
  {
    code: NFT_CODES.badPort,
    severity: "error",
    name: "bad-nft-port",
    summary: "Nft_Port takes a comma-separated list of ports from 1 to 65535",
    explanation: `Nft_Port makes a door's elements per port: instead of the source address alone, each opening
adds "ADDRESS . PORT" for every port listed, to a set of type "ipv4_addr . inet_service" (Nft_Set) or
"ipv6_addr . inet_service" (Nft_Set_6), matched by a rule such as
  ip saddr . tcp dport @knock_ports4 accept
The value is one or more decimal ports from 1 to 65535, comma-separated, at most ${MAX_NFT_PORTS}.

Example:
  [openWeb]
      sequence = 7113,4091,9277
      Nft_Set  = inet filter knock_ports4
      Nft_Port = https        <- service names are not taken

Fix: write the port numbers, e.g. "Nft_Port = 443" or "Nft_Port = 80,443".`,
  },
  {
    code: NFT_CODES.badTimeout,
    severity: "error",
    name: "bad-nft-timeout",
    summary: "Nft_Timeout takes a duration from 1 ms to 365 days",
    explanation:
      `Nft_Timeout is the element timeout of a door's nftables openings: the kernel removes the address
from the set that long after the opening (a new opening by the same address starts it again). The value is
a number of seconds ("30", "2.5") or an nft-style duration with the units d, h, m, s and ms in that order
("90s", "5m", "1h30m", "1d", "500ms"); from 1 ms to 365 days. Without Nft_Timeout the door's Cmd_Timeout line
is used.

Example:
  [openSSH]
      sequence    = 7113,4091,9277
      Nft_Set     = inet filter knock_ssh4
      Nft_Timeout = 30 s        <- no space before the unit

Fix: write e.g. "Nft_Timeout = 30" or "Nft_Timeout = 30s".`,
  },
];
