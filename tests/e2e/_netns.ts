/**
 * Shared helpers for end-to-end tests in Linux network namespaces: unique namespaces joined by veth pairs
 * with IPv4 and IPv6 addresses, commands run in a namespace, long-running processes with line-by-line
 * output capture, bounded polling, and a skip reason when the machine cannot run them (not root, no `ip`).
 *
 * Every namespace a topology creates is deleted in `finally`, whatever the test body does.
 *
 * ```ts ignore
 * import { poll, whySkip, withTopology } from "./_netns.ts";
 * const skip = await whySkip(["knock", "nft"]);
 * Deno.test({ name: "knock opens", ignore: skip !== undefined }, async () => {
 *   await withTopology({}, async (t) => {
 *     await using server = t.server.spawn(["knockd", "-v", "-i", t.serverIf, "-c", conf]);
 *     await server.waitForLine(/listening on/, 5000);
 *     await t.clients[0]!.ns.exec(["knock", t.serverV4, "7000", "8000", "9000"]);
 *     await server.waitForLine(/OPEN SESAME/, 5000);
 *   });
 * });
 * ```
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

/** A network namespace. */
export class Netns {
  /** The namespace name (as in `ip netns list`). */
  readonly name: string;

  /**
   * Wraps an existing namespace name (see {@linkcode withTopology} to create them).
   *
   * @param name The namespace name.
   */
  constructor(name: string) {
    this.name = name;
  }

  /** The command prefix that runs a program inside this namespace. */
  prefix(): string[] {
    return ["ip", "netns", "exec", this.name];
  }

  /**
   * Runs a command inside the namespace to completion.
   *
   * @param cmd The program and its arguments.
   * @param options Check (default true), timeout, stdin.
   * @returns Exit code and output.
   */
  exec(cmd: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return run([...this.prefix(), ...cmd], options);
  }

  /**
   * Starts a long-running command inside the namespace, capturing its output line by line. Stop it with
   * `stop()` or `await using`.
   *
   * @param cmd The program and its arguments.
   * @param options Environment and working directory.
   * @returns The process.
   */
  spawn(cmd: readonly string[], options: SpawnOptions = {}): Spawned {
    return new Spawned([...this.prefix(), ...cmd], options);
  }
}

/** One client namespace of a topology. */
export interface Client {
  /** Its namespace. */
  readonly ns: Netns;
  /** Its interface name. */
  readonly ifname: string;
  /** Its IPv4 address. */
  readonly v4: string;
  /** Its IPv6 address. */
  readonly v6: string;
}

/** Server and client namespaces created by {@linkcode withTopology}. */
export interface Topology {
  /** Random hex id shared by every name of this topology. */
  readonly id: string;
  /** The random X of the 10.201.X.0/24 and fd00:201:X::/64 networks. */
  readonly net: number;
  /** The server namespace. */
  readonly server: Netns;
  /** The server's interface (a veth with one client, a bridge with several). */
  readonly serverIf: string;
  /** The server's IPv4 address (10.201.X.1). */
  readonly serverV4: string;
  /** The server's IPv6 address (fd00:201:X::1). */
  readonly serverV6: string;
  /** The client namespaces; client i has 10.201.X.(i+2) and fd00:201:X::(i+2). */
  readonly clients: readonly Client[];
}

/** Options of {@linkcode withTopology}. */
export interface TopologyOptions {
  /** Number of client namespaces (default 1). With more than one, the server side is a bridge. */
  readonly clients?: number;
}

function randomHex(digits: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(digits / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, digits);
}

/**
 * Creates a server namespace and `clients` client namespaces (names `kt-e-<id>-s`, `kt-e-<id>-c<i>`),
 * joined by veth pairs (through a bridge in the server namespace when there are several clients), with
 * IPv4 10.201.X.0/24 and IPv6 fd00:201:X::/64 addresses (X random, DAD disabled so IPv6 works at once),
 * `lo` up everywhere; runs `body`; deletes every namespace in `finally` even when `body` throws.
 *
 * @param options Number of clients.
 * @param body The test.
 * @returns What `body` returns.
 */
