/**
 * The stop-command journal of a live `serve` daemon: every pending stop command is on disk before its start
 * command runs, so after a crash or `kill -9` the next start runs the overdue ones at once and schedules the
 * others. One file per config file in the state directory (default `/var/lib/knocktool`, created 0700),
 * mode 0600, format in `core/serve/journal.ts` (a log).
 *
 * The file is kept open and preallocated with zero bytes: a change is one line appended in place (no size
 * change) followed by one `fdatasync`, far cheaper than an atomic rewrite (temporary file, fsync, rename,
 * fsync of the directory), which had a long tail too (bench/latency.ts). When the log is full, or the
 * file was removed behind the daemon's back (its link count is 0), or a write failed, the journal is
 * compacted: the pending stops are written to a new preallocated file atomically (temporary file, fsync,
 * rename, fsync of the directory). It is also compacted at start.
 *
 * Writes are batched: changes made while a write is in flight (or in the same tick) go to disk together in
 * the next write, and {@linkcode StopJournal.durable} tells a caller when its entry is on disk.
 *
 * @module
 */
import { controlSocketName } from "../../core/serve/control.ts";
import {
  decodeJournal,
  encodeJournalHeader,
  encodeJournalOp,
  type JournalEntry,
  journalFileName,
} from "../../core/serve/journal.ts";
import { writeAllSync, writeFileAtomic } from "../fs.ts";
import { osReason } from "../runtime.ts";
import type { ServeLog } from "./logging.ts";

/** The default state directory. */
export const DEFAULT_STATE_DIR = "/var/lib/knocktool";

/** The smallest preallocated journal (about 4,000 openings' worth of changes between compactions). */
const MIN_CAPACITY = 1 << 20;

/** A change waiting to be written; ids are given when it is encoded (they change at each compaction). */
interface PendingOp {
  readonly op: "add" | "due" | "del";
  readonly record: JournalRecord;
}

const encoder = new TextEncoder();

/** A pending stop in the journal (mutable: the due time moves once the start command has finished). */
export interface JournalRecord {
  readonly door: string;
  readonly src: string;
  readonly command: string;
  dueMs: number;
}

/** The result of {@linkcode StopJournal.open}. */
export type JournalOpen =
  | {
    readonly ok: true;
    readonly journal: StopJournal;
    /** The entries found on disk (already part of the journal), in file order. */
    readonly entries: readonly JournalRecord[];
  }
  | { readonly ok: false; readonly error: string };

function absolute(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path.startsWith("/") ? path : `${Deno.cwd().replace(/\/$/, "")}/${path}`;
  }
}

/**
 * The control socket's path for a config in a state directory (`knocktool status` finds it the same way).
 *
 * @param stateDir The state directory.
 * @param configPath The config file (its real absolute path names the socket).
 * @returns The path.
 */
export function controlSocketPath(stateDir: string, configPath: string): string {
  return `${stateDir.replace(/(?<=.)\/+$/, "")}/${controlSocketName(absolute(configPath))}`;
}

/**
 * The journal's path for a config in a state directory.
 *
 * @param stateDir The state directory.
 * @param configPath The config file.
 * @returns The path.
 */
