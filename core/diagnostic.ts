/**
 * Findings reported by the config parser and the lint rules.
 *
 * @module
 */
import type { Span } from "./span.ts";

/** How bad a finding is. `error`: knockd rejects the file or the door cannot work. */
export type Severity = "error" | "warning";

/** One finding about a config file. Pure data: rendering is the CLI's job. */
export interface Diagnostic {
  /** Stable rule code, e.g. `KT001` (see `knocktool lint --explain CODE`). */
  readonly code: string;
  /** `error` when knockd rejects the file or the door cannot work, else `warning`. */
  readonly severity: Severity;
  /** One sentence, no trailing period, values quoted. */
  readonly message: string;
  /**
   * Where in which file. `file` is the path as given (`-` for stdin); it is
   * absent when the finding is about the config text passed in directly.
   * `span` is absent for findings about a whole file (e.g. its permissions).
   */
  readonly file?: string;
  /** Where in the text (see `file`). */
  readonly span?: Span;
  /** What knockd itself prints for this problem, when knockd rejects the file. */
  readonly knockd?: string;
}

/**
 * Static description of one diagnostic code, shown by `knocktool lint --explain CODE`. The config parser
 * describes its KT0xx codes with it and the lint rules their KT1xx/KT2xx codes.
 */
export interface RuleInfo {
  /** Stable code, `KT` + three digits. KT0xx: knockd rejects; KT1xx: cannot work; KT2xx: warnings. */
  readonly code: string;
  /** The severity of every finding of this rule. */
  readonly severity: Severity;
  /** Short kebab-case name, e.g. `trailing-comma`. */
  readonly name: string;
  /** One line: why this matters. */
  readonly summary: string;
  /** Long explanation in plain text (several paragraphs allowed, with an example and the fix). */
  readonly explanation: string;
}
