/**
 * The human-readable lint output, in the style of gcc and rustc:
 *
 * ```text
 * knockd.conf:4:15: error[KT003]: Port "70000" is out of range
 *     4 | sequence = 7000,70000
 *       |                 ^~~~~
 *       = knockd: config: section openSSH: port 70000 is invalid
 * knockd.conf: warning[KT201]: ...
 *
 * 1 error, 1 warning in 1 file
 * ```
 *
 * @module
 */
import type { Diagnostic } from "../../core/diagnostic.ts";
import { sanitize } from "../_text.ts";
import { createStyle, type Style } from "../colors.ts";
import { countReport, displayName, type FileReport, type LintReport, plural } from "./report.ts";

/** Options of {@link formatHuman}. */
export interface HumanOptions {
  /** Emit ANSI colours. */
  readonly color: boolean;
}

/** Longest stretch of a source line shown; longer lines are cut around the span. */
const MAX_SNIPPET = 160;
/** How much of the line before the span to keep when cutting. */
const LEAD = 40;

/** The source line a diagnostic points into, or `undefined` when the span does not fit the text. */
function sourceLine(text: string, d: Diagnostic): string | undefined {
  const span = d.span;
  if (span === undefined) return undefined;
  const start = span.offset - (span.column - 1);
  if (start < 0 || span.offset > text.length || (start > 0 && text[start - 1] !== "\n")) return undefined;
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  let line = text.slice(start, end);
  if (line.endsWith("\r")) line = line.slice(0, -1);
  return line;
}

function snippet(line: string, d: Diagnostic, style: Style): string[] {
  const span = d.span!;
  let from = span.column - 1;
  let to = Math.max(span.endColumn - 1, from + 1);
  let shown = line;
  let shift = 0;
  if (line.length > MAX_SNIPPET) {
    const cutStart = Math.max(0, Math.min(from - LEAD, line.length - MAX_SNIPPET));
    const cutEnd = Math.min(line.length, cutStart + MAX_SNIPPET);
    shown = (cutStart > 0 ? "…" : "") + line.slice(cutStart, cutEnd) + (cutEnd < line.length ? "…" : "");
    shift = (cutStart > 0 ? 1 : 0) - cutStart;
    from += shift;
    to += shift;
  }
  from = Math.max(0, Math.min(from, shown.length));
  to = Math.max(from + 1, Math.min(to, shown.length + 1));
  // Keep tabs so the caret lines up under tab-indented text.
  const pad = shown.slice(0, from).replace(/[^\t]/g, " ");
  const marks = "^" + "~".repeat(to - from - 1);
  const paint = d.severity === "error" ? style.red : style.yellow;
  const num = String(span.line);
  const gutter = " ".repeat(Math.max(4, num.length) - num.length) + num;
  const blank = " ".repeat(gutter.length);
  return [
    `${style.blue(gutter + " |")} ${sanitize(shown)}`,
    `${style.blue(blank + " |")} ${pad}${paint(marks)}`,
  ];
}

function formatOne(d: Diagnostic, report: FileReport, style: Style): string[] {
  const path = report.path;
  // A finding in another file (a one-time sequences file) shows that file's line, or none.
  const text = d.file === undefined || d.file === path ? report.text : report.sources?.get(d.file);
  const file = sanitize(displayName(d.file ?? path));
  const where = d.span === undefined ? `${file}:` : `${file}:${d.span.line}:${d.span.column}:`;
  const paint = d.severity === "error" ? style.red : style.yellow;
  const lines = [
    `${style.bold(where)} ${paint(`${d.severity}[${d.code}]`)}${style.bold(`: ${sanitize(d.message)}`)}`,
  ];
  const line = text === undefined ? undefined : sourceLine(text, d);
  if (line !== undefined) lines.push(...snippet(line, d, style));
  if (d.knockd !== undefined) {
    const blank = " ".repeat(Math.max(4, String(d.span?.line ?? "").length));
    lines.push(`${style.blue(blank + " =")} ${style.bold("knockd:")} ${sanitize(d.knockd)}`);
  }
  return lines;
}

/** Renders a report as text for people; ends with a summary line and a newline. */
export function formatHuman(report: LintReport, options: HumanOptions): string {
  const style = createStyle(options.color);
  const out: string[] = [];
  for (const file of report.files) {
    for (const d of file.diagnostics) out.push(...formatOne(d, file, style));
  }
  const counts = countReport(report);
  if (out.length > 0) out.push("");
  let summary = `${plural(counts.errors, "error")}, ${plural(counts.warnings, "warning")} in ${
    plural(counts.linted, "file")
  }`;
  if (counts.unreadable > 0) summary += ` (${counts.unreadable} could not be read)`;
  out.push(style.bold(summary));
  return out.join("\n") + "\n";
}
