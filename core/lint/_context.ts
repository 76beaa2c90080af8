/**
 * What every lint rule receives, and the small helpers rules share.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import type { Config, Door, SequenceStep } from "../config/types.ts";
import type { FileFacts, LintOptions, RuleInfo } from "./types.ts";
import type { OtpFile } from "./_otp.ts";
import type { NftFacts, NftRequirement } from "../nft/check.ts";

/** Everything a rule may look at. Built once per `lintConfig` call. */
export interface LintContext {
  /** The config text as given. */
  readonly text: string;
  /** The parsed config (best effort when the parser reported errors). */
  readonly config: Config;
  readonly options: LintOptions;
  /** Diagnostics the parser already reported (KT0xx). */
  readonly parseDiagnostics: readonly Diagnostic[];
  /**
   * Looks up a file the config names, through `options.readFile`, at most once per path.
   * `undefined` when no reader was injected.
   */
  readonly readFile: (path: string) => FileFacts | undefined;
  /** The parsed one-time sequences file, or `undefined` when it cannot be read or no reader was injected. */
  readonly otpFile: (path: string) => OtpFile | undefined;
  /**
   * The sequence knockd uses for a door: its `Sequence` steps, or the first valid line of its one-time
   * sequences file when that directive came last; empty when the file cannot be read, and when the
   * `Sequence` value has an item knockd refuses (see `writtenSequence`).
   */
  readonly sequenceOf: (door: Door) => readonly SequenceStep[];
  /**
   * The sets the config's nftables doors add to and what the kernel holds (`options.nftables`, read once);
   * `undefined` without `options.nftables` or without such doors.
   */
  readonly nftables: () =>
    | { readonly requirements: readonly NftRequirement[]; readonly facts: NftFacts }
    | undefined;
}

/** A lint rule: its metadata and its check. Each file under `rules/` is one. */
export interface Rule {
  readonly info: RuleInfo;
  readonly check: (ctx: LintContext) => Diagnostic[];
}

/** Extra fields of a finding besides code, severity, message and span. */
export interface FindingExtra {
  /** File the span refers to, when it is not the config itself (e.g. a one-time sequences file). */
  readonly file?: string;
}

/**
 * Builds a diagnostic of `info`'s code and severity.
 *
 * @param info The rule reporting the finding.
 * @param message One sentence, no trailing period, values quoted.
 * @param span Where; omit for findings about a whole file.
 * @param extra Optional other fields.
 * @returns The diagnostic.
 */
export function finding(
  info: RuleInfo,
  message: string,
  span?: Span,
  extra: FindingExtra = {},
): Diagnostic {
  return {
    code: info.code,
    severity: info.severity,
    message,
    ...(extra.file !== undefined ? { file: extra.file } : {}),
    ...(span !== undefined ? { span } : {}),
  };
}

/**
 * A part of a one-line span: code units `[start, end)` relative to the span's first column.
 *
 * @param span The enclosing span.
 * @param start First code unit, relative to `span.column`.
 * @param end One past the last code unit, relative to `span.column`.
 * @returns The sub-span.
 */
export function subSpan(span: Span, start: number, end: number): Span {
  return {
    line: span.line,
    column: span.column + start,
    endColumn: span.column + end,
    offset: span.offset + start,
  };
}

/**
 * The span covering `from` through `to` (both on the same line, `from` first).
 *
 * @param from The first span.
 * @param to The last span.
 * @returns A span from the start of `from` to the end of `to`.
 */
export function joinSpans(from: Span, to: Span): Span {
  if (from.line !== to.line) return from;
  return { line: from.line, column: from.column, endColumn: to.endColumn, offset: from.offset };
}

/**
 * A door's name quoted for messages.
 *
 * @param door The door.
 * @returns `"name"`.
 */
export function doorLabel(door: Door): string {
  return `"${door.name}"`;
}
