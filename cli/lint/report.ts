/**
 * What `knocktool lint` found, per input file: the data every output format renders.
 *
 * @module
 */
import type { Diagnostic } from "../../core/diagnostic.ts";

/** One input as the user named it, with its findings or the reason it could not be read. */
export interface FileReport {
  /** The path as given on the command line; `-` for standard input. */
  readonly path: string;
  /** The decoded text, when the file was read (used to show source lines). */
  readonly text?: string;
  /**
   * The texts of the other files its findings point into (one-time sequences files), keyed by
   * `Diagnostic.file`, to show their source lines too.
   */
  readonly sources?: ReadonlyMap<string, string>;
  /** Findings, sorted by position; empty when the file could not be read. */
  readonly diagnostics: readonly Diagnostic[];
  /** Why the file could not be read (`No such file or directory`), when it could not. */
  readonly ioError?: string;
}

/** The whole run. */
export interface LintReport {
  readonly files: readonly FileReport[];
}

/** Counts over a report. */
export interface Counts {
  readonly errors: number;
  readonly warnings: number;
  /** Files that were read and linted. */
  readonly linted: number;
  /** Files that could not be read. */
  readonly unreadable: number;
}

/** Counts errors, warnings, linted and unreadable files. */
export function countReport(report: LintReport): Counts {
  let errors = 0, warnings = 0, linted = 0, unreadable = 0;
  for (const file of report.files) {
    if (file.ioError !== undefined) unreadable++;
    else linted++;
    for (const d of file.diagnostics) {
      if (d.severity === "error") errors++;
      else warnings++;
    }
  }
  return { errors, warnings, linted, unreadable };
}

/** The name to show for an input: `<stdin>` for `-`, else the path as given. */
export function displayName(path: string): string {
  return path === "-" ? "<stdin>" : path;
}

/** `1 error`, `2 warnings`: a count with its noun, pluralised. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
