/**
 * A `serve` log for in-process tests: verbose and debug, text format, every line captured.
 *
 * @module
 */
import { ServeLog } from "../../cli/serve/logging.ts";

/** The log and the lines it printed so far. */
export interface Logged {
  readonly log: ServeLog;
  readonly out: string[];
}

/** A verbose text log whose lines (on stdout: verbose prints every line there) are kept in `out`. */
export function captureServeLog(): Logged {
  const out: string[] = [];
  const log = ServeLog.configure({
    verbose: true,
    debug: true,
    format: "text",
    syslog: false,
    stdout: (t) => out.push(...t.split("\n").filter((l) => l !== "")),
    stderr: () => {}, // verbose: every line is on stdout
  });
  return { log, out };
}
