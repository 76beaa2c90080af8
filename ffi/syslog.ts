/**
 * The system logger through libc (`openlog`, `syslog`, `closelog`), for knockd's `UseSyslog`.
 *
 * `syslog` is variadic; it is always called with the fixed format `"%s"` and one string argument, which the
 * x86_64 and aarch64 Linux calling conventions pass exactly like a non-variadic call with pointer arguments.
 *
 * @module
 */

const SYMBOLS = {
  openlog: { parameters: ["buffer", "i32", "i32"], result: "void" },
  syslog: { parameters: ["i32", "buffer", "buffer"], result: "void" },
  closelog: { parameters: [], result: "void" },
} as const;

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

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
/** openlog keeps the ident pointer: the buffer must outlive the connection. */
let ident: Uint8Array<ArrayBuffer> | undefined;

/**
 * Opens the connection to the system logger (`openlog(ident, 0, facility)`), replacing an earlier one.
 *
 * @param name The ident, e.g. `knocktool`.
 * @param facility The facility, default {@linkcode LOG_DAEMON}.
 */
export function openSyslog(name: string, facility: number = LOG_DAEMON): void {
  lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
  ident = encoder.encode(`${name}\0`);
  lib.symbols.openlog(ident, 0, facility);
}

/**
 * Sends one message (`syslog(priority, "%s", message)`). Does nothing before {@linkcode openSyslog}.
 *
 * @param priority The priority, e.g. {@linkcode LOG_NOTICE}.
 * @param message The message (a trailing newline is dropped).
 */
export function writeSyslog(priority: number, message: string): void {
  if (lib === undefined) return;
  lib.symbols.syslog(priority, FORMAT, encoder.encode(`${message.replace(/\n+$/, "")}\0`));
}

/** Closes the connection (`closelog`) and unloads the binding. */
export function closeSyslog(): void {
  if (lib === undefined) return;
  lib.symbols.closelog();
  lib.close();
  lib = undefined;
  ident = undefined;
}
