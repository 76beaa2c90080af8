/**
 * Log line formats: knockd's logfile line and our JSON line. Pure (the caller passes the time).
 *
 * @module
 */
import type { LogFields } from "./messages.ts";

/** Local date and time fields, as the caller's clock and time zone give them. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * knockd's logfile line, `[YYYY-MM-DD HH:MM] <msg>` in local time, with a newline (and without knockd's
 * spurious empty lines: a trailing newline in the message is dropped).
 *
 * @param time Local time (month 1–12).
 * @param message The message.
 * @returns The line, newline included.
 */
export function formatLogfileLine(time: LocalTime, message: string): string {
  return `[${time.year}-${pad(time.month)}-${pad(time.day)} ${pad(time.hour)}:${pad(time.minute)}] ${
    message.replace(/\n+$/, "")
  }\n`;
}

/**
 * A JSON log line: `{"time": ISO 8601 with milliseconds, "level", "message", ...fields}` and a newline.
 *
 * @param timeMs Milliseconds since the epoch.
 * @param level The level name.
 * @param message The message text.
 * @param fields Structured fields (undefined values are left out).
 * @returns The line, newline included.
 */
export function formatJsonLine(timeMs: number, level: string, message: string, fields: LogFields): string {
  return `${JSON.stringify({ time: new Date(timeMs).toISOString(), level, message, ...fields })}\n`;
}
