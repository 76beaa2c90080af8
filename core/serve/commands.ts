/**
 * Choosing and preparing a door's commands, as knockd does (docs/knockd.md §3.1): the `_6` variants with
 * their fallback, `%IP%` substitution and knockd's 4096-byte limit. Pure.
 *
 * @module
 */
import type { Door } from "../config/types.ts";

/** knockd's command buffer size: a substituted command of this many bytes or more is not run. */
export const MAX_COMMAND_BYTES = 4096;

/** The commands to run for one opening. */
export interface DoorCommands {
  /** The start command with `%IP%` replaced, or `undefined` when there is none (nothing runs then). */
  readonly start: string | undefined;
  /** The stop command with `%IP%` replaced; only ever run after the start command. */
  readonly stop: string | undefined;
  /** Seconds between the start and the stop command. */
  readonly cmdTimeout: number;
  /** knockd's error when a substituted command is too long (then neither runs). */
  readonly error?: string;
}

/**
 * Replaces every `%IP%` with `ip`, literally (knockd's only token; `%%` is not unescaped).
 *
 * @param command The command template.
 * @param ip The source address in canonical text form.
 * @returns The command.
 */
export function substituteIp(command: string, ip: string): string {
  return command.replaceAll("%IP%", ip);
}

const encoder = new TextEncoder();

/**
 * The commands of an opening: for IPv6 `Start_Command_6`/`Stop_Command_6`, each falling back to the IPv4
 * one when absent (an empty `_6` value disables it); an empty start command means no command at all, and
 * then the stop command does not run either.
 *
 * @param door The door that opened.
 * @param family The knocking source's address family.
 * @param ip The source address (`%IP%`).
 * @returns The commands, or an error (knockd's text) when one would exceed {@linkcode MAX_COMMAND_BYTES}.
 */
export function doorCommands(door: Door, family: 4 | 6, ip: string): DoorCommands {
  const startTemplate = family === 6 ? (door.startCommand6 ?? door.startCommand) : door.startCommand;
  const stopTemplate = family === 6 ? (door.stopCommand6 ?? door.stopCommand) : door.stopCommand;
  const cmdTimeout = door.cmdTimeout.value;
  if (startTemplate === undefined || startTemplate.value.trim() === "") {
    return { start: undefined, stop: undefined, cmdTimeout };
  }
  const start = substituteIp(startTemplate.value, ip);
  const stop = stopTemplate === undefined || stopTemplate.value.trim() === ""
    ? undefined
    : substituteIp(stopTemplate.value, ip);
  if (encoder.encode(start).length >= MAX_COMMAND_BYTES) {
    return {
      start: undefined,
      stop: undefined,
      cmdTimeout,
      error: "error: parsed start command has been truncated! --> won't execute it",
    };
  }
  if (stop !== undefined && encoder.encode(stop).length >= MAX_COMMAND_BYTES) {
    return {
      start: undefined,
      stop: undefined,
      cmdTimeout,
      error: "error: parsed stop command has been truncated! --> won't execute start command",
    };
  }
  return { start, stop, cmdTimeout };
}
