/**
 * A long-running process whose standard output and error are captured line by line, with bounded waits for a
 * line or for its exit.
 *
 * @module
 */

/** Options of {@linkcode Netns.spawn}. */
export interface SpawnOptions {
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Working directory. */
  readonly cwd?: string;
}

/** A long-running process whose stdout and stderr are captured line by line. */
export class Spawned {
  /** The child process. */
  readonly child: Deno.ChildProcess;
  /** The command line, for messages. */
  readonly command: readonly string[];
  /** Every complete stdout line so far. */
  readonly lines: string[] = [];
  /** Every complete stderr line so far. */
  readonly errLines: string[] = [];
  /** Resolves with the exit status once the process has exited and both streams are drained. */
  readonly exited: Promise<Deno.CommandStatus>;
  #waiters: (() => void)[] = [];
  #status: Deno.CommandStatus | undefined;

  /**
   * Starts `cmd`.
   *
   * @param cmd The program and its arguments.
   * @param options Environment and working directory.
   */
  constructor(cmd: readonly string[], options: SpawnOptions = {}) {
    const [program, ...args] = cmd;
    if (program === undefined) throw new Error("Empty command");
    this.command = cmd;
    const child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    }).spawn();
    this.child = child;
    const streams = Promise.all([
      this.#pump(child.stdout, this.lines),
      this.#pump(child.stderr, this.errLines),
    ]);
    this.exited = (async () => {
      const status = await child.status;
      // Grandchildren may keep the pipes open (e.g. a `sleep` started by a shell): drain for a bounded time.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([streams, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      this.#status = status;
      this.#wake();
      return status;
    })();
  }

  async #pump(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
    let buffer = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          into.push(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
        this.#wake();
      }
    } catch {
      // stream torn down with the process
    }
    if (buffer !== "") into.push(buffer);
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** The exit status once known, else undefined. */
  get status(): Deno.CommandStatus | undefined {
    return this.#status;
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Everything captured so far, stdout then stderr, for assertion messages. */
  output(): string {
    return `--- stdout of ${this.command.join(" ")}\n${this.lines.join("\n")}\n--- stderr\n${
      this.errLines.join("\n")
    }`;
  }

  /**
   * Waits until a stdout line (from index `from` on) matches `pattern`.
   *
   * @param pattern The line pattern.
   * @param timeoutMs The bound.
   * @param from The first line index to look at (default 0: all lines so far count).
   * @returns The index and text of the first matching line.
   * @throws Error naming the pattern and showing the output when it times out or the process exits first.
   */
  async waitForLine(
    pattern: RegExp,
    timeoutMs: number,
    from = 0,
  ): Promise<{ index: number; line: string }> {
    const found = await this.findLine(pattern, timeoutMs, from);
    if (found === undefined) {
      const why = this.#status === undefined
        ? `within ${timeoutMs} ms`
        : `before exit (${this.#status.code})`;
      throw new Error(`No stdout line matching ${pattern} ${why}\n${this.output()}`);
    }
    return found;
  }

  /**
   * Like {@linkcode waitForLine} but returns undefined instead of throwing (to prove a line does NOT appear).
   *
   * @param pattern The line pattern.
   * @param timeoutMs The bound.
   * @param from The first line index to look at.
   * @returns The match or undefined.
   */
  async findLine(
    pattern: RegExp,
    timeoutMs: number,
    from = 0,
  ): Promise<{ index: number; line: string } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      for (let i = from; i < this.lines.length; i++) {
        const line = this.lines[i]!;
        if (pattern.test(line)) return { index: i, line };
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#status !== undefined) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, 250)))),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Waits for the process to exit.
   *
   * @param timeoutMs The bound.
   * @returns The status, or undefined if it is still running at the bound.
   */
  async waitForExit(timeoutMs: number): Promise<Deno.CommandStatus | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      this.exited,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
    ]);
    clearTimeout(timer);
    return result;
  }

  /**
   * Sends a signal (ignored if the process is gone).
   *
   * @param signal The signal.
   */
  signal(signal: Deno.Signal): void {
    if (this.#status !== undefined) return;
    try {
      this.child.kill(signal);
    } catch {
      // already exited
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL after `graceMs`; always reaps it.
   *
   * @param graceMs How long to wait after SIGTERM.
   * @returns The exit status.
   */
  async stop(graceMs = 3000): Promise<Deno.CommandStatus> {
    if (this.#status === undefined) {
      this.signal("SIGTERM");
      if ((await this.waitForExit(graceMs)) === undefined) this.signal("SIGKILL");
    }
    return await this.exited;
  }

  /** Stops the process (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
