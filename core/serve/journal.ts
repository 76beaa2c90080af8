/**
 * The format of the stop-command journal of `serve`: every stop command still to run (door, source, the exact
 * command after `%IP%` substitution, due time on the wall clock), so a daemon killed between a door's start
 * and stop commands can run the stop at its next start. Pure: encoding, decoding (never throws: a corrupt
 * file is an error value), the journal's file name for a config path, and splitting entries into overdue
 * and future ones.
 *
 * Version 2 is a log, one JSON object per line after a header: each change is appended (and made durable
 * with one `fdatasync`, cli/serve/journal.ts) instead of rewriting the whole file. The file is preallocated
 * with zero bytes, so reading stops at the first NUL; a last line without its newline is a write torn by a
 * crash and is ignored (it was never acknowledged):
 *
 * ```text
 * {"format":"knocktool-stop-journal","version":2}
 * {"op":"add","id":1,"door":"openSSH","src":"192.0.2.7","command":"nft delete element inet f ok { 192.0.2.7 }","dueMs":1764072000000}
 * {"op":"due","id":1,"dueMs":1764072003000}
 * {"op":"del","id":1}
 * ```
 *
 * Version 1 (one JSON object `{"format":...,"version":1,"stops":[...]}`, written by earlier releases) is
 * still read.
 *
 * @module
 */
import { errorMessage } from "../error_message.ts";

/** The `format` value of a journal file. */
export const JOURNAL_FORMAT = "knocktool-stop-journal";
/** The journal format version this code writes (it also reads version 1). */
export const JOURNAL_VERSION = 2;

/** One pending stop command. */
export interface JournalEntry {
  /** The door's name. */
  readonly door: string;
  /** The knocking source (`%IP%`). */
  readonly src: string;
  /** The stop command, `%IP%` already substituted. */
  readonly command: string;
  /** When it is due, wall clock (ms since the epoch). */
  readonly dueMs: number;
}

/** One change in a version 2 journal; `id` names a pending stop within one file. */
export type JournalOp =
  | { readonly op: "add"; readonly id: number; readonly entry: JournalEntry }
  | { readonly op: "due"; readonly id: number; readonly dueMs: number }
  | { readonly op: "del"; readonly id: number };

/** The result of {@linkcode decodeJournal}. */
export type JournalDecode =
  | { readonly ok: true; readonly entries: readonly JournalEntry[] }
  | { readonly ok: false; readonly error: string };

/** The first line of a version 2 journal. */
export function encodeJournalHeader(): string {
  return `{"format":${JSON.stringify(JOURNAL_FORMAT)},"version":${JOURNAL_VERSION}}\n`;
}

/**
 * Encodes one change as its line (with the newline).
 *
 * @param op The change.
 * @returns The line.
 */
export function encodeJournalOp(op: JournalOp): string {
  switch (op.op) {
    case "add": {
      const e = op.entry;
      return `${
        JSON.stringify({ op: "add", id: op.id, door: e.door, src: e.src, command: e.command, dueMs: e.dueMs })
      }\n`;
    }
    case "due":
      return `${JSON.stringify({ op: "due", id: op.id, dueMs: op.dueMs })}\n`;
    case "del":
      return `${JSON.stringify({ op: "del", id: op.id })}\n`;
  }
}

/**
 * Encodes a whole journal (the header and one `add` per stop, ids 1, 2, ...): what a compacted journal
 * starts with.
 *
 * @param entries The pending stops.
 * @returns The text.
 */
