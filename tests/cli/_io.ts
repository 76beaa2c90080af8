/**
 * An in-process {@link Io} for tests: the real file system, captured output,
 * a given standard input and given environment / terminal facts.
 *
 * @module
 */
import { denoIo, type Io } from "../../cli/runtime.ts";
import { main } from "../../cli/main.ts";

function resolve(cwd: string | undefined, path: string): string {
  return cwd === undefined || path.startsWith("/") ? path : `${cwd}/${path}`;
}

/** Captured output of one run. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Facts a test may set. */
export interface TestIoOptions {
  readonly stdin?: string | Uint8Array;
  readonly env?: Record<string, string>;
  readonly stdoutIsTerminal?: boolean;
  readonly cwd?: string;
  /** Replace any part of the real runtime (e.g. a `readFile` that fails). */
  readonly overrides?: Partial<Io>;
}

/** Runs `knocktool <args>` in-process and captures what it prints. */
export async function runCli(args: readonly string[], options: TestIoOptions = {}): Promise<Captured> {
  const real = denoIo();
  let stdout = "", stderr = "";
  const stdin = typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin;
  const io: Io = {
    ...real,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: (limit) => Promise.resolve((stdin ?? new Uint8Array()).subarray(0, limit + 1)),
    env: (name) => options.env?.[name],
    stdoutIsTerminal: options.stdoutIsTerminal ?? false,
    stderrIsTerminal: false,
    cwd: () => options.cwd ?? real.cwd(),
    // With a cwd given, relative paths are resolved against it (tests never chdir).
    readFile: (path) => real.readFile(resolve(options.cwd, path)),
    stat: (path) => real.stat(resolve(options.cwd, path)),
    ...options.overrides,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
