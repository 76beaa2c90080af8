/**
 * The one TCP flag-spec parser (`syn,!ack`), shared by the config's
 * `TCPFlags` directive, `craft --flags` and `knock --flags`.
 *
 * One grammar, knockd's: items are split at commas, upper-cased (ASCII only)
 * and compared as written, without trimming, each optionally prefixed with
 * `!`. An empty text, an empty item or one with spaces (`syn, ack`) is an
 * error in every dialect. A later mention of a flag overrides an earlier one.
 * The dialects differ only in the names they know:
 * - `knockd`: exactly knockd 0.8's `FIN SYN RST PSH ACK URG`.
 * - `craft` (also `knock --flags`): those, plus `ECE`, `CWR`, `NS`, `PUSH`
 *   (for `PSH`), `none` (every flag clear), `all` (every flag set) and
 *   hping3's letters, any number of them in one item: `S`, `SA`, `FPU`, `!A`
 *   (`F S R P A U`, `X` for ECE, `Y` for CWR; hping3 has no letter for NS).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagMask, formatFlagSpec, parseFlagSpec } from "./flags.ts";
 * const { spec, diagnostics } = parseFlagSpec("syn,!ack", { dialect: "knockd" });
 * assert.ok(diagnostics.length === 0);
 * assert.ok(formatFlagSpec(spec) === "syn,!ack");
 * assert.ok(flagMask(spec).set === 0x02 && flagMask(spec).clear === 0x10);
 * assert.ok(formatFlagSpec(parseFlagSpec("SA", { dialect: "craft" }).spec) === "syn,ack");
 * assert.ok(parseFlagSpec("syn, ack", { dialect: "craft" }).diagnostics.length === 1);
 * ```
 *
 * @module
 */
import type { FlagSpec, FlagState, TcpFlag } from "./types.ts";
import type { Diagnostic } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import { CODES } from "./codes.ts";
import { asciiUpper, trimBounds } from "../_ctext.ts";
import { subSpan } from "../_spans.ts";

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

/** Which flag names to accept (the grammar is the same): knockd's six, or those and the extensions of `craft`. */
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

/** hping3's flag letters (its `-F -S -R -P -A -U -X -Y` options and its `flags=SA` output). */
export const HPING3_LETTERS: Readonly<Record<string, TcpFlag>> = {
  F: "fin",
  S: "syn",
  R: "rst",
  P: "psh",
  A: "ack",
  U: "urg",
  X: "ece",
  Y: "cwr",
};

const LETTER_WORD = /^[FSRPAUXY]+$/;

function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/** The flags an item names in `dialect`, or `undefined` when it names none. */
function itemFlags(
  name: string,
  craft: boolean,
): { readonly flags: readonly TcpFlag[]; readonly word: boolean } | undefined {
  if (hasOwn(craft ? CRAFT_NAMES : NAMES, name)) {
    return { flags: [(craft ? CRAFT_NAMES : NAMES)[name] as TcpFlag], word: true };
  }
  if (craft && LETTER_WORD.test(name)) {
    return { flags: [...name].map((c) => HPING3_LETTERS[c]!), word: false };
  }
  return undefined;
}

/** Parses a comma-separated flag spec such as `syn,!ack` (or `SA` in the `craft` dialect). Never throws. */
export function parseFlagSpec(text: string, options: ParseFlagSpecOptions): ParsedFlagSpec {
  const base: Span = options.span ?? { line: 1, column: 1, endColumn: 1 + text.length, offset: 0 };
  const knockdLine = options.knockdLine ?? base.line;
  const craft = options.dialect === "craft";
  const spec = new Map<TcpFlag, FlagState>();
  const items: FlagItem[] = [];
  const diagnostics: Diagnostic[] = [];
  let start = 0;
  for (;;) {
    const comma = text.indexOf(",", start);
    const end = comma === -1 ? text.length : comma;
    const raw = text.slice(start, end);
    const span = subSpan(base, start, end - start);
    const word = asciiUpper(raw);
    const negated = word.startsWith("!");
    const name = negated ? word.slice(1) : word;
    const named = itemFlags(name, craft);
    if (named !== undefined) {
      const state: FlagState = negated ? "clear" : "set";
      for (const flag of named.flags) {
        spec.delete(flag); // a later mention overrides and moves to the end
        spec.set(flag, state);
      }
      items.push(
        named.word
          ? { raw, span, flag: named.flags[0]!, state, valid: true }
          : { raw, span, state, valid: true },
      );
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

const CRAFT_EXPECTED =
  `FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS, none, all or hping3's letters such as SA, optionally prefixed with "!"`;

function flagDiagnostic(raw: string, span: Span, dialect: FlagDialect, knockdLine: number): Diagnostic {
  const upper = asciiUpper(raw);
  const craft = dialect === "craft";
  const [s, e] = trimBounds(upper);
  const inner = upper.slice(s, e);
  const bare = inner.startsWith("!") ? inner.slice(1) : inner;
  let message: string;
  if (inner === "") {
    message = craft
      ? `Empty TCP flag (expected ${CRAFT_EXPECTED}; "none" clears every flag)`
      : `Empty TCP flag: knockd rejects an empty TCPFlags value or item`;
  } else if (
    (s !== 0 || e !== upper.length) &&
    (itemFlags(bare, craft) !== undefined || (craft && (bare === "NONE" || bare === "ALL")))
  ) {
    message = craft
      ? `Unrecognized TCP flag "${raw}": no spaces around flags (the same rule as knockd's TCPFlags), write "${
        raw.slice(s, e)
      }"`
      : `Unrecognized TCP flag "${raw}": knockd does not trim spaces around flags, write "${
        raw.slice(s, e)
      }"`;
  } else if (craft) {
    message = `Unrecognized TCP flag "${raw}" (expected ${CRAFT_EXPECTED})`;
  } else if (hasOwn(CRAFT_NAMES, bare)) {
    message = `Unrecognized TCP flag "${raw}": knockd only knows FIN, SYN, RST, PSH, ACK and URG`;
  } else if (LETTER_WORD.test(bare)) {
    const names = [...bare].map((c) => HPING3_LETTERS[c]!).join(",");
    message =
      `Unrecognized TCP flag "${raw}": knockd only knows FIN, SYN, RST, PSH, ACK and URG (hping3's "${bare}" is "${
        inner.startsWith("!") ? names.split(",").map((n) => `!${n}`).join(",") : names
      }")`;
  } else {
    message =
      `Unrecognized TCP flag "${raw}" (expected FIN, SYN, RST, PSH, ACK or URG, optionally prefixed with "!")`;
  }
  return {
    code: CODES.unrecognizedFlag,
    severity: "error",
    message,
    span,
    ...(craft ? {} : { knockd: `config: line ${knockdLine}: unrecognized flag "${upper}"` }),
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
