/**
 * The live daemon: opens the captures and the journal, then drives the daemon core (core/serve/daemon.ts)
 * with frames, timers, signals and address changes, carrying out its effects (./interpreter.ts). SIGHUP
 * reloads; SIGTERM/SIGINT run every pending stop command and end the daemon.
 *
 * @module
 */
import type { DaemonConfig } from "../../core/serve/mod.ts";
import {
  captureInterfaces,
  encodeStatus,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  ServeDaemon,
  STATUS_REQUEST,
} from "../../core/serve/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import { CaptureOpenError, type LiveCapture } from "./capture.ts";
import { loadConfig } from "./config.ts";
import { EffectInterpreter, Ticker, untilIdle } from "./interpreter.ts";
import { controlSocketPath, DEFAULT_STATE_DIR, type JournalRecord } from "./journal.ts";
import type { Endpoint } from "./endpoints.ts";
import { osReason } from "../runtime.ts";
import { VERSION } from "../version.ts";
import { loadDaemonConfig } from "./load.ts";
import type { Cancel, ServePlatform } from "./platform.ts";
import {
  daemonOptions,
  DEFAULT_BUFFER_KIB,
  EXIT_FAILURE,
  loggingOptions,
  type ServeSettings,
} from "./settings.ts";

/** How often the interfaces' addresses are re-read. */
const ADDRESS_POLL_MS = 3000;
/** How often the capture counters are read (kernel drops) and V8's helpers reconsidered. */
const STATS_POLL_MS = 1000;
/** Bound on running pending stop commands at shutdown. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * Captures live until SIGTERM/SIGINT (or a capture error).
 *
 * @param settings The command line.
 * @param ready The config, loaded and checked, with what the daemon needs of its files.
 * @param platform The runtime.
 * @param onStarted Called once capture is active (daemon mode writes the pidfile there); it may return a
 *   warning to log.
 * @returns The exit status.
 */
