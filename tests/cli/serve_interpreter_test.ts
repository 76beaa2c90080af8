/**
 * serve's effect interpreter on a fake platform (no capture, no process, no file, no clock): the order in
 * which effects are carried out, what waits for the end of a capture batch, and what is fed back.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../core/config/mod.ts";
import type { Knock } from "../../core/knock.ts";
import { ServeDaemon } from "../../core/serve/mod.ts";
import { EffectInterpreter } from "../../cli/serve/interpreter.ts";
import type { LaunchedCommand, Launcher } from "../../cli/serve/launcher.ts";
import type { ServeLog } from "../../cli/serve/logging.ts";
import type { ServePlatform } from "../../cli/serve/platform.ts";
import type { ExitStatus } from "../../ffi/mod.ts";

/** What happened, in order: `filter 0 ...`, `log ...`, `start cmd`, `kill 7 SIGTERM`, `write /f`. */
type Trace = string[];

interface Fake {
  readonly trace: Trace;
  readonly interpreter: EffectInterpreter;
  readonly daemon: ServeDaemon;
  /** Runs the deferred callbacks (microtasks) and the timers due by `ms` of fake time. */
  run(ms?: number): void;
  /** Ends the command started with pid `pid`. */
  exit(pid: number, status: ExitStatus): Promise<void>;
  files: Map<string, string>;
}

