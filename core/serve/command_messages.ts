/**
 * The daemon's log messages about door commands: knockd's texts where knockd has one (`running command`,
 * `command timeout`, the non-zero status, the fork failure), our own for the journal, the command limit, the
 * command timeout and shutdown. Pure.
 *
 * @module
 */
import type { LogEntry } from "./messages.ts";

/** `<door>: running command: <command>` (knockd's). */
export function runningCommandMessage(door: string, command: string): LogEntry {
  return {
    level: "info",
    message: `${door}: running command: ${command}`,
    fields: { event: "command", door, command },
  };
}

/** `error: command fork failed! (<reason>)` (knockd's, with the reason). */
export function commandFailedMessage(door: string, reason: string): LogEntry {
  return {
    level: "error",
    message: `error: command fork failed! (${reason})`,
    fields: { event: "command-error", door },
  };
}

/** `error: command status lost! (<reason>)`: the command ran, its status could not be collected. */
export function commandLostMessage(door: string, reason: string): LogEntry {
  return {
    level: "error",
    message: `error: command status lost! (${reason})`,
    fields: { event: "command-error", door },
  };
}

/** `<door>: command returned non-zero status code (<code>)` (knockd's). */
export function commandStatusMessage(door: string, code: number): LogEntry {
  return {
    level: "warning",
    message: `${door}: command returned non-zero status code (${code})`,
    fields: { event: "command-status", door, code },
  };
}

/** `<door>: command ran longer than <s> s, killing it: <command>`. */
export function commandOverdueMessage(door: string, timeoutMs: number, command: string): LogEntry {
  return {
    level: "warning",
    message: `${door}: command ran longer than ${timeoutMs / 1000} s, killing it: ${command}`,
    fields: { event: "command-killed", door, command },
  };
}

/** `<ip>: <door>: command timeout` (knockd's: the stop command's time has come). */
export function commandTimeoutMessage(src: string, door: string): LogEntry {
  return {
    level: "info",
    message: `${src}: ${door}: command timeout`,
    fields: { event: "command-timeout", src, door },
  };
}

/** `<ip>: <door>: shutting down before cmd_timeout, running the stop command now`. */
export function earlyStopMessage(src: string, door: string): LogEntry {
  return {
    level: "info",
    message: `${src}: ${door}: shutting down before cmd_timeout, running the stop command now`,
    fields: { event: "command-early-stop", src, door },
  };
}

/** `<ip>: <door>: running overdue stop command from the journal`. */
export function overdueStopMessage(src: string, door: string): LogEntry {
  return {
    level: "info",
    message: `${src}: ${door}: running overdue stop command from the journal`,
    fields: { event: "journal-overdue", src, door },
  };
}

/** `<ip>: <door>: stop command from the journal due in <N.N> s`. */
export function journalScheduledMessage(src: string, door: string, inMs: number): LogEntry {
  return {
    level: "info",
    message: `${src}: ${door}: stop command from the journal due in ${(inMs / 1000).toFixed(1)} s`,
    fields: { event: "journal-scheduled", src, door },
  };
}

/** `<ip>: <door>: stop command done, removed from the journal` (debug). */
export function journalRemovedMessage(src: string, door: string): LogEntry {
  return {
    level: "debug",
    message: `${src}: ${door}: stop command done, removed from the journal`,
    fields: { event: "journal-removed", src, door },
  };
}

/** `command limit reached (<max> running): queueing commands`, once per burst. */
export function queueFullMessage(max: number): LogEntry {
  return {
    level: "warning",
    message: `command limit reached (${max} running): queueing commands`,
    fields: { event: "command-queue" },
  };
}

/** `command queue drained: <n> commands waited for a slot`. */
export function queueDrainedMessage(count: number): LogEntry {
  return {
    level: "info",
    message: `command queue drained: ${count} commands waited for a slot`,
    fields: { event: "command-queue-drained" },
  };
}
