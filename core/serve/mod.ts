/**
 * Pure pieces of the `serve` daemon: log messages for engine events, log line formats and door commands.
 *
 * @module
 */
export {
  captureDropMessage,
  captureTotalsMessage,
  eventMessage,
  evictionMessage,
  type LogEntry,
  type LogFields,
} from "./messages.ts";
export { formatJsonLine, formatLogfileLine, type LocalTime } from "./log_line.ts";
export { type DoorCommands, doorCommands, MAX_COMMAND_BYTES, substituteIp } from "./commands.ts";
export { DueQueue } from "./due_queue.ts";
export { execPrefixed, plainArgv, STANDBY_ARGS, standbyLine } from "./standby.ts";
export { HelperLoad, type HelperLoadOptions, type HelperPolicy } from "./helper_load.ts";
