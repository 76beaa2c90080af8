/**
 * The command path of `serve` in-process, without a capture: the real daemon core, effect interpreter,
 * launcher (`/bin/sh`, the standby shell) and journal, live clock. Openings come from knocks on a door's
 * first port (the tests' doors have one-port sequences).
 *
 * @module
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../core/config/mod.ts";
import type { Knock } from "../../core/knock.ts";
import { ServeDaemon } from "../../core/serve/mod.ts";
import { EffectInterpreter, Ticker, untilIdle } from "../../cli/serve/interpreter.ts";
import type { JournalRecord, StopJournal } from "../../cli/serve/journal.ts";
import type { Launcher } from "../../cli/serve/launcher.ts";
import type { ServeLog } from "../../cli/serve/logging.ts";
import { denoServePlatform } from "../../cli/serve/platform.ts";

/** Options of {@linkcode commandPath}. */
export interface CommandPathOptions {
  readonly log: ServeLog;
  readonly journal?: StopJournal | undefined;
  /** The journal's entries at start (from `StopJournal.open`). */
  readonly entries?: readonly JournalRecord[];
  readonly commandTimeoutMs?: number;
  readonly maxCommands?: number;
  readonly dryRun?: boolean;
  /** The launcher (default: `sh -c`, no standby shell). */
  readonly launcher?: Launcher;
}

/** A started command path. */
export function commandPath(conf: string, options: CommandPathOptions) {
  const parsed = parseConfig(conf, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === "error"), []);
  const config = parsed.config;
  const platform = denoServePlatform();
  const daemon = new ServeDaemon({
    onlyIPv4: false,
    debug: true,
    verbose: true,
    dryRun: options.dryRun ?? false,
    journal: options.journal !== undefined,
    announce: false,
    commandTimeoutMs: options.commandTimeoutMs,
    maxCommands: options.maxCommands,
  });
  const launcher = options.launcher ??
    platform.launcher({ standby: false, pinShell: false, directSpawn: false });
  const records = new Map<number, JournalRecord>();
  options.entries?.forEach((record, i) => records.set(i + 1, record));
  const interpreter: EffectInterpreter = new EffectInterpreter({
    daemon,
    platform,
    log: options.log,
    logOptions: {
      verbose: true,
      debug: true,
      format: "text",
      syslog: false,
      stdout: () => {},
      stderr: () => {},
    },
    launcher,
    journal: options.journal,
    journalRecords: records,
    captures: [],
    clock: () => Date.now(),
    autoFlush: true,
    onInput: () => ticker.schedule(),
  });
  const ticker = new Ticker(daemon, platform, (now) => interpreter.feed((d) => d.tick(now)));
  interpreter.feed((d) =>
    d.start({
      config,
      otp: new Map(),
      captures: [],
      journal: [...records].map(([id, r]) => ({
        id,
        door: r.door,
        src: r.src,
        command: r.command,
        dueMs: r.dueMs,
      })),
    }, Date.now())
  );
  let sport = 30000;
  return {
    daemon,
    interpreter,
    /** Opens door `name` for `src` (a knock on its first port). */
    open(name: string, src: string): void {
      const door = config.doors.find((d) => d.name === name);
      assert.ok(door !== undefined, name);
      const step = door.sequence[0]!;
      const v6 = src.includes(":");
      const now = Date.now();
      const knock: Knock = {
        family: v6 ? 6 : 4,
        src,
        dst: v6 ? "fd00::1" : "10.0.0.1",
        protocol: step.protocol,
        sport: sport++,
        dport: step.port,
        flags: step.protocol === "tcp" ? 0x02 : 0,
        seq: sport,
        timeMs: now,
      };
      interpreter.feed((d) => d.knock(knock, now));
    },
    /** Stop commands not yet run. */
    get pending(): number {
      return daemon.pendingStops;
    },
    /** Settles when every started command has finished (and every journal write was reported). */
    commandsDone: () => interpreter.settled(),
    /** SIGTERM: runs the pending stops, waits (bounded) for everything, closes the launcher and the journal. */
    async shutdown(timeoutMs = 5000): Promise<void> {
      ticker.stop();
      interpreter.feed((d) => d.shutdown(Date.now()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        untilIdle(daemon, interpreter),
        new Promise((r) => timer = setTimeout(r, timeoutMs)),
      ]);
      clearTimeout(timer);
      await launcher.close();
      await options.journal?.close();
    },
  };
}
