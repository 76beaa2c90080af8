/**
 * The one TCP flag-spec parser (`syn,!ack`), shared by the config's
 * `TCPFlags` directive and `craft --flags`.
 *
 * Two dialects:
 * - `knockd`: exactly what knockd 0.8 accepts. Items are split at commas,
 *   upper-cased (ASCII only) and compared without trimming with `FIN SYN RST
 *   PSH ACK URG`, each optionally prefixed with `!`. An empty item or one with
 *   spaces is an error. A later mention of a flag overrides an earlier one.
 * - `craft`: friendlier. Items are trimmed; `ECE`, `CWR`, `NS` and `PUSH`
 *   (for `PSH`) are accepted too, as are `none` (every flag clear) and `all`
 *   (every flag set). An empty text is an empty spec.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagMask, formatFlagSpec, parseFlagSpec } from "./flags.ts";
 * const { spec, diagnostics } = parseFlagSpec("syn,!ack", { dialect: "knockd" });
 * assert.ok(diagnostics.length === 0);
 * assert.ok(formatFlagSpec(spec) === "syn,!ack");
 * assert.ok(flagMask(spec).set === 0x02 && flagMask(spec).clear === 0x10);
 * ```
 *
 * @module
 */
import type { FlagSpec, FlagState, TcpFlag } from "./config/types.ts";
import type { Diagnostic } from "./diagnostic.ts";
import type { Span } from "./span.ts";
import { CODES } from "./config/codes.ts";
import { asciiUpper, trimBounds } from "./_ctext.ts";
import { subSpan } from "./_spans.ts";

/** Every TCP flag in header bit order (low to high). */
export const TCP_FLAGS: readonly TcpFlag[] = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"];

/** Standard TCP header bit of each flag (NS is bit 8, in the data-offset byte). */
export const TCP_FLAG_BITS: Readonly<Record<TcpFlag, number>> = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
  ns: 0x100,
};

/** The flags knockd knows, in the order its BPF filter tests them. */
export const KNOCKD_FLAGS: readonly TcpFlag[] = ["fin", "syn", "rst", "psh", "ack", "urg"];

/** Which flag-spec syntax to accept. */
export type FlagDialect = "knockd" | "craft";

/** Options of {@link parseFlagSpec}. */
export interface ParseFlagSpecOptions {
  readonly dialect: FlagDialect;
  /** Where `text` sits in its source, so item spans and diagnostics point there. Defaults to line 1, column 1. */
  readonly span?: Span;
  /** knockd's line number for its message (`config: line N: unrecognized flag "X"`). Defaults to `span.line`. */
  readonly knockdLine?: number;
}

/** One comma-separated item of a flag spec. */
export interface FlagItem {
  /** The item exactly as written (not trimmed). */
  readonly raw: string;
  readonly span: Span;
  /** The flag it names, when it is valid (`undefined` for `none`/`all` and errors). */
  readonly flag?: TcpFlag;
  readonly state?: FlagState;
  /** False when the item was rejected (see the diagnostics). */
  readonly valid: boolean;
}

/** Result of {@link parseFlagSpec}. */
export interface ParsedFlagSpec {
  /** The valid items applied in order; later mentions override earlier ones. */
  readonly spec: FlagSpec;
  readonly items: readonly FlagItem[];
  /** One `KT005` error per rejected item. */
  readonly diagnostics: readonly Diagnostic[];
}

const NAMES: Readonly<Record<string, TcpFlag>> = {
  FIN: "fin",
  SYN: "syn",
  RST: "rst",
  PSH: "psh",
  ACK: "ack",
  URG: "urg",
};

const CRAFT_NAMES: Readonly<Record<string, TcpFlag>> = {
  ...NAMES,
  PUSH: "psh",
  ECE: "ece",
  CWR: "cwr",
  NS: "ns",
};

