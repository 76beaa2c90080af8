/**
 * Reading the files `lint` looks at: the configs named on the command line
 * (or standard input) and the one-time-sequences files they refer to.
 *
 * @module
 */
import type { FileFacts } from "../../core/lint/types.ts";
import { type Io, osReason } from "../runtime.ts";

/**
 * Largest input `lint` reads (1 MiB). A knockd.conf is a few kilobytes; a
 * larger input is refused with an I/O error (exit 2) instead of being decoded
 * and parsed, so a huge or endless input (a log, a disk image, /dev/zero)
 * costs nothing. Linting stays linear below the limit (docs/performance.md,
 * "Measured once").
 */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** A read input: its decoded text and, for files, its permission bits. */
export type Input =
  | { readonly ok: true; readonly text: string; readonly mode?: number }
  | { readonly ok: false; readonly error: string };

/** Decodes UTF-8, replacing invalid sequences with U+FFFD (never throws). */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

function tooLarge(size: number): string {
  return `File is too large (${size} bytes; the limit is ${MAX_INPUT_BYTES})`;
}

/**
 * Reads a file (after checking it is a regular file, or the null device, of sane size) without throwing;
 * `lint` reads the configs it is given this way, and `serve` its config.
 */
export function readRegularFile(io: Io, path: string): Input {
  try {
    const info = io.stat(path);
    if (info.isDirectory) return { ok: false, error: "Is a directory" };
    // The null device reads as an empty file, as it does for knockd; other devices and FIFOs could block.
    if (!info.isFile && info.isNullDevice !== true) return { ok: false, error: "Not a regular file" };
    if (info.size > MAX_INPUT_BYTES) return { ok: false, error: tooLarge(info.size) };
    const bytes = io.readFile(path);
    if (bytes.length > MAX_INPUT_BYTES) return { ok: false, error: tooLarge(bytes.length) };
    const text = decode(bytes);
    // Writing to the null device changes nothing, so its permission bits do not matter.
    if (info.mode === undefined || info.isNullDevice === true) return { ok: true, text };
    return { ok: true, text, mode: info.mode };
  } catch (error) {
    return { ok: false, error: osReason(error) };
  }
}

/** Reads a config named on the command line; `-` reads standard input. */
export async function readInput(io: Io, path: string): Promise<Input> {
  if (path !== "-") return readRegularFile(io, path);
  try {
    const bytes = await io.readStdin(MAX_INPUT_BYTES);
    if (bytes.length > MAX_INPUT_BYTES) {
      return { ok: false, error: `Input is too large (more than ${MAX_INPUT_BYTES} bytes)` };
    }
    return { ok: true, text: decode(bytes) };
  } catch (error) {
    return { ok: false, error: osReason(error) };
  }
}

/** Resolves a path from a config against the current directory, as knockd does. */
export function resolvePath(cwd: string, path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return cwd.replace(/[\\/]+$/, "") + "/" + path;
}

/**
 * The `readFile` callback handed to the lint engine: looks at a file a config
 * refers to (one-time sequences), resolving relative paths against the current
 * directory, and reports failures with the OS reason.
 *
 * @param io File access.
 * @param sources When given, the text of every file read is kept there, keyed by the path as the config
 *   names it (to show its lines in a report).
 */
export function fileFactsReader(io: Io, sources?: Map<string, string>): (path: string) => FileFacts {
  return (path) => {
    const input = readRegularFile(io, resolvePath(io.cwd(), path));
    if (!input.ok) return { kind: "error", message: input.error };
    sources?.set(path, input.text);
    return input.mode === undefined
      ? { kind: "file", text: input.text }
      : { kind: "file", text: input.text, mode: input.mode };
  };
}
