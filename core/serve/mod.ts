/**
 * The serve daemon's core, pure: the state machine ({@linkcode ServeDaemon}) with its effects, the door
 * commands' scheduling, the doors and one-time sequences, the capture interfaces, log messages and line
 * formats, the stop-command journal's format, and the pieces of the latency tuning that are pure.
 *
 * @module
 */
export { type CaptureCounters, type CaptureInfo, CaptureSet, type FilterChange } from "./captures.ts";
export { ServeDaemon } from "./daemon.ts";
export type { DaemonConfig, DaemonOptions, DaemonStart, ReloadResult } from "./daemon_types.ts";
export {
  type CommandOutcome,
  type Effect,
  type FilterEffect,
  type JournalEffect,
  type LogConfigEffect,
  type LogEffect,
  type LookupEffect,
  type NftEffect,
  NO_EFFECTS,
  type OtpEffect,
  type RunEffect,
  type StateEffect,
} from "./effects.ts";
export type { Datagram, DatagramDoor, DatagramOpen, DatagramReject, DatagramVerdict } from "./datagram.ts";
export { type DatagramActions, DatagramDoors } from "./datagram_doors.ts";
export { MAX_REJECT_KINDS, REJECT_LOG_INTERVAL_MS, RejectReport } from "./rejects.ts";
export {
  CommandScheduler,
  DEFAULT_COMMAND_TIMEOUT_S,
  DEFAULT_MAX_COMMANDS,
  KILL_GRACE_MS,
  type SchedulerOptions,
} from "./scheduler.ts";
export {
  DoorSet,
  oneTimeSequenceFiles,
  type OtpRewrite,
  type OtpText,
  usesOneTimeSequences,
} from "./door_set.ts";
export {
  parseTotpState,
  type TotpActive,
  TotpDoors,
  type TotpDoorSpec,
  type TotpLoad,
} from "./totp_doors.ts";
export { captureInterfaces, DEFAULT_INTERFACE, type InterfaceChoice } from "./interfaces.ts";
export { type LogTargets, logTargets } from "./log_targets.ts";
export { EVICTION_LOG_INTERVAL_MS, EvictionReport } from "./evictions.ts";
export { HostNames, MAX_LOOKUPS_PER_SECOND, MAX_NAMES, MAX_PENDING_LOOKUPS } from "./host_names.ts";
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
export { openDoorNft, openNft } from "./nft.ts";
export { execPrefixed, plainArgv, STANDBY_ARGS, standbyLine } from "./standby.ts";
export { HelperLoad, type HelperLoadOptions, type HelperPolicy } from "./helper_load.ts";
export {
  decodeJournal,
  encodeJournal,
  encodeJournalHeader,
  encodeJournalOp,
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  type JournalDecode,
  type JournalEntry,
  journalFileName,
  type JournalOp,
  partitionDue,
} from "./journal.ts";
export {
  type CommandCounts,
  CommandStats,
  type DoorCounts,
  DoorStats,
  DURATION_BUCKETS_S,
  type MetricsSnapshot,
} from "./metrics.ts";
export { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "./prometheus.ts";
export { formatStatus, type OpenDoor, type StatusReport, type StatusSnapshot } from "./status.ts";
export {
  controlSocketName,
  decodeStatus,
  encodeStatus,
  STATUS_FORMAT,
  STATUS_REQUEST,
  type StatusDecode,
} from "./control.ts";
