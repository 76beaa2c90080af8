/**
 * The system logger through libc (`openlog`, `syslog`, `closelog`), for knockd's `UseSyslog`.
 *
 * `syslog` is variadic; it is always called with the fixed format `"%s"` and one string argument, which the
 * x86_64 and aarch64 Linux calling conventions pass exactly like a non-variadic call with pointer arguments.
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";

/** `LOG_DAEMON` facility. */
export const LOG_DAEMON = 3 << 3;
/** `LOG_NOTICE` priority (knockd logs everything at this level). */
export const LOG_NOTICE = 5;
/** `LOG_ERR` priority. */
export const LOG_ERR = 3;
/** `LOG_WARNING` priority. */
export const LOG_WARNING = 4;

const encoder = new TextEncoder();
const FORMAT = encoder.encode("%s\0");

/** openlog keeps the ident pointer: the buffer must outlive the connection (set while it is open). */
let ident: Uint8Array<ArrayBuffer> | undefined;

/**
 * Opens the connection to the system logger (`openlog(ident, 0, facility)`), replacing an earlier one.
 *
 * @param name The ident, e.g. `knocktool`.
 * @param facility The facility, default {@linkcode LOG_DAEMON}.
 */
export function openSyslog(name: string, facility: number = LOG_DAEMON): void {
  const libc = loadLibc();
  const next = encoder.encode(`${name}\0`);
  libc.openlog(next, 0, facility);
  ident = next;
}

/**
 * Sends one message (`syslog(priority, "%s", message)`). Does nothing before {@linkcode openSyslog}.
 *
 * @param priority The priority, e.g. {@linkcode LOG_NOTICE}.
 * @param message The message (a trailing newline is dropped).
 */
export function writeSyslog(priority: number, message: string): void {
  if (ident === undefined) return;
  loadLibc().syslog(priority, FORMAT, encoder.encode(`${message.replace(/\n+$/, "")}\0`));
}

/** Closes the connection (`closelog`); {@linkcode writeSyslog} does nothing after it. Closing twice does nothing. */
export function closeSyslog(): void {
  if (ident === undefined) return;
  loadLibc().closelog();
  ident = undefined;
}
