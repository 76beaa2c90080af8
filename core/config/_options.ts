/**
 * The `[options]` section's own keys: `LogFile`, `PidFile`, `Interface` (`UseSyslog`, allowed anywhere, is
 * handled with the other value-less lines).
 *
 * @module
 */
import type { MutableOptions, ValuedDirective } from "./_state.ts";

/** knockd's `[options]` keys that take a value (upper-cased). */
export const OPTION_KEYS: ReadonlySet<string> = new Set(["LOGFILE", "PIDFILE", "INTERFACE"]);

/**
 * Applies one of knockd's `[options]` keys; a later line replaces an earlier one.
 *
 * @param options The options being read.
 * @param directive The directive, with its value.
 * @returns False when `directive` is not an `[options]` key.
 */
export function applyOptionKey(options: MutableOptions, directive: ValuedDirective): boolean {
  const located = { value: directive.value, span: directive.valueSpan };
  switch (directive.normalizedKey) {
    case "LOGFILE":
      options.logFile = located;
      return true;
    case "PIDFILE":
      options.pidFile = located;
      return true;
    case "INTERFACE":
      options.interface = located;
      return true;
  }
  return false;
}