export function encodeJournal(entries: readonly JournalEntry[]): string {
  return encodeJournalHeader() +
    entries.map((entry, i) => encodeJournalOp({ op: "add", id: i + 1, entry })).join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** The stop fields of `s`, or the name of the first bad one. */
function entryOf(s: Record<string, unknown>): JournalEntry | string {
  for (const key of ["door", "src", "command"] as const) {
    if (typeof s[key] !== "string" || s[key] === "") return `"${key}" is not a non-empty string`;
  }
  if (!isTime(s.dueMs)) return `"dueMs" is not a time`;
  return { door: s.door as string, src: s.src as string, command: s.command as string, dueMs: s.dueMs };
}

/**
 * Decodes a journal file of version 2 (or 1). Never throws: anything but a well-formed journal is an error
 * value naming the problem (with the line, or the index of a bad version 1 entry). In version 2, reading
 * stops at the first NUL byte and a last line without its newline (a torn write) is ignored.
 *
 * @param text The file content.
 * @returns The pending stops in the order they were added, or why the file is corrupt.
 */
export function decodeJournal(text: string): JournalDecode {
  const nul = text.indexOf("\0");
  const used = nul === -1 ? text : text.slice(0, nul);
  const firstEnd = used.indexOf("\n");
  let header: unknown;
  try {
    header = JSON.parse(firstEnd === -1 ? used : used.slice(0, firstEnd));
  } catch {
    header = undefined;
  }
  if (isRecord(header) && header.format === JOURNAL_FORMAT && !("stops" in header)) {
    if (header.version !== JOURNAL_VERSION) {
      return { ok: false, error: `unsupported version "${String(header.version)}"` };
    }
    return decodeLog(firstEnd === -1 ? "" : used.slice(firstEnd + 1));
  }
  return decodeVersion1(used);
}

function decodeLog(body: string): JournalDecode {
  const stops = new Map<number, JournalEntry>();
  const lines = body.split("\n");
  lines.pop(); // after the last newline: empty, or a torn write
  for (let i = 0; i < lines.length; i++) {
    const where = `line ${i + 2}`;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch (error) {
      return {
        ok: false,
        error: `${where}: not JSON: ${errorMessage(error)}`,
      };
    }
    if (!isRecord(value)) return { ok: false, error: `${where}: not a JSON object` };
    const id = value.id;
    if (!isId(id)) return { ok: false, error: `${where}: "id" is not a positive integer` };
    switch (value.op) {
      case "add": {
        if (stops.has(id)) return { ok: false, error: `${where}: stop ${id} added twice` };
        const entry = entryOf(value);
        if (typeof entry === "string") return { ok: false, error: `${where}: ${entry}` };
        stops.set(id, entry);
        break;
      }
      case "due": {
        const entry = stops.get(id);
        if (entry === undefined) return { ok: false, error: `${where}: no stop ${id}` };
        if (!isTime(value.dueMs)) return { ok: false, error: `${where}: "dueMs" is not a time` };
        stops.set(id, { ...entry, dueMs: value.dueMs });
        break;
      }
      case "del":
        if (!stops.delete(id)) return { ok: false, error: `${where}: no stop ${id}` };
        break;
      default:
        return { ok: false, error: `${where}: "op" is not add, due or del` };
    }
  }
  return { ok: true, entries: [...stops.values()] };
}

function decodeVersion1(text: string): JournalDecode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${errorMessage(error)}` };
  }
  if (!isRecord(value)) return { ok: false, error: "not a JSON object" };
  if (value.format !== JOURNAL_FORMAT) return { ok: false, error: `format is not "${JOURNAL_FORMAT}"` };
  if (value.version !== 1) return { ok: false, error: `unsupported version "${String(value.version)}"` };
  const stops = value.stops;
  if (!Array.isArray(stops)) return { ok: false, error: `"stops" is not an array` };
  const entries: JournalEntry[] = [];
  for (let i = 0; i < stops.length; i++) {
    const s: unknown = stops[i];
    if (!isRecord(s)) return { ok: false, error: `stop ${i} is not an object` };
    const entry = entryOf(s);
    if (typeof entry === "string") return { ok: false, error: `stop ${i}: ${entry}` };
    entries.push(entry);
  }
  return { ok: true, entries };
}

/** FNV-1a, 32 bits, from a given offset basis. */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The journal's file name for a daemon: one file per config file (the key is its absolute path), e.g.
 * `/etc/knockd.conf` → `knockd.conf-<16 hex digits>.journal`. The name part keeps `[A-Za-z0-9._-]` only.
 *
 * @param configPath The config file's absolute path.
 * @returns The file name (no directory).
 */
export function journalFileName(configPath: string): string {
  const slash = configPath.lastIndexOf("/");
  const base = configPath.slice(slash + 1).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "config";
  const hash = fnv1a(configPath, 0x811c9dc5).toString(16).padStart(8, "0") +
    fnv1a(configPath, 0x050c5d1f).toString(16).padStart(8, "0");
  return `${base}-${hash}.journal`;
}

/**
 * Splits entries into those due at or before `nowMs` (to run at once) and the others, each in due order
 * (ties keep their order).
 *
 * @param entries The journal's entries.
 * @param nowMs The wall clock.
 * @returns Overdue and future entries.
 */
export function partitionDue<T extends JournalEntry>(
  entries: readonly T[],
  nowMs: number,
): { readonly overdue: T[]; readonly future: T[] } {
  const sorted = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.dueMs - b.e.dueMs || a.i - b.i);
  const overdue: T[] = [];
  const future: T[] = [];
  for (const { e } of sorted) (e.dueMs <= nowMs ? overdue : future).push(e);
  return { overdue, future };
}
