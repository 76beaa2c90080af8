/**
 * Collecting the parser's diagnostics: at most a given number kept (a huge garbage input cannot exhaust
 * memory), the rest counted, and the order they are reported in.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Span } from "../span.ts";

/** Diagnostics of one parse, bounded in number. */
export class DiagnosticCollector {
  /** The diagnostics kept, in the order they were reported. */
  readonly kept: Diagnostic[] = [];
  #max: number;
  #omitted = 0;
  #omittedError = false;

  /** @param max How many diagnostics to keep; the rest are only counted. */
  constructor(max: number) {
    this.#max = max;
  }

  /** How many diagnostics were dropped beyond the maximum. */
  get omitted(): number {
    return this.#omitted;
  }

  /** True when no error was reported, kept or dropped. */
  get ok(): boolean {
    return !this.#omittedError && !this.kept.some((d) => d.severity === "error");
  }

  /** Keeps `d`, or counts it when the maximum is reached. */
  report(d: Diagnostic): void {
    if (this.kept.length < this.#max) this.kept.push(d);
    else {
      this.#omitted++;
      if (d.severity === "error") this.#omittedError = true;
    }
  }

  /** Reports every diagnostic of `items`. */
  reportAll(items: readonly Diagnostic[]): void {
    for (const d of items) this.report(d);
  }

  /** Reports an error that knockd refuses with the message `knockd`. */
  error(code: string, message: string, span: Span, knockd: string): void {
    this.report({ code, severity: "error", message, span, knockd });
  }

  /** The kept diagnostics, sorted {@linkcode byPosition}. */
  sorted(): Diagnostic[] {
    return this.kept.sort(byPosition);
  }
}

/** Orders diagnostics by line, then column, then offset (diagnostics without a span last). */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  const sa = a.span;
  const sb = b.span;
  if (sa === undefined || sb === undefined) return (sa === undefined ? 1 : 0) - (sb === undefined ? 1 : 0);
  return sa.line - sb.line || sa.column - sb.column || sa.offset - sb.offset;
}
