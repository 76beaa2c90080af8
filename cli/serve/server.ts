/**
 * The `serve` daemon: wires the config parser, the capture (libpcap through `ffi/`), the frame decoder, the
 * detection engine, door commands, one-time sequences and logging together, for live capture and for
 * `--read` replays.
 *
 * @module
 */
import type { OneTimeSequenceEntry } from "../../core/config/mod.ts";
import type { Config, Door } from "../../core/config/types.ts";
import { decodeFrame, isSupportedLinkType, LinkType } from "../../core/decode/mod.ts";
import { createEngine, type EngineEvent, type KnockEngine } from "../../core/engine/mod.ts";
import { buildFilter, type FilterAddresses } from "../../core/filter/mod.ts";
import {
  captureDropMessage,
  captureTotalsMessage,
  eventMessage,
  evictionMessage,
  HelperLoad,
  type HelperPolicy,
} from "../../core/serve/mod.ts";
import { captureLoop, PacketWake, PcapError, PcapHandle, type PcapStats } from "../../ffi/mod.ts";
import type { Io } from "../runtime.ts";
import { CommandRunner } from "./actions.ts";
import { loadConfig } from "./config.ts";
import { DEFAULT_STATE_DIR, StopJournal } from "./journal.ts";
import { interfaceAddresses, interfaceExists, sameAddresses } from "./interfaces.ts";
import { type LoggingOptions, ServeLog } from "./logging.ts";
import { loadOneTimeSequence, rotateOneTimeSequence, usesOneTimeSequences } from "./otp.ts";
import { canRestoreHelpers, setV8Helpers, v8HelperThreads } from "./threads.ts";

/** What `serve` was asked to do (the parsed command line). */
export interface ServeSettings {
  readonly configPath: string;
  /** `-i` (comma list), overriding `Interface`. */
  readonly interfaces?: string | undefined;
  readonly daemon: boolean;
  readonly debug: boolean;
  readonly verbose: boolean;
  readonly onlyIPv4: boolean;
  readonly pidFile?: string | undefined;
  readonly logFile?: string | undefined;
  readonly read?: string | undefined;
  readonly logFormat: "text" | "json";
  readonly maxAttempts?: number | undefined;
  readonly dryRun: boolean;
  /** Live: the stop-command journal's directory (default {@linkcode DEFAULT_STATE_DIR}). */
  readonly stateDir?: string | undefined;
  /** Seconds before a running command is killed. */
  readonly commandTimeout?: number | undefined;
  /** Most commands running at once (live). */
  readonly maxCommands?: number | undefined;
  /** Capture buffer per interface, KiB (default {@linkcode DEFAULT_BUFFER_KIB}). */
  readonly bufferSize?: number | undefined;
}

/** Exit status when the daemon cannot start (bad config, no interface, no privileges). */
export const EXIT_FAILURE = 1;

/**
 * libpcap options for live capture: small slots so the immediate-mode ring holds many packets; the ring is
 * 16 MiB by default (`--buffer-size`) to ride out GC pauses under a flood (bench/flood.ts: 4 MiB dropped 3.7k
 * of 1M frames at ~100k/s, 16 MiB none at ~81k/s).
 */
const LIVE_OPTIONS = { snaplen: 512, promisc: false, immediate: true } as const;
/** Default capture buffer per interface, KiB (`--buffer-size`). */
export const DEFAULT_BUFFER_KIB = 16 * 1024;
/** How often the interfaces' addresses are re-read. */
const ADDRESS_POLL_MS = 3000;
/** Bound on running pending stop commands at shutdown. */
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Eviction messages are aggregated over this interval. */
const EVICTION_LOG_INTERVAL_MS = 1000;
/** Replay batch (packets per `pcap_dispatch`). */
const REPLAY_BATCH = 8192;

interface Capture {
  readonly name: string;
  readonly handle: PcapHandle;
  readonly linktype: number;
  /** The direct wake-up of the main thread (Ethernet links), if it could be opened. */
  readonly wake: PacketWake | undefined;
  addresses: FilterAddresses;
  filter: string | undefined;
  /** Kernel drops (`ps_drop`) already reported. */
  dropped: number;
}

