/**
 * Every runtime call the CLI makes, in one place (like cliffy's
 * `internal/runtime/`). The rest of `cli/` only sees the {@link Io} object, so
 * tests run the whole program in-process with captured output and injected
 * facts, and `core/` never touches the runtime at all.
 *
 * @module
 */
import { errorMessage } from "../core/error_message.ts";

/** What `stat` says about a path, reduced to what the CLI needs. */
export interface PathInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /** Size in bytes. */
  readonly size: number;
  /** POSIX permission bits (`mode & 0o7777`), or `undefined` where unknown (Windows). */
  readonly mode: number | undefined;
  /** True for the null device (`/dev/null` or a node of it): not a regular file, but it reads as empty. */
  readonly isNullDevice?: boolean;
}

/** Device number of the null device on Linux: major 1, minor 3. */
const LINUX_NULL_DEVICE = (1 << 8) | 3;

/** The runtime facts and effects the CLI uses. Tests pass their own. */
export interface Io {
  /** Writes text to standard output exactly as given (no newline added). */
  readonly stdout: (text: string) => void;
  /** Writes text to standard error exactly as given (no newline added). */
  readonly stderr: (text: string) => void;
  /** Reads standard input to its end, or at most `limit + 1` bytes. */
  readonly readStdin: (limit: number) => Promise<Uint8Array>;
  /** Reads a whole file. Throws the runtime's error on failure (see {@link osReason}). */
  readonly readFile: (path: string) => Uint8Array;
  /** Stats a path, following symlinks. Throws the runtime's error on failure. */
  readonly stat: (path: string) => PathInfo;
  /** The current working directory (relative paths in a config are resolved against it, like knockd). */
  readonly cwd: () => string;
  /** Reads an environment variable; `undefined` when unset or not permitted. */
  readonly env: (name: string) => string | undefined;
  /** Whether standard output is a terminal. */
  readonly stdoutIsTerminal: boolean;
  /** Whether standard error is a terminal. */
  readonly stderrIsTerminal: boolean;
}

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = new TextEncoder().encode(text);
  try {
    while (bytes.length > 0) {
      const n = file.writeSync(bytes);
      bytes = bytes.subarray(n);
    }
  } catch (error) {
    // The reader went away (`knocktool lint ... | head`): drop the rest quietly, like most Unix tools.
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

async function readStdin(limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of Deno.stdin.readable) {
    chunks.push(chunk);
    total += chunk.length;
    if (total > limit) break;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The real runtime: Deno's stdio, file system, environment and terminal detection. */
export function denoIo(): Io {
  return {
    stdout: (text) => writeAll(Deno.stdout, text),
    stderr: (text) => writeAll(Deno.stderr, text),
    readStdin,
    readFile: (path) => Deno.readFileSync(path),
    stat: (path) => {
      const info = Deno.statSync(path);
      return {
        isFile: info.isFile,
        isDirectory: info.isDirectory,
        size: info.size,
        mode: info.mode === null ? undefined : info.mode & 0o7777,
        isNullDevice: info.isCharDevice === true && info.rdev === LINUX_NULL_DEVICE,
      };
    },
    cwd: () => Deno.cwd(),
    env: (name) => {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined;
      }
    },
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

/**
 * The operating system's reason from a runtime error, e.g. `No such file or
 * directory` from Deno's `No such file or directory (os error 2): readfile 'x'`.
 */
export function osReason(error: unknown): string {
  const message = errorMessage(error);
  const cut = message.search(/ \(os error \d+\)/);
  return (cut >= 0 ? message.slice(0, cut) : message).trim() || "Unknown error";
}

/** Exit the process. Only `cli/main.ts`'s `import.meta.main` block calls this. */
export function exit(code: number): never {
  Deno.exit(code);
}

/** The command-line arguments of this process. */
export function processArgs(): readonly string[] {
  return Deno.args;
}