function fake(
  conf: string,
  options: { failStart?: boolean; failFilter?: boolean; timeoutMs?: number } = {},
): Fake {
  const trace: Trace = [];
  const files = new Map<string, string>();
  const deferred: (() => void)[] = [];
  let now = 1000;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const children = new Map<number, (s: ExitStatus) => void>();
  let nextPid = 100;
  const platform = {
    now: () => now,
    after(ms: number, fn: () => void) {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return () => t.cancelled = true;
    },
    defer: (fn: () => void) => deferred.push(fn),
    readText(path: string) {
      const text = files.get(path);
      if (text === undefined) throw new Error("No such file or directory (os error 2)");
      return text;
    },
    writeFileAtomic(path: string, text: string) {
      trace.push(`write ${path}`);
      files.set(path, text);
    },
    reverseLookup: () => Promise.resolve(undefined),
  } as unknown as ServePlatform;
  const launcher: Launcher = {
    start(command: string): LaunchedCommand {
      if (options.failStart === true) throw new Error("posix_spawn: Resource temporarily unavailable");
      const pid = nextPid++;
      trace.push(`start ${pid} ${command}`);
      return { pid, status: new Promise((resolve) => children.set(pid, resolve)) };
    },
    killGroup: (pid, signal) => void trace.push(`kill ${pid} ${signal}`),
    warm: () => {},
    close: () => Promise.resolve(),
  };
  const log = {
    entry: (e: { message: string }) => void trace.push(`log ${e.message}`),
    reconfigure: () => void trace.push("reconfigure"),
  } as unknown as ServeLog;
  const parsed = parseConfig(conf, { extensions: KNOCKTOOL_EXTENSIONS });
  const daemon = new ServeDaemon({
    onlyIPv4: false,
    debug: false,
    verbose: true,
    dryRun: false,
    journal: false,
    announce: true,
    commandTimeoutMs: options.timeoutMs,
  });
  const interpreter = new EffectInterpreter({
    daemon,
    platform,
    log,
    logOptions: {
      verbose: true,
      debug: false,
      format: "text",
      syslog: false,
      stdout: () => {},
      stderr: () => {},
    },
    launcher,
    captures: [{
      setFilter(expression: string) {
        if (options.failFilter === true) throw new Error("syntax error in filter expression");
        trace.push(`filter 0 ${expression.slice(0, 19)}`);
      },
    }],
    clock: () => now,
    autoFlush: true,
  });
  const otp = new Map(
    parsed.config.doors.flatMap((d) => d.oneTimeSequences === undefined ? [] : [d.oneTimeSequences.value])
      .map((path) => [path, { ok: true as const, text: files.get(path) ?? "7000\n7100\n" }]),
  );
  for (const [path, t] of otp) files.set(path, t.text);
  interpreter.feed((d) =>
    d.start({
      config: parsed.config,
      otp,
      captures: [{ name: "eth0", linktype: 1, addresses: { v4: ["10.0.0.1"], v6: [] } }],
    }, now)
  );
  return {
    trace,
    interpreter,
    daemon,
    files,
    run(ms = 0) {
      while (deferred.length > 0) deferred.shift()!();
      now += ms;
      for (const t of timers.splice(0)) {
        if (t.cancelled) continue;
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
      while (deferred.length > 0) deferred.shift()!();
    },
    async exit(pid, status) {
      children.get(pid)!(status);
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

function knock(port: number, src = "10.0.0.2"): Knock {
  return {
    family: 4,
    src,
    dst: "10.0.0.1",
    protocol: "tcp",
    sport: 40000 + port,
    dport: port,
    flags: 2,
    seq: port,
    timeMs: 0,
  };
}

Deno.test("interpreter: the start's filter is installed before `starting up` is logged", () => {
  const f = fake("[d]\nsequence = 7000\nstart_command = open %IP%\n");
  assert.deepEqual(f.trace, ["filter 0 ((dst host 10.0.0.1", "log starting up, listening on eth0"]);
});

Deno.test("interpreter: a frame's command starts at once; its filter and file rewrite wait for the batch's end", () => {
  const f = fake("[otp]\none_time_sequences = /k/otp\nstart_command = open %IP%\n");
  f.trace.length = 0;
  f.interpreter.applyFromCapture(f.daemon.knock(knock(7000), 1000));
  assert.deepEqual(f.trace, [
    "log 10.0.0.2: otp: Stage 1",
    "log 10.0.0.2: otp: OPEN SESAME",
    "log otp: running command: open 10.0.0.2",
    "start 100 open 10.0.0.2",
  ]);
  f.trace.length = 0;
  f.run(); // the end of the batch (a microtask)
  // The used sequence's door passes nothing, then the file's next sequence is installed (the newest filter last).
  assert.deepEqual(f.trace, ["filter 0 less 1", "write /k/otp", "filter 0 ((dst host 10.0.0.1"]);
  assert.equal(f.files.get("/k/otp"), "#7000\n7100\n");
});

Deno.test("interpreter: a filter libpcap refuses is logged (and built again at the next change)", () => {
  const f = fake("[d]\nsequence = 7000\n", { failFilter: true });
  assert.deepEqual(f.trace, [
    "log pcap_compile: syntax error in filter expression",
    "log starting up, listening on eth0",
  ]);
});

Deno.test("interpreter: a command that cannot start is knockd's `command fork failed`, after the batch", () => {
  const f = fake("[d]\nsequence = 7000\nstart_command = open %IP%\n", { failStart: true });
  f.trace.length = 0;
  f.interpreter.applyFromCapture(f.daemon.knock(knock(7000), 1000));
  assert.ok(!f.trace.some((l) => l.includes("fork failed")));
  f.run();
  assert.deepEqual(f.trace.slice(-1), [
    "log error: command fork failed! (posix_spawn: Resource temporarily unavailable)",
  ]);
  assert.equal(f.interpreter.running, 0);
});

Deno.test("interpreter: a command past its timeout is logged, SIGTERM to its group, SIGKILL 2 s later", async () => {
  const f = fake("[d]\nsequence = 7000\nstart_command = hang\n", { timeoutMs: 500 });
  f.interpreter.applyFromCapture(f.daemon.knock(knock(7000), 1000));
  f.trace.length = 0;
  f.run(499);
  assert.deepEqual(f.trace, []);
  f.run(1);
  assert.deepEqual(f.trace, ["log d: command ran longer than 0.5 s, killing it: hang", "kill 100 SIGTERM"]);
  f.run(2000);
  assert.deepEqual(f.trace.slice(-1), ["kill 100 SIGKILL"]);
  await f.exit(100, { success: false, code: null, signal: 9 });
  assert.deepEqual(f.trace.slice(-1), ["log d: command returned non-zero status code (137)"]);
  assert.equal(f.interpreter.running, 0);
});

Deno.test("interpreter: an exit before the timeout cancels the kill", async () => {
  const f = fake("[d]\nsequence = 7000\nstart_command = quick\n", { timeoutMs: 500 });
  f.interpreter.applyFromCapture(f.daemon.knock(knock(7000), 1000));
  await f.exit(100, { success: true, code: 0, signal: null });
  f.trace.length = 0;
  f.run(5000);
  assert.deepEqual(f.trace, []);
});
