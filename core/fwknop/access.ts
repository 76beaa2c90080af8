/**
 * fwknopd's access.conf: stanzas that each start with `SOURCE`, one `DIRECTIVE value` per line, `#` comments.
 * Parsed into what knocktool's fwknop door needs, with a finding (file:line:col, KT16x/KT26x) for every
 * line it refuses or doubts. Pure.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { RuleInfo } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import { type AddressList, parseAddressList } from "./address_list.ts";
import { ACCESS_RULES } from "./access_rules.ts";
import { decodeB64 } from "./base64.ts";
import { type FwknopDigest, parseDigestName } from "./crypto.ts";
import { MAX_HMAC_KEY_BYTES, MAX_KEY_BYTES } from "./packet.ts";

/** A `proto/port`. */
export interface ProtoPort {
  /** The protocol. */
  readonly proto: "tcp" | "udp";
  /** The port, 1 to 65535. */
  readonly port: number;
}

/** One access.conf stanza, as the door uses it. */
export interface AccessStanza {
  /** The 1-based line of its SOURCE. */
  readonly line: number;
  /** SOURCE as written. */
  readonly sourceText: string;
  /** The sources the stanza is for (SOURCE). */
  readonly source: AddressList;
  /** The destinations it is for (DESTINATION; default any). */
  readonly destination: AddressList;
  /** OPEN_PORTS; absent: any. */
  readonly openPorts?: readonly ProtoPort[] | undefined;
  /** RESTRICT_PORTS: never opened. */
  readonly restrictPorts: readonly ProtoPort[];
  /** KEY (its bytes) or KEY_BASE64 (decoded). */
  readonly key: Uint8Array;
  /** HMAC_KEY or HMAC_KEY_BASE64. */
  readonly hmacKey?: Uint8Array | undefined;
  /** HMAC_DIGEST_TYPE (default SHA256). */
  readonly hmacType: FwknopDigest;
  /** FW_ACCESS_TIMEOUT, s (default 30). */
  readonly accessTimeout: number;
  /** MAX_FW_TIMEOUT, s (default 300): the cap on a client's `-f`. */
  readonly maxTimeout: number;
  /** ACCESS_EXPIRE / ACCESS_EXPIRE_EPOCH, Unix seconds. */
  readonly expire?: number | undefined;
  /** REQUIRE_SOURCE_ADDRESS Y: packets made with `-s` (0.0.0.0) are refused. */
  readonly requireSource: boolean;
  /** REQUIRE_USERNAME. */
  readonly requireUsername?: string | undefined;
  /**
   * CMD_CYCLE_OPEN; `undefined` when the stanza has none and serve opens it in nftables instead
   * (`--fwknop-nft-set`, {@linkcode AccessConfOptions.nft}).
   */
  readonly cmdCycleOpen?: string | undefined;
  /** CMD_CYCLE_CLOSE (`undefined` for NONE). */
  readonly cmdCycleClose?: string | undefined;
  /** CMD_CYCLE_TIMER, s (default FW_ACCESS_TIMEOUT). */
  readonly cmdCycleTimer?: number | undefined;
}

/** A parsed access.conf. */
export interface AccessConf {
  /** The stanzas without errors, in file order (the first that fully matches a packet wins). */
  readonly stanzas: readonly AccessStanza[];
  /** Every finding, errors (KT16x) and warnings (KT26x). */
  readonly diagnostics: readonly Diagnostic[];
}

/** How an access.conf is read. */
export interface AccessConfOptions {
  /**
   * The stanzas without CMD_CYCLE_OPEN open in nftables (serve's `--fwknop-nft-set`/`--fwknop-nft-set-6`):
   * no KT164 for them.
   */
  readonly nft?: boolean;
}

/** The directives knocktool implements. */
const SUPPORTED = new Set([
  "SOURCE",
  "DESTINATION",
  "OPEN_PORTS",
  "RESTRICT_PORTS",
  "KEY",
  "KEY_BASE64",
  "HMAC_KEY",
  "HMAC_KEY_BASE64",
  "HMAC_DIGEST_TYPE",
  "ENCRYPTION_MODE",
  "FW_ACCESS_TIMEOUT",
  "MAX_FW_TIMEOUT",
  "ACCESS_EXPIRE",
  "ACCESS_EXPIRE_EPOCH",
  "REQUIRE_USERNAME",
  "REQUIRE_SOURCE_ADDRESS",
  "REQUIRE_SOURCE",
  "CMD_CYCLE_OPEN",
  "CMD_CYCLE_CLOSE",
  "CMD_CYCLE_TIMER",
  "ENABLE_CMD_EXEC",
  "ENABLE_CMD_SUDO_EXEC",
]);

