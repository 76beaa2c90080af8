/**
 * One-time sequences for `serve` (docs/knockd.md §3.5): load the current sequence of a door from its file,
 * and after an opening mark the line used and switch to the next one, rewriting the file atomically (temp
 * file in the same directory, fsync, rename), so a crash never leaves a half-written file.
 *
 * @module
 */
import {
  markOneTimeSequenceUsed,
  type OneTimeSequenceEntry,
  parseOneTimeSequences,
} from "../../core/config/mod.ts";
import type { Door } from "../../core/config/types.ts";
import { writeFileAtomic } from "../fs.ts";

/** A door's one-time sequence state. */
export type OtpLoad =
  | { readonly ok: true; readonly door: Door; readonly entry: OneTimeSequenceEntry }
  | { readonly ok: false; readonly reason: string };

function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.search(/ \(os error \d+\)/);
  return cut >= 0 ? message.slice(0, cut) : message;
}

/** Whether the door takes its sequence from a one-time-sequences file. */
export function usesOneTimeSequences(door: Door): boolean {
  return door.sequenceSource === "one_time_sequences" && door.oneTimeSequences !== undefined;
}

/**
 * Loads the current (first valid) sequence of the door's one-time-sequences file.
 *
 * @param door A door with `One_Time_Sequences`.
 * @returns The door with that sequence, or why there is none.
 */
export function loadOneTimeSequence(door: Door): OtpLoad {
  const path = door.oneTimeSequences!.value;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    return { ok: false, reason: `could not open one time sequences file ${path}: ${osReason(error)}` };
  }
  const parsed = parseOneTimeSequences(text, { door: door.name });
  if (parsed.current === undefined) {
    return {
      ok: false,
      reason:
        `no more sequences left in the one time sequences file for door ${door.name} --> disabling the door`,
    };
  }
  return { ok: true, door: { ...door, sequence: parsed.current.steps }, entry: parsed.current };
}

/**
 * Marks the door's current sequence used in its file and loads the next one.
 *
 * @param door The door that opened (with its one-time file).
 * @param entry The sequence that was used.
 * @returns The door with its next sequence, or why there is none (then the door is disabled).
 */
export function rotateOneTimeSequence(door: Door, entry: OneTimeSequenceEntry): OtpLoad {
  const path = door.oneTimeSequences!.value;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    return { ok: false, reason: `could not open one time sequences file ${path}: ${osReason(error)}` };
  }
  const marked = markOneTimeSequenceUsed(text, entry.line);
  if (marked !== text) {
    try {
      writeFileAtomic(path, marked);
    } catch (error) {
      return { ok: false, reason: `could not rewrite one time sequences file ${path}: ${osReason(error)}` };
    }
  }
  return loadOneTimeSequence(door);
}