export async function runLive(
  settings: ServeSettings,
  ready: DaemonConfig,
  platform: ServePlatform,
  onStarted?: () => string | undefined,
): Promise<number> {
  const { io } = platform;
  const config = ready.config;
  const choice = captureInterfaces(settings.interfaces, config.options.interface?.value);
  if (!choice.ok) {
    io.stderr(`knocktool: ${choice.error}\n`);
    return EXIT_FAILURE;
  }
  const logOptions = loggingOptions(settings, config, io);
  const log = platform.openLog(logOptions);
  const debug = (message: string) => log.debug(message, { event: "debug" }, platform.now());
  for (const warning of choice.warnings) log.warning(warning, { event: "interfaces" }, platform.now());
  const captures: LiveCapture[] = [];
  const fail = (message: string): number => {
    io.stderr(`knocktool: ${message}\n`);
    for (const c of captures) c.close();
    log.close();
    return EXIT_FAILURE;
  };
  for (const name of choice.names) {
    if (!platform.interfaceExists(name)) return fail(`no such interface: ${name}`);
    try {
      captures.push(platform.openLiveCapture(name, {
        bufferBytes: (settings.bufferSize ?? DEFAULT_BUFFER_KIB) * 1024,
        wake: settings.tuning.wake,
        debug: (message) => log.debug(message, { event: "wake" }, platform.now()),
      }));
    } catch (error) {
      return fail(error instanceof CaptureOpenError ? error.message : errorMessage(error));
    }
  }
  // Pending stop commands are journaled (not in dry runs: nothing runs there).
  const opened = settings.dryRun
    ? undefined
    : platform.openJournal(settings.stateDir ?? DEFAULT_STATE_DIR, settings.configPath, log);
  if (opened !== undefined && !opened.ok) return fail(opened.error);
  const journal = opened?.journal;
  const records = new Map<number, JournalRecord>();
  opened?.entries.forEach((record, i) => records.set(i + 1, record));

  const daemon = new ServeDaemon(daemonOptions(settings, true));
  const launcher = platform.launcher({
    standby: settings.tuning.standby && !settings.dryRun,
    pinShell: settings.tuning["pin-shell"],
    directSpawn: settings.tuning["direct-spawn"],
  });
  const interpreter = new EffectInterpreter({
    daemon,
    platform,
    log,
    logOptions,
    launcher,
    journal,
    journalRecords: records,
    captures,
    clock: () => platform.now(),
    autoFlush: true,
    onInput: () => ticker.schedule(),
  });
  const ticker = new Ticker(daemon, platform, (now) => interpreter.feed((d) => d.tick(now)));
  const endpoints: Endpoint[] = [];
  if (settings.metrics !== undefined) {
    try {
      endpoints.push(
        platform.serveHttp(settings.metrics.hostname, settings.metrics.port, (path) =>
          path === "/metrics"
            ? {
              status: 200,
              type: PROMETHEUS_CONTENT_TYPE,
              body: renderPrometheus(daemon.metrics(), VERSION),
            }
            : { status: 404, type: "text/plain", body: "not found: the metrics are at /metrics\n" }),
      );
    } catch (error) {
      return fail(
        `--metrics: cannot listen on ${settings.metrics.hostname}:${settings.metrics.port}: ${
          osReason(error)
        }`,
      );
    }
    log.info(`metrics on http://${endpoints[0]!.address}/metrics`, { event: "metrics" }, platform.now());
  }
  if (journal !== undefined) {
    const path = controlSocketPath(settings.stateDir ?? DEFAULT_STATE_DIR, settings.configPath);
    try {
      endpoints.push(
        platform.listenControl(
          path,
          (request) =>
            request.trim() === STATUS_REQUEST.trim()
              ? encodeStatus(daemon.status(), platform.pid)
              : "unknown request\n",
        ),
      );
    } catch (error) {
      log.warning(`no control socket ${path}: ${osReason(error)} (knocktool status reads the journal)`, {
        event: "control",
      }, platform.now());
    }
  }

  const helpers = settings.tuning["idle-helpers"] ? platform.idleHelpers(debug) : undefined;
  let stop: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => stop = resolve);
  const reload = () => {
    const loaded = loadConfig(settings.configPath, io);
    const ready = loaded.ok ? loadDaemonConfig(loaded.config, settings, platform) : loaded;
    const result = ready.ok ? { ok: true as const, ...ready.config } : ready;
    interpreter.feed((d) => d.reload(settings.configPath, result, platform.now()));
    if (ready.ok && runsCommands(ready.config)) launcher.warm();
  };
  const cancels: Cancel[] = [
    platform.onSignal("SIGTERM", () => stop(0)),
    platform.onSignal("SIGINT", () => stop(0)),
    platform.onSignal("SIGHUP", reload),
    platform.every(ADDRESS_POLL_MS, () => {
      captures.forEach((c, i) => {
        const addresses = platform.interfaceAddresses(c.name, settings.onlyIPv4);
        interpreter.feed((d) => d.addresses(i, addresses, platform.now()));
      });
    }),
    platform.every(STATS_POLL_MS, () => {
      captures.forEach((c, i) => {
        const counters = c.counters();
        if (counters !== undefined) interpreter.feed((d) => d.captureStats(i, counters, platform.now()));
      });
      helpers?.second();
    }),
  ];

  interpreter.feed((d) =>
    d.start({
      ...ready,
      captures: captures.map((c) => ({
        name: c.name,
        linktype: c.linktype,
        addresses: platform.interfaceAddresses(c.name, settings.onlyIPv4),
      })),
      journal: [...records].map(([id, r]) => ({
        id,
        door: r.door,
        src: r.src,
        command: r.command,
        dueMs: r.dueMs,
      })),
    }, platform.now())
  );
  const abort = new AbortController();
  const loops = captures.map((c, i) =>
    c.loop((timeMs, bytes) => {
      helpers?.frame();
      const effects = daemon.frame(i, bytes, timeMs);
      if (effects.length > 0) interpreter.applyFromCapture(effects);
      ticker.schedule();
    }, abort.signal).catch((error) => {
      log.error(
        `pcap: ${c.name}: ${errorMessage(error)}`,
        { event: "capture-error", iface: c.name },
        platform.now(),
      );
      stop(EXIT_FAILURE);
    })
  );
  // A config whose doors only add to nftables sets starts no shell at all.
  if (runsCommands(ready)) launcher.warm();
  const warning = onStarted?.();
  if (warning !== undefined) log.warning(warning, { event: "warning" }, platform.now());

  const code = await stopped;
  abort.abort();
  await Promise.allSettled(loops);
  for (const cancel of cancels) cancel();
  ticker.stop(); // shutdown runs the stops itself
  captures.forEach((c, i) => {
    const counters = c.counters();
    if (counters === undefined) return;
    interpreter.feed((d) => d.captureStats(i, counters, platform.now()));
    interpreter.feed((d) => d.captureTotals(i, counters, platform.now()));
  });
  interpreter.feed((d) => d.shutdown(platform.now()));
  await bounded(platform, SHUTDOWN_TIMEOUT_MS, untilIdle(daemon, interpreter));
  await bounded(platform, SHUTDOWN_TIMEOUT_MS, launcher.close());
  if (journal !== undefined) await bounded(platform, SHUTDOWN_TIMEOUT_MS, journal.close());
  for (const e of endpoints) await bounded(platform, SHUTDOWN_TIMEOUT_MS, e.close());
  interpreter.feed((d) => d.stopped(platform.now()));
  for (const c of captures) c.close();
  log.close();
  return code;
}

/** Whether a config can run a command: a door with a start or stop command, or a datagram door. */
function runsCommands(ready: DaemonConfig): boolean {
  if ((ready.datagramDoors?.length ?? 0) > 0) return true;
  return ready.config.doors.some((d) =>
    [d.startCommand, d.startCommand6, d.stopCommand, d.stopCommand6].some((c) =>
      (c?.value.trim() ?? "") !== ""
    )
  );
}

/** Waits for `promise` at most `ms`. */
async function bounded(platform: ServePlatform, ms: number, promise: Promise<unknown>): Promise<void> {
  let cancel: Cancel | undefined;
  const deadline = new Promise<void>((resolve) => cancel = platform.after(ms, resolve));
  try {
    await Promise.race([promise, deadline]);
  } finally {
    cancel?.();
  }
}
