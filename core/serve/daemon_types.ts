/**
 * The inputs of the serve daemon core that are records: its options, a config ready to run, what it starts
 * with, a reload's outcome.
 *
 * @module
 */
import type { Config } from "../config/types.ts";
import type { CaptureInfo } from "./captures.ts";
import type { DatagramDoor } from "./datagram.ts";
import type { OtpText } from "./door_set.ts";
import type { JournalEntry } from "./journal.ts";
import type { TotpLoad } from "./totp_doors.ts";

/** What the daemon was asked to do (from the command line). */
export interface DaemonOptions {
  /** knockd's `-4`: IPv6 is ignored. */
  readonly onlyIPv4: boolean;
  /** `-D`. */
  readonly debug: boolean;
  /** `-v`. */
  readonly verbose: boolean;
  /** `-g`: overrides `LogFile`. */
  readonly logFile?: string | undefined;
  /** `-i`: overrides `Interface` (only compared on reloads: the interpreter opened the captures). */
  readonly interfaces?: string | undefined;
  /** `--max-attempts`. */
  readonly maxAttempts?: number | undefined;
  /** `--command-timeout`, in ms. */
  readonly commandTimeoutMs?: number | undefined;
  /** `--max-commands`. */
  readonly maxCommands?: number | undefined;
  /** `--dry-run`: commands are logged, not run. */
  readonly dryRun: boolean;
  /** Journal pending stop commands (live, not dry runs). */
  readonly journal: boolean;
  /** Log `starting up` and `shutting down` (live). */
  readonly announce: boolean;
  /** `-l`: show sources with their host names once resolved. */
  readonly lookup?: boolean | undefined;
}

/** A config ready to run: the parsed config and its one-time-sequences files. */
export interface DaemonConfig {
  readonly config: Config;
  readonly otp: ReadonlyMap<string, OtpText>;
  /** Doors opened by one authenticated datagram (SPA, fwknop), built from the config by the loader. */
  readonly datagramDoors?: readonly DatagramDoor[];
  /** The TOTP doors (secrets read, used steps from the state file), built by the loader. */
  readonly totp?: TotpLoad;
}

/** What {@linkcode ServeDaemon.start} needs. */
export interface DaemonStart extends DaemonConfig {
  readonly captures: readonly CaptureInfo[];
  /** The stop commands a previous daemon left in the journal, each with a distinct positive id. */
  readonly journal?: readonly (JournalEntry & { readonly id: number })[];
}

/** A reload's outcome: a config ready to run, or the lines saying why the file was refused. */
export type ReloadResult = ({ readonly ok: true } & DaemonConfig) | {
  readonly ok: false;
  readonly lines: readonly string[];
};