export async function withTopology<T>(
  options: TopologyOptions,
  body: (topology: Topology) => Promise<T>,
): Promise<T> {
  const count = options.clients ?? 1;
  if (count < 1 || count > 200) throw new Error(`Unsupported client count "${count}"`);
  const id = randomHex(6);
  const net = 1 + Math.floor(Math.random() * 254);
  const server = new Netns(`kt-e-${id}-s`);
  const created: Netns[] = [];
  const bridged = count > 1;
  const serverIf = bridged ? `kt${id}br` : `kt${id}s0`;
  const clients: Client[] = [];
  try {
    await run(["ip", "netns", "add", server.name]);
    created.push(server);
    await server.exec(["ip", "link", "set", "lo", "up"]);
    if (bridged) {
      await server.exec([
        "ip",
        "link",
        "add",
        serverIf,
        // A fixed MAC: a bridge otherwise takes the lowest port MAC, which changes as ports are added.
        "address",
        `02:00:${id.slice(0, 2)}:${id.slice(2, 4)}:${id.slice(4, 6)}:01`,
        "type",
        "bridge",
        "stp_state",
        "0",
        "forward_delay",
        "0",
      ]);
    }
    for (let i = 0; i < count; i++) {
      const ns = new Netns(`kt-e-${id}-c${i}`);
      await run(["ip", "netns", "add", ns.name]);
      created.push(ns);
      const ifname = `kt${id}c${i}`;
      const serverEnd = `kt${id}s${i}`;
      await run([
        "ip",
        "link",
        "add",
        serverEnd,
        "netns",
        server.name,
        "type",
        "veth",
        "peer",
        "name",
        ifname,
        "netns",
        ns.name,
      ]);
      if (bridged) await server.exec(["ip", "link", "set", serverEnd, "master", serverIf]);
      await server.exec(["ip", "link", "set", serverEnd, "up"]);
      const v4 = `10.201.${net}.${i + 2}`;
      const v6 = `fd00:201:${net.toString(16)}::${(i + 2).toString(16)}`;
      await ns.exec(["ip", "addr", "add", `${v4}/24`, "dev", ifname]);
      await ns.exec(["ip", "-6", "addr", "add", `${v6}/64`, "dev", ifname, "nodad"]);
      await ns.exec(["ip", "link", "set", ifname, "up"]);
      await ns.exec(["ip", "link", "set", "lo", "up"]);
      clients.push({ ns, ifname, v4, v6 });
    }
    const serverV4 = `10.201.${net}.1`;
    const serverV6 = `fd00:201:${net.toString(16)}::1`;
    await server.exec(["ip", "addr", "add", `${serverV4}/24`, "dev", serverIf]);
    await server.exec(["ip", "-6", "addr", "add", `${serverV6}/64`, "dev", serverIf, "nodad"]);
    await server.exec(["ip", "link", "set", serverIf, "up"]);
    if (bridged) {
      const ready = await poll(async () => {
        const out = await server.exec(["ip", "-d", "link", "show", "master", serverIf]);
        return (out.stdout.match(/state forwarding/g) ?? []).length === count;
      }, 10_000);
      if (!ready) throw new Error(`Bridge "${serverIf}" ports are not forwarding after 10 s`);
    }
    return await body({ id, net, server, serverIf, serverV4, serverV6, clients });
  } finally {
    for (const ns of created.reverse()) {
      // Kill anything still running inside (e.g. a stop command sleeping), then delete.
      const pids = await run(["ip", "netns", "pids", ns.name], { check: false, timeoutMs: 5000 });
      for (const pid of pids.stdout.split(/\s+/).filter((p) => p !== "")) {
        try {
          Deno.kill(Number(pid), "SIGKILL");
        } catch {
          // gone
        }
      }
      await run(["ip", "netns", "del", ns.name], { check: false, timeoutMs: 10_000 });
    }
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

/**
 * Why the namespace tests cannot run here, or undefined when they can. Checks Linux, root, `ip` with netns
 * support, and every program in `needs`. Prints the reason (so a skipped run says why).
 *
 * @param needs Programs the caller needs besides `ip` (e.g. `knock`, `nft`, `knockd`).
 * @param label Printed before the reason.
 * @returns The reason, or undefined.
 */
export async function whySkip(
  needs: readonly string[] = [],
  label = "skipping e2e tests",
): Promise<string | undefined> {
  const reason = await skipReason(needs);
  if (reason !== undefined) {
    // deno-lint-ignore no-console
    console.log(`${label}: ${reason}`);
  }
  return reason;
}

async function skipReason(needs: readonly string[]): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "not Linux (network namespaces are Linux only)";
  if (Deno.uid() !== 0) return "not root (network namespaces, nftables and capture need root)";
  if (!(await hasCommand("ip"))) return "iproute2 (ip) is not installed; run tests/setup.sh as root";
  for (const name of needs) {
    if (!(await hasCommand(name))) return `"${name}" is not installed; run tests/setup.sh as root`;
  }
  const probe = `kt-e-probe-${randomHex(6)}`;
  const added = await run(["ip", "netns", "add", probe], { check: false, timeoutMs: 10_000 });
  if (added.code !== 0) return `cannot create a network namespace: ${added.stderr.trim()}`;
  await run(["ip", "netns", "del", probe], { check: false, timeoutMs: 10_000 });
  return undefined;
}

/** The path of the repository root (with a trailing slash). */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/** The command that runs the knocktool CLI from this checkout: `deno run -A <repo>/cli/main.ts`. */
export const KNOCKTOOL: readonly string[] = [
  Deno.execPath(),
  "run",
  "-A",
  "--no-prompt",
  `${REPO_ROOT}cli/main.ts`,
];

const TCP_TOOL = new URL("./_tcp_tool.ts", import.meta.url).pathname;

/** The outcome of {@linkcode tcpProbe}. */
export type ProbeResult = "open" | "refused" | "timeout" | `error ${string}`;

/**
 * Starts a TCP listener inside `ns` on `ports` that answers `hello` to every connection, and waits until it
 * listens. Stop it with `stop()` or `await using`.
 *
 * @param ns The namespace.
 * @param ports The ports.
 * @param host The bind address (default `::`, both families).
 * @returns The listener process.
 */
export async function tcpListener(ns: Netns, ports: readonly number[], host = "::"): Promise<Spawned> {
  const p = ns.spawn([
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    TCP_TOOL,
    "listen",
    host,
    ...ports.map(String),
  ]);
  try {
    await p.waitForLine(/^listening$/, 15_000);
  } catch (error) {
    await p.stop();
    throw error;
  }
  return p;
}

/**
 * Connects from `ns` to `host`:`port` (optionally from `localAddress`) and says whether the connection was
 * answered by a {@linkcode tcpListener}, refused, or timed out (a firewall drop).
 *
 * @param ns The client namespace.
 * @param host The server address.
 * @param port The port.
 * @param options Connect timeout (default 1000 ms) and source address.
 * @returns The outcome.
 */
export async function tcpProbe(
  ns: Netns,
  host: string,
  port: number,
  options: { timeoutMs?: number; localAddress?: string } = {},
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const args = [
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    TCP_TOOL,
    "probe",
    host,
    String(port),
    String(timeoutMs),
  ];
  if (options.localAddress !== undefined) args.push(options.localAddress);
  const out = await ns.exec(args, { timeoutMs: timeoutMs + 15_000 });
  return out.stdout.trim() as ProbeResult;
}
