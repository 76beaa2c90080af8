/**
 * One-time-sequences files (`One_Time_Sequences = path`), docs/knockd.md §3.5.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import type { SequenceStep } from "./types.ts";
import { CODES } from "./codes.ts";
import { parseSequence } from "./sequence.ts";
import { isCSpace, trimBounds } from "../_ctext.ts";
import { spanAt } from "../_spans.ts";
import { forEachChunk } from "./_chunks.ts";
import { DEFAULT_MAX_DIAGNOSTICS } from "./parse.ts";
import { byPosition } from "./_collector.ts";

/** One usable line of a one-time-sequences file. */
export interface OneTimeSequenceEntry {
  /** 1-based physical line number. */
  readonly line: number;
  /** Span of the trimmed sequence text. */
  readonly span: Span;
  /** The line's sequence. */
  readonly steps: readonly SequenceStep[];
  /**
   * True when the line's first character is not whitespace. knockd marks a
   * used line by overwriting its first byte with `#`, which then destroys the
   * first digit (`3333,4444` becomes `#333,4444`).
   */
  readonly startsWithNonSpace: boolean;
}

/** Result of {@link parseOneTimeSequences}. */
export interface OneTimeSequencesResult {
  /** Every valid line in file order; the first one is the sequence knockd uses now. */
  readonly entries: readonly OneTimeSequenceEntry[];
  /** The sequence in force (the first entry), if any. Without one knockd disables the door. */
  readonly current?: OneTimeSequenceEntry;
  /** `KT011` warnings for lines knockd skips, sorted by position (at most `maxDiagnostics`). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Options of {@link parseOneTimeSequences}. */
export interface ParseOneTimeSequencesOptions {
  /** Door name for knockd's message text. */
  readonly door?: string;
  /** Keep at most this many diagnostics (default 10,000); the rest are dropped. */
  readonly maxDiagnostics?: number;
}

/**
 * Parses a one-time-sequences file the way knockd reads it: line by line
 * (`fgets`, 4095-byte chunks), trimmed; empty and `#` lines are skipped; a
 * line that does not parse as a sequence is skipped with a warning carrying
 * knockd's message. Never throws.
 */
export function parseOneTimeSequences(
  text: string,
  options: ParseOneTimeSequencesOptions = {},
): OneTimeSequencesResult {
  const entries: OneTimeSequenceEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const max = options.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS;
  const parseOptions = options.door === undefined ? {} : { door: options.door };
  forEachChunk(text, (chunk) => {
    const [s, e] = trimBounds(chunk.text);
    if (s === e || chunk.text.charCodeAt(s) === 0x23) return;
    const span = spanAt(chunk.line, chunk.lineStart, chunk.offset + s, e - s);
    const parsed = parseSequence(chunk.text.slice(s, e), span, parseOptions);
    if (parsed.diagnostics.length > 0) {
      for (const d of parsed.diagnostics) {
        if (diagnostics.length >= max) break;
        const diagnostic: Diagnostic = {
          code: CODES.otpLineSkipped,
          severity: "warning",
          message: `knockd skips this one-time sequence: ${lowerFirst(d.message)}`,
          ...(d.span ? { span: d.span } : {}),
          ...(d.knockd ? { knockd: d.knockd } : {}),
        };
        diagnostics.push(diagnostic);
      }
      return;
    }
    entries.push({
      line: chunk.line,
      span,
      steps: parsed.steps,
      startsWithNonSpace: chunk.text.length > 0 && !isCSpace(chunk.text.charCodeAt(0)),
    });
  });
  diagnostics.sort(byPosition);
  const first = entries[0];
  return first === undefined ? { entries, diagnostics } : { entries, current: first, diagnostics };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Returns `text` with 1-based `line` marked as used, the safe way: a leading
 * space or tab is replaced with `#`, otherwise `#` is inserted before the
 * first character, so no digit is ever destroyed. Line endings (LF or CRLF)
 * are kept as found. A line that is out of range, empty or already a comment
 * is left alone.
 */
export function markOneTimeSequenceUsed(text: string, line: number): string {
  if (!Number.isInteger(line) || line < 1) return text;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf("\n", start);
    if (nl === -1) return text;
    start = nl + 1;
  }
  let end = text.indexOf("\n", start);
  if (end === -1) end = text.length;
  const [s, e] = trimBounds(text, start, end);
  if (s === e || text.charCodeAt(s) === 0x23) return text;
  const first = text.charCodeAt(start);
  if (first === 0x20 || first === 0x09) return text.slice(0, start) + "#" + text.slice(start + 1);
  return text.slice(0, start) + "#" + text.slice(start);
}