/** fwknopd's directives knocktool refuses, and why. */
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/^GPG_/, "GPG mode is not supported (use Rijndael keys: fwknop --key-gen)"],
  [/^(FORCE_NAT|FORCE_SNAT|FORCE_MASQUERADE|FORWARD_ALL|DISABLE_DNAT)$/, "NAT access is not supported"],
  [
    /^(CMD_EXEC_USER|CMD_EXEC_GROUP|CMD_SUDO_EXEC_USER|CMD_SUDO_EXEC_GROUP|SUDO_EXE)$/,
    "command messages are not supported (commands run as the daemon's user)",
  ],
  [/^%INCLUDE(_FOLDER)?$/, "%include is not supported (put the stanzas in one file)"],
];

interface Line {
  readonly name: string;
  readonly value: string;
  readonly line: number;
  readonly nameSpan: Span;
  readonly valueSpan: Span;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let offset = 0;
  text.split("\n").forEach((raw, i) => {
    const start = offset;
    offset += raw.length + 1;
    const body = raw.replace(/\r$/, "");
    const m = /^(\s*)(\S+)(?:(\s+)(.*?))?\s*$/.exec(body);
    if (m === null || m[2]!.startsWith("#")) return;
    const lead = m[1]!.length;
    const name = m[2]!;
    const valueAt = lead + name.length + (m[3]?.length ?? 0);
    const value = m[4] ?? "";
    out.push({
      name: name.toUpperCase(),
      value,
      line: i + 1,
      nameSpan: { line: i + 1, column: lead + 1, endColumn: lead + 1 + name.length, offset: start + lead },
      valueSpan: {
        line: i + 1,
        column: valueAt + 1,
        endColumn: valueAt + 1 + Math.max(value.length, 1),
        offset: start + valueAt,
      },
    });
  });
  return out;
}

/** Parses `tcp/22, udp/53`. */
export function parsePortList(text: string): ProtoPort[] | undefined {
  const out: ProtoPort[] = [];
  for (const item of text.split(",")) {
    const m = /^(tcp|udp)\/(\d{1,5})$/i.exec(item.trim());
    const port = m === null ? NaN : Number(m[2]);
    if (m === null || !(port >= 1 && port <= 65535)) return undefined;
    out.push({ proto: m[1]!.toLowerCase() as "tcp" | "udp", port });
  }
  return out;
}

/** MM/DD/YYYY at 00:00 UTC, Unix seconds. */
function parseDate(text: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (m === null) return undefined;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return Date.UTC(year, month - 1, day) / 1000;
}

