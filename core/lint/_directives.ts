/**
 * Finding the directives knockd uses: the upper-cased keys with their aliases, the line in force (the last
 * one written) and where to point at its value.
 *
 * @module
 */
import type { Span } from "../span.ts";
import type { Directive, Section } from "../config/types.ts";

/** Directive keys as knockd compares them (upper-cased), with their aliases. */
export const KEYS = {
  sequence: ["SEQUENCE"],
  oneTimeSequences: ["ONE_TIME_SEQUENCES"],
  seqTimeout: ["SEQ_TIMEOUT", "TIMEOUT"],
  cmdTimeout: ["CMD_TIMEOUT"],
  tcpFlags: ["TCPFLAGS"],
  startCommand: ["START_COMMAND", "COMMAND"],
  startCommand6: ["START_COMMAND_6", "COMMAND_6"],
  stopCommand: ["STOP_COMMAND"],
  stopCommand6: ["STOP_COMMAND_6"],
  target: ["TARGET"],
  useSyslog: ["USESYSLOG"],
  logFile: ["LOGFILE"],
  pidFile: ["PIDFILE"],
  interface: ["INTERFACE"],
} as const satisfies Record<string, readonly string[]>;

/**
 * The directive of `section` that knockd uses for one of `keys`: the last one written.
 *
 * @param section The section to search.
 * @param keys Upper-cased keys that set the same setting (a key and its aliases).
 * @returns The last matching directive, if any.
 */
export function lastDirective(section: Section, keys: readonly string[]): Directive | undefined {
  const ds = section.directives;
  for (let i = ds.length - 1; i >= 0; i--) {
    const d = ds[i]!;
    if (keys.includes(d.normalizedKey)) return d;
  }
  return undefined;
}

/**
 * The span to point at for a directive's value: the value itself, or the whole line when the value is empty.
 *
 * @param d The directive.
 * @returns The value span when it is non-empty, else the directive's span.
 */
export function valueSpanOf(d: Directive): Span {
  const v = d.valueSpan;
  return v !== undefined && v.endColumn > v.column ? v : d.span;
}
