/**
 * One-time sequences for `serve` (knockd-reference §3.5): load the current sequence of a door from its file,
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
 * Writes `text` to `path` atomically: a temporary file in the same directory, fsync, rename over the
 * original (keeping its permission bits), then fsync of the directory.
 *
 * @param path The file to replace.
 * @param text The new content.
 */
export function writeFileAtomic(path: string, text: string): void {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const base = slash < 0 ? path : path.slice(slash + 1);
  let mode: number | null = null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    // a new file
  }
  const temp = Deno.makeTempFileSync({ dir, prefix: `.${base}.`, suffix: ".tmp" });
  try {
    using file = Deno.openSync(temp, { write: true, truncate: true });
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
    file.syncSync();
    if (mode !== null) Deno.chmodSync(temp, mode & 0o7777);
    Deno.renameSync(temp, path);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
  try {
    using d = Deno.openSync(dir, { read: true });
    d.syncSync();
  } catch {
    // fsync of a directory is best effort
  }
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