function parseSeconds(text: string): number | undefined {
  return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

function parseYesNo(text: string): boolean | undefined {
  const t = text.trim().toUpperCase();
  return t === "Y" ? true : t === "N" ? false : undefined;
}

/**
 * Parses an access.conf.
 *
 * @param text The file's text.
 * @param file Its path, for the findings.
 * @param options Whether stanzas without CMD_CYCLE_OPEN open in nftables.
 * @returns The usable stanzas and every finding (any error refuses the file in `serve`).
 */
export function parseAccessConf(text: string, file: string, options: AccessConfOptions = {}): AccessConf {
  const diagnostics: Diagnostic[] = [];
  const report = (rule: RuleInfo, span: Span, message: string) =>
    diagnostics.push({ code: rule.code, severity: rule.severity, message, file, span });
  const groups: { source: Line; lines: Line[] }[] = [];
  for (const l of lines(text)) {
    if (l.name === "SOURCE") groups.push({ source: l, lines: [l] });
    else if (groups.length === 0) {
      report(ACCESS_RULES.outsideStanza, l.nameSpan, `"${l.name}" comes before the first SOURCE line`);
    } else groups[groups.length - 1]!.lines.push(l);
  }
  if (groups.length === 0) {
    diagnostics.push({
      code: ACCESS_RULES.noStanza.code,
      severity: "error",
      message: "no SOURCE stanza: no packet can be accepted",
      file,
    });
  }
  const stanzas: AccessStanza[] = [];
  for (const group of groups) {
    const stanza = parseStanza(group.lines, group.source, report, options.nft === true);
    if (stanza !== undefined) stanzas.push(stanza);
  }
  return { stanzas, diagnostics };
}

type Report = (rule: RuleInfo, span: Span, message: string) => void;

function parseStanza(
  group: readonly Line[],
  source: Line,
  report: Report,
  nft: boolean,
): AccessStanza | undefined {
  let ok = true;
  const error = (rule: RuleInfo, span: Span, message: string) => {
    ok = false;
    report(rule, span, message);
  };
  const seen = new Map<string, Line>();
  for (const l of group) {
    const canonical = l.name === "REQUIRE_SOURCE" ? "REQUIRE_SOURCE_ADDRESS" : l.name;
    const unsupported = UNSUPPORTED.find(([re]) => re.test(l.name));
    if (unsupported !== undefined) {
      error(ACCESS_RULES.unsupported, l.nameSpan, `${l.name}: ${unsupported[1]}`);
      continue;
    }
    if (!SUPPORTED.has(l.name)) {
      error(ACCESS_RULES.unknown, l.nameSpan, `"${l.name}" is not an access.conf directive`);
      continue;
    }
    const before = seen.get(canonical);
    if (before !== undefined) {
      report(
        ACCESS_RULES.duplicate,
        l.nameSpan,
        `${l.name} is already set on line ${before.line}; this one wins`,
      );
    }
    seen.set(canonical, l);
  }
  const get = (name: string) => seen.get(name);
  const bad = (l: Line, what: string) => error(ACCESS_RULES.badValue, l.valueSpan, `${l.name}: ${what}`);

  const addresses = (l: Line | undefined): AddressList => {
    if (l === undefined) return "any";
    const parsed = parseAddressList(l.value);
    if (parsed.ok) return parsed.list;
    bad(l, `"${parsed.bad}" is not an address or network (ANY, 10.0.0.0/8, 192.0.2.7)`);
    return [];
  };
  const src = addresses(source);
  const destination = addresses(get("DESTINATION"));
  const ports = (l: Line | undefined) => {
    if (l === undefined) return undefined;
    const parsed = parsePortList(l.value);
    if (parsed === undefined) bad(l, `"${l.value}" is not a proto/port list (tcp/22, udp/53)`);
    return parsed;
  };
  const openPorts = ports(get("OPEN_PORTS"));
  const restrictPorts = ports(get("RESTRICT_PORTS")) ?? [];
  const seconds = (l: Line | undefined, fallback: number) => {
    if (l === undefined) return fallback;
    const n = parseSeconds(l.value);
    if (n === undefined) bad(l, `"${l.value}" is not a number of seconds`);
    return n ?? fallback;
  };
  const accessTimeout = seconds(get("FW_ACCESS_TIMEOUT"), 30);
  const maxTimeout = seconds(get("MAX_FW_TIMEOUT"), 300);
  const timerLine = get("CMD_CYCLE_TIMER");
  const cmdCycleTimer = timerLine === undefined ? undefined : seconds(timerLine, accessTimeout);
  const flag = (name: string) => {
    const l = get(name);
    if (l === undefined) return false;
    const v = parseYesNo(l.value);
    if (v === undefined) bad(l, `"${l.value}" is not Y or N`);
    return v ?? false;
  };
  const requireSource = flag("REQUIRE_SOURCE_ADDRESS");
  for (const name of ["ENABLE_CMD_EXEC", "ENABLE_CMD_SUDO_EXEC"]) {
    if (flag(name)) {
      error(ACCESS_RULES.unsupported, get(name)!.nameSpan, `${name}: command messages are not supported`);
    }
  }
  const mode = get("ENCRYPTION_MODE");
  if (mode !== undefined && mode.value.trim().toUpperCase() !== "CBC") {
    error(
      ACCESS_RULES.unsupported,
      mode.valueSpan,
      `ENCRYPTION_MODE ${mode.value.trim()}: only CBC is supported`,
    );
  }
  let hmacType: FwknopDigest = "SHA256";
  const typeLine = get("HMAC_DIGEST_TYPE");
  if (typeLine !== undefined) {
    const t = parseDigestName(typeLine.value);
    if (t === undefined) {
      bad(typeLine, `"${typeLine.value}" is not MD5, SHA1, SHA256, SHA384, SHA512, SHA3_256 or SHA3_512`);
    } else hmacType = t;
    if (t === "MD5" || t === "SHA1") {
      report(ACCESS_RULES.weakDigest, typeLine.valueSpan, `HMAC_DIGEST_TYPE ${t} is weak; use SHA256`);
    }
  }
  const keyOf = (
    textName: string,
    b64Name: string,
    max: number,
  ): { key: Uint8Array; line: Line } | undefined => {
    const b64 = get(b64Name);
    const plain = get(textName);
    const l = b64 ?? plain;
    if (l === undefined) return undefined;
    const key = b64 !== undefined ? decodeB64(b64.value.trim()) : new TextEncoder().encode(l.value);
    if (key === undefined || key.length === 0) {
      bad(l, "not a base64 key");
      return undefined;
    }
    if (key.length > max) {
      error(ACCESS_RULES.keyLength, l.valueSpan, `${l.name}: the key is ${key.length} bytes, at most ${max}`);
      return undefined;
    }
    return { key, line: l };
  };
  const key = keyOf("KEY", "KEY_BASE64", MAX_KEY_BYTES);
  const hmacKey = keyOf("HMAC_KEY", "HMAC_KEY_BASE64", MAX_HMAC_KEY_BYTES);
  if (key === undefined && get("KEY") === undefined && get("KEY_BASE64") === undefined) {
    error(
      ACCESS_RULES.noKey,
      source.nameSpan,
      `the stanza of SOURCE ${source.value} has no KEY or KEY_BASE64`,
    );
  }
  if (hmacKey === undefined && get("HMAC_KEY") === undefined && get("HMAC_KEY_BASE64") === undefined) {
    report(
      ACCESS_RULES.noHmac,
      source.nameSpan,
      `the stanza of SOURCE ${source.value} has no HMAC key: packets are decrypted unauthenticated`,
    );
  }
  if (
    key !== undefined && hmacKey !== undefined && key.key.length === hmacKey.key.length &&
    key.key.every((b, i) => b === hmacKey.key[i])
  ) {
    error(ACCESS_RULES.sameKeys, hmacKey.line.valueSpan, "the HMAC key is the encryption key");
  }
  const open = get("CMD_CYCLE_OPEN");
  const close = get("CMD_CYCLE_CLOSE");
  if (open === undefined && close === undefined) {
    if (!nft) {
      error(
        ACCESS_RULES.noCommand,
        source.nameSpan,
        `the stanza of SOURCE ${source.value} has no CMD_CYCLE_OPEN and serve has no --fwknop-nft-set: an accepted packet would open nothing`,
      );
    }
  } else if (open === undefined || close === undefined) {
    const l = (open ?? close)!;
    error(
      ACCESS_RULES.cyclePair,
      l.nameSpan,
      `${l.name} without ${
        open === undefined ? "CMD_CYCLE_OPEN" : "CMD_CYCLE_CLOSE"
      } (use CMD_CYCLE_CLOSE NONE for none)`,
    );
  }
  if (!requireSource) {
    report(
      ACCESS_RULES.noRequireSource,
      (get("REQUIRE_SOURCE_ADDRESS") ?? source).nameSpan,
      "REQUIRE_SOURCE_ADDRESS is not Y: a packet made with -s opens for whoever sends it first",
    );
  }
  if (openPorts === undefined && get("OPEN_PORTS") === undefined) {
    report(
      ACCESS_RULES.noOpenPorts,
      source.nameSpan,
      `the stanza of SOURCE ${source.value} has no OPEN_PORTS: any port may be asked for`,
    );
  }
  const maxLine = get("MAX_FW_TIMEOUT");
  if (maxLine !== undefined && maxTimeout < accessTimeout) {
    report(
      ACCESS_RULES.maxTimeout,
      maxLine.valueSpan,
      `MAX_FW_TIMEOUT ${maxTimeout} is below FW_ACCESS_TIMEOUT ${accessTimeout}`,
    );
  }
  let expire: number | undefined;
  const exp = get("ACCESS_EXPIRE");
  if (exp !== undefined) {
    expire = parseDate(exp.value);
    if (expire === undefined) bad(exp, `"${exp.value}" is not MM/DD/YYYY`);
  }
  const expEpoch = get("ACCESS_EXPIRE_EPOCH");
  if (expEpoch !== undefined) {
    expire = parseSeconds(expEpoch.value);
    if (expire === undefined) bad(expEpoch, `"${expEpoch.value}" is not Unix seconds`);
  }
  const user = get("REQUIRE_USERNAME");
  if (!ok || key === undefined || (open === undefined && !nft)) return undefined;
  const closeText = close?.value.trim();
  return {
    line: source.line,
    sourceText: source.value,
    source: src,
    destination,
    openPorts,
    restrictPorts,
    key: key.key,
    hmacKey: hmacKey?.key,
    hmacType,
    accessTimeout,
    maxTimeout,
    expire,
    requireSource,
    requireUsername: user?.value.trim(),
    cmdCycleOpen: open?.value,
    cmdCycleClose: closeText === undefined || closeText.toUpperCase() === "NONE" ? undefined : close!.value,
    cmdCycleTimer,
  };
}
