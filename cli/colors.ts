/**
 * Minimal ANSI styling for terminal output, switched on or off per call site.
 *
 * @module
 */

/** A set of styling functions; all are the identity when colour is off. */
export interface Style {
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly blue: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const wrap = (open: string) => (text: string): string => text === "" ? "" : `\x1b[${open}m${text}\x1b[0m`;

/** Styles that emit ANSI escape sequences, or none at all when `enabled` is false. */
export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    const id = (text: string): string => text;
    return { bold: id, red: id, yellow: id, blue: id, cyan: id };
  }
  return { bold: wrap("1"), red: wrap("1;31"), yellow: wrap("1;33"), blue: wrap("1;34"), cyan: wrap("36") };
}

/**
 * Whether to colour output written to a stream: only on a terminal, and never
 * when `NO_COLOR` is set to a non-empty value (https://no-color.org).
 */
export function useColor(isTerminal: boolean, env: (name: string) => string | undefined): boolean {
  const noColor = env("NO_COLOR");
  return isTerminal && (noColor === undefined || noColor === "");
}