export function journalPath(stateDir: string, configPath: string): string {
  return `${stateDir.replace(/(?<=.)\/+$/, "")}/${journalFileName(absolute(configPath))}`;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** The journal of one daemon. */
export class StopJournal {
  /** The journal file. */
  readonly path: string;
  readonly #dir: string;
  readonly #name: string;
  readonly #log: ServeLog;
  readonly #records = new Set<JournalRecord>();
  /** Each written record's id in the current file. */
  #ids = new Map<JournalRecord, number>();
  #nextId = 1;
  #ops: PendingOp[] = [];
  /** The open journal file (`undefined`: compact before the next write). */
  #file: Deno.FsFile | undefined;
  /** Where the next line goes, and the preallocated size. */
  #tail = 0;
  #capacity = 0;
  /** Incremented at every change; `#written` is the last generation on disk (or failed to write). */
  #generation = 0;
  #written = 0;
  #writer: Promise<void> | undefined;
  #scheduled = false;
  #waiters: { readonly generation: number; readonly resolve: () => void }[] = [];
  #failing = false;

  private constructor(dir: string, path: string, log: ServeLog) {
    this.#dir = dir;
    this.#name = path.slice(dir.length + 1);
    this.path = path;
    this.#log = log;
  }

  /**
   * Opens (creates if needed) the state directory, reads the daemon's journal and compacts it into a new
   * preallocated file, kept open until {@linkcode close}. A corrupt journal is logged and moved aside
   * (`<file>.corrupt-<time>`); an unusable directory, or a journal that cannot be written, is an error.
   *
   * @param stateDir The state directory.
   * @param configPath The config file (the journal's key is its real absolute path).
   * @param log Where to log a corrupt journal.
   * @param nowMs The wall clock (for the `.corrupt-` suffix).
   * @returns The journal and its entries, or the error (one line).
   */
  static open(stateDir: string, configPath: string, log: ServeLog, nowMs: number = Date.now()): JournalOpen {
    const dir = stateDir.replace(/(?<=.)\/+$/, "");
    const problem = (reason: string): JournalOpen => ({
      ok: false,
      error: `cannot use state directory ${dir}: ${reason} (choose another with --state-dir)`,
    });
    try {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!Deno.statSync(dir).isDirectory) return problem("not a directory");
      // A real write test: the journal must be writable before any door opens.
      const probe = Deno.makeTempFileSync({ dir, prefix: ".probe-" });
      Deno.removeSync(probe);
    } catch (error) {
      return problem(osReason(error));
    }
    const name = journalFileName(absolute(configPath));
    const path = `${dir}/${name}`;
    const journal = new StopJournal(dir, path, log);
    // A crash in the middle of a write leaves its temporary file: only this journal's are removed.
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.isFile && entry.name.startsWith(`.${name}.`) && entry.name.endsWith(".tmp")) {
          Deno.removeSync(`${dir}/${entry.name}`);
        }
      }
    } catch {
      // best effort
    }
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        return { ok: false, error: `cannot read stop journal ${path}: ${osReason(error)}` };
      }
    }
    if (text !== undefined) {
      const decoded = decodeJournal(text);
      if (decoded.ok) {
        for (const e of decoded.entries) journal.#records.add({ ...e });
      } else {
        const aside = `${path}.corrupt-${timestamp(nowMs)}`;
        try {
          Deno.renameSync(path, aside);
          log.error(`stop journal ${path} is corrupt (${decoded.error}): moved aside to ${aside}`, {
            event: "journal-corrupt",
          });
        } catch (error) {
          return { ok: false, error: `cannot move corrupt stop journal ${path} aside: ${osReason(error)}` };
        }
      }
    }
    try {
      journal.#compact();
    } catch (error) {
      return { ok: false, error: `cannot write stop journal ${path}: ${osReason(error)}` };
    }
    return { ok: true, journal, entries: [...journal.#records] };
  }

  /** Number of pending stops in the journal. */
  get size(): number {
    return this.#records.size;
  }

  /**
   * Adds a pending stop; call {@linkcode durable} to wait until it is on disk.
   *
   * @param entry The stop.
   * @returns Its record (for {@linkcode update} and {@linkcode remove}).
   */
  add(entry: JournalEntry): JournalRecord {
    const record: JournalRecord = { ...entry };
    this.#records.add(record);
    this.#ops.push({ op: "add", record });
    this.#changed();
    return record;
  }

  /**
   * Moves a pending stop's due time (written in the background).
   *
   * @param record The record.
   * @param dueMs The new due time.
   */
  update(record: JournalRecord, dueMs: number): void {
    if (!this.#records.has(record) || record.dueMs === dueMs) return;
    record.dueMs = dueMs;
    this.#ops.push({ op: "due", record });
    this.#changed();
  }

  /**
   * Removes a stop that has run (written in the background).
   *
   * @param record The record.
   */
  remove(record: JournalRecord): void {
    if (!this.#records.delete(record)) return;
    this.#ops.push({ op: "del", record });
    this.#changed();
  }

  /**
   * Settles once every change made so far is on disk (or its write failed; failures are logged).
   *
   * @returns A promise.
   */
  durable(): Promise<void> {
    const generation = this.#generation;
    if (this.#written >= generation) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ generation, resolve }));
  }

  #changed(): void {
    this.#generation++;
    if (this.#scheduled || this.#writer !== undefined) return;
    // Batch: every change made in this tick (e.g. a burst of openings in one pcap_dispatch) in one write.
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.#writer === undefined) this.#writer = this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#written < this.#generation) {
      const generation = this.#generation;
      const ops = this.#ops;
      this.#ops = [];
      try {
        await this.#append(ops);
        if (this.#failing) {
          this.#failing = false;
          this.#log.info(`stop journal ${this.path} written again`, { event: "journal-ok" });
        }
      } catch (error) {
        this.#closeFile(); // compacted (rewritten whole) at the next change
        if (!this.#failing) {
          this.#failing = true;
          this.#log.error(`could not write stop journal ${this.path}: ${osReason(error)}`, {
            event: "journal-error",
          });
        }
      }
      this.#written = generation;
      this.#waiters = this.#waiters.filter((w) => {
        if (w.generation > generation) return true;
        w.resolve();
        return false;
      });
    }
    this.#writer = undefined;
  }

  /** Appends `ops` in place and waits for `fdatasync`; compacts instead when it must. */
  async #append(ops: readonly PendingOp[]): Promise<void> {
    let file = this.#file;
    if (file !== undefined && file.statSync().nlink === 0) {
      // Removed behind our back (e.g. the state directory was deleted): a new file, or an error.
      this.#closeFile();
      file = undefined;
    }
    // Ids are given in place: if this write fails, the next one compacts, which gives them all again.
    const ids = this.#ids;
    let text = "";
    for (const { op, record } of ops) {
      if (op === "add") {
        const id = this.#nextId++;
        ids.set(record, id);
        text += encodeJournalOp({ op, id, entry: record });
      } else {
        const id = ids.get(record);
        if (id === undefined) continue; // never written (compacted away before its add)
        text += op === "due" ? encodeJournalOp({ op, id, dueMs: record.dueMs }) : encodeJournalOp({ op, id });
        if (op === "del") ids.delete(record);
      }
    }
    const bytes = encoder.encode(text);
    if (file === undefined || this.#tail + bytes.length > this.#capacity) {
      this.#compact(); // the pending stops as they are now, `ops` included, already synced
      return;
    }
    file.seekSync(this.#tail, Deno.SeekMode.Start);
    writeAllSync(file, bytes);
    this.#tail += bytes.length;
    await file.syncData();
  }

  /**
   * Rewrites the journal atomically as a new preallocated file holding the pending stops (temporary file in
   * the same directory, zero-filled to its capacity, fsync, rename, fsync of the directory) and keeps it
   * open for appending. Synchronous: at start, and rarely after (a full log, a failed write).
   */
  #compact(): void {
    this.#closeFile();
    const records = [...this.#records];
    const ids = new Map<JournalRecord, number>();
    let text = encodeJournalHeader();
    records.forEach((record, i) => {
      ids.set(record, i + 1);
      text += encodeJournalOp({ op: "add", id: i + 1, entry: record });
    });
    const bytes = encoder.encode(text);
    const capacity = Math.max(MIN_CAPACITY, Math.ceil((2 * bytes.length + 65536) / 4096) * 4096);
    // The rest is written zeros (real blocks: later appends in place change neither the size nor the
    // allocation, so fdatasync flushes data only).
    const content = new Uint8Array(capacity);
    content.set(bytes);
    writeFileAtomic(this.path, content, { newFileMode: 0o600 });
    const file = Deno.openSync(this.path, { read: true, write: true });
    this.#file = file;
    this.#tail = bytes.length;
    this.#capacity = capacity;
    this.#ids = ids;
    this.#nextId = records.length + 1;
  }

  #closeFile(): void {
    try {
      this.#file?.close();
    } catch {
      // already closed
    }
    this.#file = undefined;
  }

  /**
   * Shutdown: waits for the last write, then removes the file when no stop is pending (a clean exit leaves
   * nothing behind; stops that did not finish stay for the next start).
   *
   * @returns A promise.
   */
  async close(): Promise<void> {
    await this.settle();
    this.#closeFile();
    if (this.#records.size > 0 || this.#failing) return;
    try {
      await Deno.remove(this.path);
    } catch {
      // never written
    }
  }

  /**
   * Settles once every change made so far is on disk (shutdown).
   *
   * @returns A promise.
   */
  async settle(): Promise<void> {
    await this.durable();
    if (this.#writer !== undefined) await this.#writer;
  }
}
