/**
 * File writes shared by the subcommands: whole writes, and atomic replacement (one-time sequence files,
 * the stop-command journal's compaction, `knock`'s OTP copy, `craft --pcap`).
 *
 * @module
 */

/**
 * Writes all of `data` (`writeSync` may write less than asked).
 *
 * @param file An open file.
 * @param data The bytes.
 */
export function writeAllSync(file: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let rest = data;
  while (rest.length > 0) rest = rest.subarray(file.writeSync(rest));
}

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of a new file, before the umask (default 0o666, as `open` would). */
  readonly newFileMode?: number;
}

/**
 * Replaces `path` with `data` atomically: a temporary file `.<name>.<pid>-<random>.tmp` in the same
 * directory, fsync, rename over `path`, then fsync of the directory (best effort). A replaced file keeps its
 * permission bits; a new one gets `newFileMode` less the umask. On failure the temporary file is removed and
 * the error rethrown; `path` is then unchanged.
 *
 * @param path The file to create or replace.
 * @param data The new content (text is written as UTF-8).
 * @param options The mode of a new file.
 */
export function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): void {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const base = slash < 0 ? path : path.slice(slash + 1);
  let mode: number | null = null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    // a new file
  }
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const random = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
  const temp = `${dir}/.${base}.${Deno.pid}-${random}.tmp`;
  using file = Deno.openSync(temp, { write: true, createNew: true, mode: options.newFileMode ?? 0o666 });
  try {
    writeAllSync(file, bytes);
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
