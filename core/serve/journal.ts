/**
 * The format of the stop-command journal of `serve`: every stop command still to run (door, source, the exact
 * command after `%IP%` substitution, due time on the wall clock), so a daemon killed between a door's start
 * and stop commands can run the stop at its next start. Pure: encoding, decoding (never throws: a corrupt
 * file is an error value), the journal's file name for a config path, and splitting entries into overdue
 * and future ones.
 *
 * The file is one JSON object, one stop per line:
 *
 * ```text
 * {"format":"knocktool-stop-journal","version":1,"stops":[
 * {"door":"openSSH","src":"192.0.2.7","command":"nft delete element inet f ok { 192.0.2.7 }","dueMs":1764072000000}
 * ]}
 * ```
 *
 * @module
 */

/** The `format` value of a journal file. */
export const JOURNAL_FORMAT = "knocktool-stop-journal";
/** The journal format version this code writes and reads. */
export const JOURNAL_VERSION = 1;

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

/** The result of {@linkcode decodeJournal}. */
export type JournalDecode =
  | { readonly ok: true; readonly entries: readonly JournalEntry[] }
  | { readonly ok: false; readonly error: string };

/**
 * Encodes the journal: one JSON object, one stop per line, ending with a newline.
 *
 * @param entries The pending stops.
 * @returns The file content.
 */
export function encodeJournal(entries: readonly JournalEntry[]): string {
  const head = `{"format":${JSON.stringify(JOURNAL_FORMAT)},"version":${JOURNAL_VERSION},"stops":[`;
  if (entries.length === 0) return `${head}]}\n`;
  const lines = entries.map((e) =>
    JSON.stringify({ door: e.door, src: e.src, command: e.command, dueMs: e.dueMs })
  );
  return `${head}\n${lines.join(",\n")}\n]}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes a journal file. Never throws: anything but a well-formed journal of this version is an error
 * value naming the problem (and the index of a bad entry).
 *
 * @param text The file content.
 * @returns The entries, or why the file is corrupt.
 */
export function decodeJournal(text: string): JournalDecode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value)) return { ok: false, error: "not a JSON object" };
  if (value.format !== JOURNAL_FORMAT) return { ok: false, error: `format is not "${JOURNAL_FORMAT}"` };
  if (value.version !== JOURNAL_VERSION) {
    return { ok: false, error: `unsupported version "${String(value.version)}"` };
  }
  const stops = value.stops;
  if (!Array.isArray(stops)) return { ok: false, error: `"stops" is not an array` };
  const entries: JournalEntry[] = [];
  for (let i = 0; i < stops.length; i++) {
    const s: unknown = stops[i];
    if (!isRecord(s)) return { ok: false, error: `stop ${i} is not an object` };
    for (const key of ["door", "src", "command"] as const) {
      if (typeof s[key] !== "string" || s[key] === "") {
        return { ok: false, error: `stop ${i}: "${key}" is not a non-empty string` };
      }
    }
    const dueMs = s.dueMs;
    if (typeof dueMs !== "number" || !Number.isFinite(dueMs) || dueMs < 0) {
      return { ok: false, error: `stop ${i}: "dueMs" is not a time` };
    }
    entries.push({ door: s.door as string, src: s.src as string, command: s.command as string, dueMs });
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