function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/** Parses a comma-separated flag spec such as `syn,!ack`. Never throws. */
export function parseFlagSpec(text: string, options: ParseFlagSpecOptions): ParsedFlagSpec {
  const base: Span = options.span ?? { line: 1, column: 1, endColumn: 1 + text.length, offset: 0 };
  const knockdLine = options.knockdLine ?? base.line;
  const craft = options.dialect === "craft";
  const names = craft ? CRAFT_NAMES : NAMES;
  const spec = new Map<TcpFlag, FlagState>();
  const items: FlagItem[] = [];
  const diagnostics: Diagnostic[] = [];
  if (craft && trimBounds(text)[0] === text.length) {
    return { spec, items, diagnostics };
  }
  let start = 0;
  for (;;) {
    const comma = text.indexOf(",", start);
    const end = comma === -1 ? text.length : comma;
    const raw = text.slice(start, end);
    const span = subSpan(base, start, end - start);
    let [s, e] = craft ? trimBounds(text, start, end) : [start, end];
    const word = asciiUpper(text.slice(s, e));
    let negated = false;
    let name = word;
    if (word.startsWith("!")) {
      negated = true;
      name = word.slice(1);
      s++;
      if (craft) [s, e] = trimBounds(text, s, e);
      name = asciiUpper(text.slice(s, e));
    }
    if (hasOwn(names, name)) {
      const flag = names[name] as TcpFlag;
      const state: FlagState = negated ? "clear" : "set";
      spec.delete(flag); // a later mention overrides and moves to the end
      spec.set(flag, state);
      items.push({ raw, span, flag, state, valid: true });
    } else if (craft && !negated && (name === "NONE" || name === "ALL")) {
      for (const flag of TCP_FLAGS) {
        spec.delete(flag);
        spec.set(flag, name === "ALL" ? "set" : "clear");
      }
      items.push({ raw, span, valid: true });
    } else {
      items.push({ raw, span, valid: false });
      diagnostics.push(flagDiagnostic(raw, span, options.dialect, knockdLine));
    }
    if (comma === -1) break;
    start = comma + 1;
  }
  return { spec, items, diagnostics };
}

function flagDiagnostic(raw: string, span: Span, dialect: FlagDialect, knockdLine: number): Diagnostic {
  const upper = asciiUpper(raw);
  if (dialect === "craft") {
    return {
      code: CODES.unrecognizedFlag,
      severity: "error",
      message: raw.trim() === ""
        ? "Empty TCP flag (expected FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS, none or all)"
        : `Unrecognized TCP flag "${raw}" (expected FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS, none or all, optionally prefixed with "!")`,
      span,
    };
  }
  let message: string;
  if (raw === "") {
    message = `Empty TCP flag: knockd rejects an empty TCPFlags value or item`;
  } else {
    const [s, e] = trimBounds(upper);
    const inner = upper.slice(s, e);
    const bare = inner.startsWith("!") ? inner.slice(1) : inner;
    if ((s !== 0 || e !== upper.length) && hasOwn(NAMES, bare)) {
      message = `Unrecognized TCP flag "${raw}": knockd does not trim spaces around flags, write "${
        raw.slice(s, e)
      }"`;
    } else if (hasOwn(CRAFT_NAMES, bare)) {
      message = `Unrecognized TCP flag "${raw}": knockd only knows FIN, SYN, RST, PSH, ACK and URG`;
    } else {
      message =
        `Unrecognized TCP flag "${raw}" (expected FIN, SYN, RST, PSH, ACK or URG, optionally prefixed with "!")`;
    }
  }
  return {
    code: CODES.unrecognizedFlag,
    severity: "error",
    message,
    span,
    knockd: `config: line ${knockdLine}: unrecognized flag "${upper}"`,
  };
}

/** Canonical text of a spec: flags in header bit order, `!` for clear, e.g. `syn,!ack`. Empty spec → `""`. */
export function formatFlagSpec(spec: FlagSpec): string {
  const parts: string[] = [];
  for (const flag of TCP_FLAGS) {
    const state = spec.get(flag);
    if (state === "set") parts.push(flag);
    else if (state === "clear") parts.push(`!${flag}`);
  }
  return parts.join(",");
}

/** Bit masks of the flags that must be set and must be clear (FIN=0x01 … CWR=0x80, NS=0x100). */
export function flagMask(spec: FlagSpec): { readonly set: number; readonly clear: number } {
  let set = 0;
  let clear = 0;
  for (const [flag, state] of spec) {
    if (state === "set") set |= TCP_FLAG_BITS[flag];
    else clear |= TCP_FLAG_BITS[flag];
  }
  return { set, clear };
}
