/**
 * The doors a serve daemon watches: the config's doors with their current sequences (a door with
 * `One_Time_Sequences` takes its sequence from the file's first unused line), which of them are enabled, and
 * the one-time-sequence bookkeeping: a used sequence is disabled at once (from the next packet on) and the
 * door comes back with the next one when the file has been rewritten. A TOTP door is one door per accepted
 * time step (./totp_doors.ts). Pure: file texts come in as values.
 *
 * @module
 */
import type { Config, Door } from "../config/types.ts";
import { type OneTimeSequenceEntry, parseOneTimeSequences } from "../config/one_time.ts";
import type { OtpEffect, StateEffect } from "./effects.ts";
import type { LogEntry } from "./messages.ts";
import { TotpDoors, type TotpLoad } from "./totp_doors.ts";

/** A one-time-sequences file as the interpreter read it: its text, or why it could not be read. */
export type OtpText = { readonly ok: true; readonly text: string } | {
  readonly ok: false;
  readonly reason: string;
};

/** The outcome of rewriting a one-time-sequences file after an opening. */
export type OtpRewrite =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly stage: "read" | "write"; readonly reason: string };

/** Whether the door takes its sequence from a one-time-sequences file. */
export function usesOneTimeSequences(door: Door): boolean {
  return door.sequenceSource === "one_time_sequences" && door.oneTimeSequences !== undefined;
}

/** The one-time-sequences files a config's doors read (to be read by the interpreter before a load). */
export function oneTimeSequenceFiles(config: Config): string[] {
  const paths = new Set<string>();
  for (const door of config.doors) if (usesOneTimeSequences(door)) paths.add(door.oneTimeSequences!.value);
  return [...paths];
}

interface DoorState {
  readonly config: Door;
  /** The door with its sequence in force. */
  current: Door;
  enabled: boolean;
  /** The one-time sequence in force (one-time doors only). */
  otp: OneTimeSequenceEntry | undefined;
  /** A one-time door whose used sequence is being marked in its file. */
  rotating: boolean;
}

function noSequencesLeft(door: Door): string {
  return `no more sequences left in the one time sequences file for door ${door.name} --> disabling the door`;
}

function disabled(door: Door, level: "info" | "warning", message: string): LogEntry {
  return { level, message, fields: { event: "door-disabled", door: door.name } };
}

/** The daemon's doors. */
export class DoorSet {
  #doors: DoorState[] = [];
  /** Engine door index → index into the config's doors (rebuilt by {@linkcode active}). */
  #activeIndex: number[] = [];
  /** Engine door index → the door given to the engine. */
  #activeDoors: Door[] = [];
  /** Engine door index → a TOTP door's step. */
  #activeStep: (bigint | undefined)[] = [];
  readonly #totp = new TotpDoors();

