/**
 * Commands run to completion with a bounded wait, bounded polling, and a PATH lookup.
 *
 * @module
 */

/** The result of a finished command. */
export interface ExecResult {
  /** The exit code (-1 when it was killed at the timeout). */
  readonly code: number;
  /** Standard output as text. */
  readonly stdout: string;
  /** Standard error as text. */
  readonly stderr: string;
  /** Whether the command was killed because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Options of {@linkcode run} and {@linkcode Netns.exec}. */
export interface ExecOptions {
  /** Throw when the exit code is not 0 (default true). */
  readonly check?: boolean;
  /** Kill the command after this many milliseconds (default 30000). */
  readonly timeoutMs?: number;
  /** Text written to standard input. */
  readonly stdin?: string;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Working directory. */
  readonly cwd?: string;
}

const decoder = new TextDecoder();

/**
 * Runs a command to completion with a bounded wait.
 *
 * @param cmd The program and its arguments.
 * @param options Check, timeout, stdin.
 * @returns Exit code and output.
 * @throws Error when `check` is on (the default) and the exit code is not 0 or it timed out.
 */
export async function run(cmd: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [program, ...args] = cmd;
  if (program === undefined) throw new Error("Empty command");
  const child = new Deno.Command(program, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 30_000);
  const out = await child.output().finally(() => clearTimeout(timer));
  const result: ExecResult = {
    code: timedOut ? -1 : out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    timedOut,
  };
  if ((options.check ?? true) && (result.code !== 0 || timedOut)) {
    throw new Error(
      `Command "${cmd.join(" ")}" ${
        timedOut ? "timed out" : `failed (${result.code})`
      }: ${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

/**
 * Polls `condition` until it returns true (or a truthy value) or `timeoutMs` passes. Use this instead of fixed
 * sleeps wherever a condition can be observed.
 *
 * @param condition Checked at once, then every `intervalMs`.
 * @param timeoutMs The bound.
 * @param intervalMs The pause between checks (default 50).
 * @returns Whether the condition held before the bound.
 */
export async function poll(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now())))
    );
  }
}

/**
 * Tells whether `name` is an executable on PATH (or an absolute executable path).
 *
 * @param name The program.
 * @returns True when found.
 */
export async function hasCommand(name: string): Promise<boolean> {
  const out = await run(["sh", "-c", `command -v "$1"`, "sh", name], { check: false, timeoutMs: 5000 });
  return out.code === 0 && out.stdout.trim() !== "";
}
