/**
 * Where serve's log messages go, from the command line and the config: the logfile (`-g` over `LogFile`),
 * syslog (`UseSyslog`), stdout (`-v`, `-D`); and so which levels reach any sink at all (stderr takes only
 * warnings and errors), so that messages nobody would see are never built. Pure.
 *
 * @module
 */
import type { Config } from "../config/types.ts";

/** The log sinks and levels in use. */
export interface LogTargets {
  readonly logFile: string | undefined;
  readonly syslog: boolean;
  /** Every message on stdout (`-v` or `-D`). */
  readonly verbose: boolean;
  /** Info messages reach a sink (stdout, the logfile or syslog). */
  readonly info: boolean;
  /** Debug messages too (`-D` and a sink). */
  readonly debug: boolean;
}

/**
 * The log targets.
 *
 * @param options `-v`, `-D` and `-g`.
 * @param config The config (`LogFile`, `UseSyslog`), if loaded.
 * @returns The targets.
 */
export function logTargets(
  options: { readonly verbose: boolean; readonly debug: boolean; readonly logFile?: string | undefined },
  config: Config | undefined,
): LogTargets {
  const logFile = options.logFile ?? config?.options.logFile?.value;
  const syslog = config?.options.useSyslog !== undefined;
  const verbose = options.verbose || options.debug;
  const info = verbose || logFile !== undefined || syslog;
  return { logFile, syslog, verbose, info, debug: options.debug && info };
}