/** The running daemon. */
export class Server {
  readonly #settings: ServeSettings;
  readonly #io: Io;
  #config: Config;
  #log: ServeLog;
  readonly #runner: CommandRunner;
  /** Config doors with their current sequences (one-time sequences loaded). */
  #doors: Door[] = [];
  #enabled: boolean[] = [];
  #otp = new Map<number, OneTimeSequenceEntry>();
  /** Engine door index → index in `#doors`. */
  #activeIndex: number[] = [];
  #engine: KnockEngine | undefined;
  readonly #captures: Capture[] = [];
  #local = new Set<string>();
  #anyLocal = true;
  #rotations: number[] = [];
  #evicted = 0;
  /** The policy of V8's helper threads follows the frame rate (when they can be restored). */
  #helperLoad: HelperLoad | undefined;
  /** Their thread ids, found once at start (no /proc reads on the frame path). */
  #helperThreads: readonly number[] = [];
  #lastEvicted: { src: string; name: string } | undefined;
  #lastEvictionLog = -Infinity;
  #nextDue = Infinity;
  #replay: boolean;
  #logEvents = true;

  constructor(settings: ServeSettings, io: Io, config: Config) {
    this.#settings = settings;
    this.#io = io;
    this.#config = config;
    this.#replay = settings.read !== undefined;
    this.#log = ServeLog.configure(this.#loggingOptions());
    this.#runner = new CommandRunner(this.#log, {
      clock: this.#replay ? "replay" : "live",
      dryRun: settings.dryRun,
      commandTimeoutMs: settings.commandTimeout === undefined ? undefined : settings.commandTimeout * 1000,
      maxCommands: settings.maxCommands,
      standby: true,
    });
  }

  #loggingOptions(): LoggingOptions {
    const s = this.#settings;
    return {
      verbose: s.verbose || s.debug,
      debug: s.debug,
      format: s.logFormat,
      logFile: s.logFile ?? this.#config.options.logFile?.value,
      syslog: this.#config.options.useSyslog !== undefined,
      stdout: this.#io.stdout,
      stderr: this.#io.stderr,
      bufferStdout: this.#settings.read !== undefined,
    };
  }

  /** The interfaces to capture on: `-i`, else `Interface`, else `eth0`. */
  get interfaceNames(): string[] {
    const text = this.#settings.interfaces ?? this.#config.options.interface?.value ?? "eth0";
    return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }

  /** Loads one-time sequences and (re)builds the engine and the filters for the config's doors. */
  #setDoors(timeMs: number): void {
    this.#doors = [];
    this.#enabled = [];
    this.#otp.clear();
    for (const door of this.#config.doors) {
      const index = this.#doors.length;
      if (usesOneTimeSequences(door)) {
        const loaded = loadOneTimeSequence(door);
        if (loaded.ok) {
          this.#doors.push(loaded.door);
          this.#enabled.push(true);
          this.#otp.set(index, loaded.entry);
        } else {
          this.#doors.push(door);
          this.#enabled.push(false);
          this.#log.warning(loaded.reason, { event: "door-disabled", door: door.name }, timeMs);
        }
      } else {
        this.#doors.push(door);
        this.#enabled.push(door.sequence.length > 0);
      }
    }
    this.#applyDoors(timeMs);
  }

  #applyDoors(timeMs: number): void {
    const active: Door[] = [];
    this.#activeIndex = [];
    this.#doors.forEach((door, i) => {
      if (!this.#enabled[i]) return;
      active.push(door);
      this.#activeIndex.push(i);
    });
    if (this.#engine === undefined) {
      const maxAttempts = this.#settings.maxAttempts;
      this.#engine = createEngine(active, {
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        isLocal: (dst) => this.#anyLocal || this.#local.has(dst),
      });
    } else {
      this.#handle(this.#engine.replaceDoors(active), timeMs);
    }
    this.#rebuildFilters();
  }

  #updateLocal(): void {
    this.#local.clear();
    for (const c of this.#captures) {
      for (const a of c.addresses.v4) this.#local.add(a);
      for (const a of c.addresses.v6) this.#local.add(a);
    }
    this.#anyLocal = this.#local.size === 0;
  }

  #rebuildFilters(): void {
    const active = this.#activeIndex.map((i) => this.#doors[i]!);
    for (const c of this.#captures) {
      const built = buildFilter(active, c.addresses, {
        onlyIPv4: this.#settings.onlyIPv4,
        vlan: c.linktype === 1,
      });
      if (built.expression === c.filter) continue;
      try {
        c.handle.setFilter(built.expression);
        c.filter = built.expression;
        this.#setWakeFilter(c, built.expression);
      } catch (error) {
        this.#log.error(`pcap_compile: ${error instanceof Error ? error.message : String(error)}`, {
          event: "filter-error",
        });
        continue;
      }
      if (this.#settings.debug) {
        for (const d of built.doors) {
          this.#log.debug(
            d.expression === undefined
              ? `no pcap expression for door '${d.name}' on ${c.name}: ${d.skipped ?? ""}`
              : `adding pcap expression for door '${d.name}' on ${c.name}: ${d.expression}`,
          );
        }
      }
    }
  }

  /** Handles engine events: log lines, commands, one-time sequence rotations, eviction counts. */
  #handle(events: readonly EngineEvent[], timeMs: number): void {
    this.#logEvents = this.#log.enabled("info");
    for (const event of events) {
      if (event.type === "evicted") {
        this.#evicted++;
        this.#lastEvicted = { src: event.src, name: event.name };
        continue;
      }
      if (this.#logEvents) {
        const entry = eventMessage(event);
        if (entry !== undefined) this.#log.entry(entry, event.timeMs);
      }
      if (event.type === "open") {
        const index = this.#activeIndex[event.door];
        if (index === undefined) continue;
        this.#runner.open(this.#doors[index]!, event.src, event.family, event.timeMs);
        this.#nextDue = this.#runner.nextDueMs;
        if (this.#otp.has(index)) this.#rotations.push(index);
      }
    }
    if (this.#evicted > 0 && timeMs - this.#lastEvictionLog >= EVICTION_LOG_INTERVAL_MS) {
      this.#logEvictions(timeMs);
    }
  }

  #logEvictions(timeMs: number): void {
    if (this.#evicted === 0 || this.#lastEvicted === undefined) return;
    const max = this.#engine?.stats().maxAttempts ?? 0;
    this.#log.entry(evictionMessage(this.#evicted, max, this.#lastEvicted), timeMs);
    this.#evicted = 0;
    this.#lastEvictionLog = timeMs;
  }

  /** Applies pending one-time-sequence rotations (outside of `pcap_dispatch`). */
  #rotate(timeMs: number): void {
    if (this.#rotations.length === 0) return;
    const indexes = [...new Set(this.#rotations)];
    this.#rotations = [];
    for (const index of indexes) {
      const entry = this.#otp.get(index);
      const door = this.#doors[index];
      if (entry === undefined || door === undefined) continue;
      const next = rotateOneTimeSequence(door, entry);
      if (next.ok) {
        this.#doors[index] = next.door;
        this.#otp.set(index, next.entry);
        this.#log.debug(`${door.name}: next one time sequence from line ${next.entry.line}`, {
          event: "otp-rotated",
          door: door.name,
        }, timeMs);
      } else {
        this.#enabled[index] = false;
        this.#otp.delete(index);
        this.#log.info(next.reason, { event: "door-disabled", door: door.name }, timeMs);
      }
    }
    this.#applyDoors(timeMs);
  }

  /** Gives V8's helper threads `policy`; reported with `-D`. */
  #setHelpers(policy: HelperPolicy): void {
    const result = setV8Helpers(policy, this.#helperThreads);
    if (!this.#settings.debug) return;
    const why = result.error === undefined ? "" : ` (${result.error})`;
    this.#log.debug(`V8 helper threads ${policy}: ${result.threads}${why}`, { event: "threads" });
  }

  #frame(linktype: number, bytes: Uint8Array, tsMs: number): void {
    if (this.#helperLoad?.frame() !== undefined) this.#setHelpers("normal");
    if (tsMs >= this.#nextDue) {
      this.#runner.advance(tsMs);
      this.#nextDue = this.#runner.nextDueMs;
    }
    const result = decodeFrame(linktype, bytes, tsMs);
    if (!result.ok) {
      if (this.#settings.debug) this.#log.debug(`ignored frame: ${result.reason}`, { event: "frame" }, tsMs);
      return;
    }
    const knock = result.knock;
    if (knock.family === 6 && this.#settings.onlyIPv4) return;
    if (this.#settings.debug) {
      this.#log.debug(
        `${knock.protocol}: ${knock.src}:${knock.sport} -> ${knock.dst}:${knock.dport} ${bytes.length} bytes`,
        { event: "packet" },
        tsMs,
      );
    }
    const events = this.#engine!.observe(knock, tsMs);
    if (events.length > 0) {
      this.#handle(events, tsMs);
      if (!this.#replay) this.#scheduleTick();
    }
  }

  // ---- replay -------------------------------------------------------------------------------------------

  /**
   * Replays a capture file through the same filter, decoder and engine; packet timestamps are the clock.
   *
   * @returns The exit status.
   */
  async replay(): Promise<number> {
    const path = this.#settings.read!;
    let handle: PcapHandle;
    try {
      handle = PcapHandle.openOffline(path);
    } catch (error) {
      return this.#fatal(error);
    }
    const linktype = handle.datalink();
    if (!isSupportedLinkType(linktype)) {
      handle.close();
      this.#io.stderr(`knocktool: unsupported link-layer type: ${linktype}\n`);
      this.#log.close();
      return EXIT_FAILURE;
    }
    this.#captures.push({
      name: path,
      handle,
      linktype,
      wake: undefined,
      addresses: { v4: [], v6: [] },
      filter: undefined,
      dropped: 0,
    });
    this.#setDoors(0);
    let last = 0;
    const onFrame = (tsMs: number, _caplen: number, _len: number, bytes: Uint8Array) => {
      last = tsMs;
      this.#frame(linktype, bytes, tsMs);
    };
    try {
      for (;;) {
        // With one-time sequences, each opening changes the doors and the filter before the next packet.
        const batch = this.#otp.size > 0 ? 1 : REPLAY_BATCH;
        if (handle.dispatch(batch, onFrame) === 0) break;
        this.#rotate(last);
      }
    } catch (error) {
      handle.close();
      return this.#fatal(error);
    }
    this.#logEvictions(last);
    // Bounded: a hung command must not hang the replay (it is left running).
    await this.#runner.flush(SHUTDOWN_TIMEOUT_MS);
    handle.close();
    this.#log.close();
    return 0;
  }

  #fatal(error: unknown): number {
    const message = error instanceof Error ? error.message : String(error);
    this.#io.stderr(`knocktool: ${message}\n`);
    this.#log.close();
    return EXIT_FAILURE;
  }

  // ---- live ---------------------------------------------------------------------------------------------

  #tickTimer: ReturnType<typeof setTimeout> | undefined;
  #tickAt = Infinity;

  #scheduleTick(): void {
    const deadline = this.#engine?.nextDeadline();
    if (deadline === undefined || deadline >= this.#tickAt) return;
    if (this.#tickTimer !== undefined) clearTimeout(this.#tickTimer);
    this.#tickAt = deadline;
    this.#tickTimer = setTimeout(() => {
      this.#tickTimer = undefined;
      this.#tickAt = Infinity;
      const now = Date.now();
      this.#handle(this.#engine!.tick(now), now);
      this.#scheduleTick();
    }, Math.max(0, deadline - Date.now()) + 1);
  }

  #pollAddresses(): void {
    let changed = false;
    for (const c of this.#captures) {
      const now = interfaceAddresses(c.name, this.#settings.onlyIPv4);
      if (sameAddresses(now, c.addresses)) continue;
      c.addresses = now;
      changed = true;
      const list = [...now.v4, ...now.v6].join(" ") || "none";
      this.#log.info(`addresses of ${c.name} changed: ${list}`, { event: "addresses", iface: c.name });
    }
    if (changed) {
      this.#updateLocal();
      this.#rebuildFilters();
    }
  }

  /** Opens the capture handles. Errors are printed; returns the exit status on failure. */
  #openLive(): number | undefined {
    for (const name of this.interfaceNames) {
      if (!interfaceExists(name)) {
        this.#io.stderr(`knocktool: no such interface: ${name}\n`);
        return EXIT_FAILURE;
      }
      // Bound before libpcap's socket, so that it sees each packet after libpcap's ring has it.
      let wake = this.#openWake(name);
      let handle: PcapHandle;
      try {
        handle = PcapHandle.openLive(name, {
          ...LIVE_OPTIONS,
          bufferSize: (this.#settings.bufferSize ?? DEFAULT_BUFFER_KIB) * 1024,
        });
      } catch (error) {
        wake?.close();
        if (error instanceof PcapError) {
          switch (error.kind) {
            case "no-such-device":
              this.#io.stderr(`knocktool: no such interface: ${name}\n`);
              return EXIT_FAILURE;
            case "permission-denied":
              this.#io.stderr(`knocktool: cannot capture on ${name}: run as root or grant cap_net_raw\n`);
              return EXIT_FAILURE;
          }
        }
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof Deno.errors.NotCapable) {
          this.#io.stderr(`knocktool: ${message} (run with --allow-ffi or -A)\n`);
        } else {
          this.#io.stderr(`knocktool: could not open ${name}: ${message}\n`);
        }
        return EXIT_FAILURE;
      }
      const linktype = handle.datalink();
      if (!isSupportedLinkType(linktype)) {
        wake?.close();
        handle.close();
        this.#io.stderr(`knocktool: unsupported link-layer type: ${linktype} on ${name}\n`);
        return EXIT_FAILURE;
      }
      if (wake !== undefined && linktype !== LinkType.ETHERNET) {
        // libpcap's filter for other links is rewritten for its cooked socket: not the one to copy.
        wake.close();
        wake = undefined;
        this.#log.debug(`no wake socket on ${name}: link type ${linktype}; capture wakes through poll`, {
          event: "wake",
        });
      }
      this.#captures.push({
        name,
        handle,
        linktype,
        wake,
        addresses: interfaceAddresses(name, this.#settings.onlyIPv4),
        filter: undefined,
        dropped: 0,
      });
    }
    return undefined;
  }

  #closeCaptures(): void {
    for (const c of this.#captures) {
      c.wake?.close();
      c.handle.close();
    }
  }

  /** A wake socket on `name`, or none (reported with `-D`): capture then wakes through `poll` alone. */
  #openWake(name: string): PacketWake | undefined {
    try {
      const wake = PacketWake.open(name);
      this.#log.debug(`wake socket on ${name}`, { event: "wake" });
      return wake;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.debug(`no wake socket on ${name}: ${message}; capture wakes through poll`, { event: "wake" });
      return undefined;
    }
  }

  /** Gives a capture's wake socket the capture's filter; a failure closes it (poll goes on alone). */
  #setWakeFilter(c: Capture, expression: string): void {
    if (c.wake === undefined || c.wake.closed) return;
    try {
      c.wake.setFilter(c.handle.compileProgram(expression));
    } catch (error) {
      c.wake.close();
      const message = error instanceof Error ? error.message : String(error);
      this.#log.debug(`wake socket on ${c.name} closed: ${message}; capture wakes through poll`, {
        event: "wake",
      });
    }
  }

  /** Live: warns about packets the kernel dropped since the last check (a full capture buffer). */
  #logDrops(): void {
    for (const c of this.#captures) {
      const stats = this.#stats(c);
      if (stats === undefined || stats.dropped <= c.dropped) continue;
      this.#log.entry(captureDropMessage(c.name, stats.dropped - c.dropped, stats.dropped), Date.now());
      c.dropped = stats.dropped;
    }
  }

  /** A capture's counters, or `undefined` when libpcap cannot read them (never fatal). */
  #stats(c: Capture): PcapStats | undefined {
    try {
      return c.handle.closed ? undefined : c.handle.stats();
    } catch {
      return undefined;
    }
  }

  /**
   * Captures live until SIGTERM/SIGINT (or a capture error): SIGHUP reloads the config.
   *
   * @param onStarted Called once capture is active (daemon mode writes the pidfile there).
   * @returns The exit status.
   */
  async live(onStarted?: () => void): Promise<number> {
    const failed = this.#openLive();
    if (failed !== undefined) {
      this.#closeCaptures();
      this.#log.close();
      return failed;
    }
    // Pending stop commands are journaled (not in dry runs: nothing runs there).
    const journal = this.#settings.dryRun ? undefined : StopJournal.open(
      this.#settings.stateDir ?? DEFAULT_STATE_DIR,
      this.#settings.configPath,
      this.#log,
    );
    if (journal !== undefined && !journal.ok) {
      this.#io.stderr(`knocktool: ${journal.error}\n`);
      this.#closeCaptures();
      this.#log.close();
      return EXIT_FAILURE;
    }
    if (journal !== undefined) this.#runner.useJournal(journal.journal);
    this.#updateLocal();
    this.#setDoors(Date.now());
    if (this.#settings.debug) {
      for (const a of this.#local) this.#log.debug(`local IP: ${a}`);
    }
    // V8's helpers idle while capture is quiet, if they can be given back their share under load.
    const helperLoad = canRestoreHelpers() ? new HelperLoad() : undefined;
    this.#helperLoad = helperLoad;
    if (helperLoad !== undefined) this.#helperThreads = v8HelperThreads();
    if (helperLoad !== undefined) this.#setHelpers(helperLoad.policy);
    const abort = new AbortController();
    let stopResolve: (code: number) => void = () => {};
    const stopped = new Promise<number>((resolve) => stopResolve = resolve);
    const onTerm = () => stopResolve(0);
    const onHup = () => this.reload();
    Deno.addSignalListener("SIGTERM", onTerm);
    Deno.addSignalListener("SIGINT", onTerm);
    Deno.addSignalListener("SIGHUP", onHup);
    const poll = setInterval(() => this.#pollAddresses(), ADDRESS_POLL_MS);
    const evictionLog = setInterval(() => {
      this.#logEvictions(Date.now());
      this.#logDrops();
      const change = helperLoad?.tick();
      if (change !== undefined) this.#setHelpers(change);
    }, EVICTION_LOG_INTERVAL_MS);
    const loops = this.#captures.map((c) => {
      const linktype = c.linktype;
      const onFrame = (tsMs: number, _caplen: number, _len: number, bytes: Uint8Array) => {
        this.#frame(linktype, bytes, tsMs);
        if (this.#rotations.length > 0) queueMicrotask(() => this.#rotate(Date.now()));
      };
      return captureLoop(c.handle, onFrame, abort.signal, { wake: c.wake }).catch((error) => {
        const message = error instanceof Error ? error.message : String(error);
        this.#log.error(`pcap: ${c.name}: ${message}`, { event: "capture-error", iface: c.name });
        stopResolve(EXIT_FAILURE);
      });
    });
    this.#log.info(`starting up, listening on ${this.interfaceNames.join(",")}`, { event: "start" });
    if (journal !== undefined) this.#runner.resume(journal.entries);
    this.#runner.warm();
    onStarted?.();
    const code = await stopped;
    abort.abort();
    await Promise.allSettled(loops);
    clearInterval(poll);
    clearInterval(evictionLog);
    if (this.#tickTimer !== undefined) clearTimeout(this.#tickTimer);
    Deno.removeSignalListener("SIGTERM", onTerm);
    Deno.removeSignalListener("SIGINT", onTerm);
    Deno.removeSignalListener("SIGHUP", onHup);
    this.#logEvictions(Date.now());
    this.#logDrops();
    for (const c of this.#captures) {
      const stats = this.#stats(c);
      if (stats !== undefined) {
        this.#log.entry(captureTotalsMessage(c.name, stats.received, stats.dropped), Date.now());
      }
    }
    await this.#runner.flush(SHUTDOWN_TIMEOUT_MS);
    this.#log.info("shutting down", { event: "stop" });
    this.#closeCaptures();
    this.#log.close();
    return code;
  }

  /** Logs a warning (for the caller's own failures, e.g. the pidfile). */
  warn(message: string): void {
    this.#log.warning(message, { event: "warning" });
  }

  /** SIGHUP: re-reads the config; a bad config is logged and the old one keeps running. */
  reload(): void {
    const path = this.#settings.configPath;
    this.#log.info(`re-reading config file: ${path}`, { event: "reload" });
    const loaded = loadConfig(path, this.#io);
    if (!loaded.ok) {
      for (const line of loaded.lines) this.#log.error(line, { event: "reload-error" });
      this.#log.error(`could not reload ${path}: keeping the old configuration`, { event: "reload-error" });
      return;
    }
    const oldInterfaces = this.interfaceNames.join(",");
    this.#config = loaded.config;
    this.#log.reconfigure(this.#loggingOptions());
    this.#setDoors(Date.now());
    const newInterfaces = this.interfaceNames.join(",");
    if (newInterfaces !== oldInterfaces) {
      this.#log.warning(
        `Interface changed to ${newInterfaces}: restart to capture there (still on ${oldInterfaces})`,
        {
          event: "reload-warning",
        },
      );
    }
  }
}