  /**
   * Loads a config's doors; one-time doors take the first unused line of their file.
   *
   * @param config The config.
   * @param otp The one-time-sequences files' texts by path ({@linkcode oneTimeSequenceFiles}).
   * @param totp The TOTP doors and their used steps.
   * @param now The time (the TOTP doors' steps).
   * @returns Warnings for doors that could not be enabled.
   */
  load(config: Config, otp: ReadonlyMap<string, OtpText>, totp?: TotpLoad, now = 0): LogEntry[] {
    const logs: LogEntry[] = [];
    this.#totp.load(config.doors, totp, now);
    this.#doors = config.doors.map((door) => {
      if (!usesOneTimeSequences(door)) {
        return {
          config: door,
          current: door,
          enabled: door.sequence.length > 0,
          otp: undefined,
          rotating: false,
        };
      }
      const state: DoorState = {
        config: door,
        current: door,
        enabled: false,
        otp: undefined,
        rotating: false,
      };
      const path = door.oneTimeSequences!.value;
      const file = otp.get(path) ?? { ok: false, reason: "not read" };
      const why = file.ok
        ? this.#take(state, file.text)
        : `could not open one time sequences file ${path}: ${file.reason}`;
      if (why !== undefined) logs.push(disabled(door, "warning", why));
      return state;
    });
    return logs;
  }

  /** Gives `state` the first unused sequence of `text`, or returns why there is none. */
  #take(state: DoorState, text: string): string | undefined {
    const current = parseOneTimeSequences(text, { door: state.config.name }).current;
    if (current === undefined) {
      state.enabled = false;
      state.otp = undefined;
      return noSequencesLeft(state.config);
    }
    state.current = { ...state.config, sequence: current.steps };
    state.otp = current;
    state.enabled = true;
    return undefined;
  }

  /** The enabled doors, in config order, for the engine and the filter (and the index map behind them). */
  active(): Door[] {
    const doors: Door[] = [];
    this.#activeIndex = [];
    this.#activeStep = [];
    this.#doors.forEach((state, i) => {
      for (const step of this.#totp.active(i)) {
        doors.push(step.door);
        this.#activeIndex.push(i);
        this.#activeStep.push(step.counter);
      }
      if (!state.enabled) return;
      doors.push(state.current);
      this.#activeIndex.push(i);
      this.#activeStep.push(undefined);
    });
    this.#activeDoors = doors;
    return doors;
  }

  /** When the TOTP doors' steps move next ({@linkcode rotates}). */
  get due(): number {
    return this.#totp.due;
  }

  /**
   * Moves the TOTP doors' accepted steps to `now` when a step boundary has passed.
   *
   * @returns Whether they moved: the engine and the filter then need {@linkcode active} again.
   */
  rotates(now: number): boolean {
    return this.#totp.rotates(now);
  }

  /**
   * The door behind engine door index `engineIndex` (as of the last {@linkcode active}).
   *
   * @returns Its index in the config and the door, or `undefined`.
   */
  byEngineIndex(engineIndex: number): { readonly index: number; readonly door: Door } | undefined {
    const index = this.#activeIndex[engineIndex];
    if (index === undefined) return undefined;
    const step = this.#activeStep[engineIndex];
    // A TOTP step opens once, even when two sources complete it in one batch of events.
    if (step !== undefined && this.#totp.used(index, step)) return undefined;
    return { index, door: this.#activeDoors[engineIndex] ?? this.#doors[index]!.current };
  }

  /**
   * A door opened: a one-time door's sequence is used up, the door is disabled until the file has been
   * rewritten ({@linkcode rewritten}); a TOTP door's step is used (its state is written before the commands
   * run).
   *
   * @param index The door's index in the config.
   * @param engineIndex The engine door that opened (a TOTP door's step).
   * @returns The effects to carry out before and after the door's commands, or `undefined` when the door's
   *   sequences did not change.
   */
  opened(
    index: number,
    engineIndex?: number,
  ): { readonly before?: StateEffect; readonly after?: OtpEffect } | undefined {
    const step = engineIndex === undefined ? undefined : this.#activeStep[engineIndex];
    if (step !== undefined) {
      const before = this.#totp.opened(index, step);
      return before === undefined ? {} : { before };
    }
    const state = this.#doors[index];
    if (state === undefined || state.otp === undefined) return undefined;
    const line = state.otp.line;
    state.otp = undefined;
    state.enabled = false;
    state.rotating = true;
    return { after: { type: "otp", door: index, path: state.config.oneTimeSequences!.value, line } };
  }

  /**
   * A one-time door's file was rewritten (or could not be): the door gets its next sequence, or stays
   * disabled. A report for a door that is not rotating (a reload came between) is ignored.
   *
   * @param index The door's index in the config.
   * @param result The file's new text, or why not.
   * @returns What to log.
   */
  rewritten(index: number, result: OtpRewrite): LogEntry | undefined {
    const state = this.#doors[index];
    if (state === undefined || !state.rotating) return undefined;
    state.rotating = false;
    const door = state.config;
    const path = door.oneTimeSequences!.value;
    if (!result.ok) {
      const verb = result.stage === "read" ? "open" : "rewrite";
      return disabled(door, "info", `could not ${verb} one time sequences file ${path}: ${result.reason}`);
    }
    const why = this.#take(state, result.text);
    if (why !== undefined) return disabled(door, "info", why);
    return {
      level: "debug",
      message: `${door.name}: next one time sequence from line ${state.otp!.line}`,
      fields: { event: "otp-rotated", door: door.name },
    };
  }
}
