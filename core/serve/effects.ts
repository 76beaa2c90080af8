/**
 * What the serve daemon core ({@linkcode ServeDaemon} in ./daemon.ts) asks the outside world to do: plain
 * values, carried out in order by the effect interpreter in `cli/serve/`. The core never performs I/O itself.
 *
 * @module
 */
import type { NftFamily } from "../config/nft.ts";
import type { JournalEntry } from "./journal.ts";
import type { LogEntry } from "./messages.ts";

/** Write a log message (the time is the daemon's input time, so replays log capture time). */
export interface LogEffect {
  readonly type: "log";
  readonly entry: LogEntry;
  readonly timeMs: number;
}

/** Install a capture filter on capture `capture` (an index into the daemon's captures). */
export interface FilterEffect {
  readonly type: "filter";
  readonly capture: number;
  readonly expression: string;
}

/**
 * Start a command (`/bin/sh` semantics, `%IP%` already substituted), in its own process group. The
 * interpreter reports its end with `commandExited(id, ...)`; should it still run after `timeoutMs`, it
 * reports `commandOverdue(id)` and kills the group (SIGTERM, then SIGKILL after `killGraceMs`).
 */
export interface RunEffect {
  readonly type: "run";
  readonly id: number;
  readonly door: string;
  readonly command: string;
  readonly timeoutMs: number;
  readonly killGraceMs: number;
}

/**
 * A change of the stop-command journal. `add` must be made durable before the start command it guards runs:
 * the interpreter reports `journalDurable(id)` once it is (or once writing it failed, which it logs).
 */
export type JournalEffect =
  | { readonly type: "journal"; readonly op: "add"; readonly id: number; readonly entry: JournalEntry }
  | { readonly type: "journal"; readonly op: "due"; readonly id: number; readonly dueMs: number }
  | { readonly type: "journal"; readonly op: "del"; readonly id: number };

/**
 * Mark line `line` of the one-time-sequences file `path` used (rewritten atomically) and report the file's
 * new text, or why it could not be read or written, with `otpRewritten(door, ...)`.
 */
export interface OtpEffect {
  readonly type: "otp";
  readonly door: number;
  readonly path: string;
  readonly line: number;
}

/** Where log messages go changed (a reload): reopen the logfile, open or keep syslog. */
export interface LogConfigEffect {
  readonly type: "log-config";
  readonly logFile: string | undefined;
  readonly syslog: boolean;
}

/** Resolve `address` to a host name (`-l`), off the packet path; report it with `resolved(address, ...)`. */
export interface LookupEffect {
  readonly type: "lookup";
  readonly address: string;
}

/**
 * Write a datagram door's replay state: atomically and durably, before the effects that follow (the door's
 * commands) are carried out, so that a crash cannot reopen a replay window. A failure is logged.
 */
export interface StateEffect {
  readonly type: "state";
  readonly path: string;
  readonly text: string;
}

/**
 * Add elements to an nftables set with an element timeout, in-process through libnftables (no `nft`
 * process): an element already in the set gets the new timeout. The kernel removes each when its timeout
 * has passed, whatever happens to the daemon. A failure is logged.
 */
export interface NftEffect {
  readonly type: "nft";
  /** The door that opened. */
  readonly door: string;
  readonly family: NftFamily;
  readonly table: string;
  readonly set: string;
  /** The elements in nft's syntax: `192.0.2.7`, `192.0.2.7 . 22`. */
  readonly elements: readonly string[];
  readonly timeoutMs: number;
}

/** Everything the daemon core asks for. */
export type Effect =
  | LogEffect
  | FilterEffect
  | RunEffect
  | JournalEffect
  | OtpEffect
  | LogConfigEffect
  | LookupEffect
  | StateEffect
  | NftEffect;

/** How a command ended, as the interpreter saw it. */
export type CommandOutcome =
  /** It ran and exited (a signal as `128 + n`, as a shell reports it). */
  | { readonly kind: "exited"; readonly code: number }
  /** It could not be started (fork or exec of the shell failed). */
  | { readonly kind: "failed"; readonly reason: string }
  /** It was started, but its status could not be collected. */
  | { readonly kind: "lost"; readonly reason: string };

/** The one empty effect list, returned whenever nothing is to be done (no allocation on the packet path). */
export const NO_EFFECTS: readonly Effect[] = Object.freeze([]);
