/**
 * The serve daemon as a pure state machine: the knockd-compatible daemon's whole logic with every input a
 * method call and every output an {@linkcode Effect} value. The packet path is one straight line:
 *
 * ```text
 * capture (ffi/) ──frame bytes──▶ decodeFrame (core/decode) ──Knock──▶ KnockEngine.observe (core/engine)
 *   ──events──▶ ServeDaemon: log lines, openings ──▶ CommandScheduler, DoorSet ──▶ Effect[] ──▶ cli/serve
 * ```
 *
 * Inputs: frames with their capture time ({@linkcode ServeDaemon.frame}), the passing of time
 * ({@linkcode ServeDaemon.tick}), interface addresses, capture counters, reloads, one-time-sequence file
 * rewrites, command exits and overruns, journal durability, resolved host names, shutdown and the end of a
 * replayed capture. Outputs: log entries, capture filters, commands, journal changes, one-time-sequence
 * rewrites, log sink changes, host name lookups; and {@linkcode ServeDaemon.nextDeadline}, when to call
 * `tick` next. A live daemon and a `--read` replay are the same daemon: live, times are the wall clock;
 * in a replay, capture time (the interpreter then waits for each command before the next packet, so a
 * command takes no capture time).
 *
 * @module
 */
import type { Config } from "../config/types.ts";
import { decodeFrame, type PayloadSlot } from "../decode/mod.ts";
import { createEngine, type EngineEvent, type KnockEngine } from "../engine/mod.ts";
import type { FilterAddresses } from "../filter/mod.ts";
import { type CaptureCounters, CaptureSet } from "./captures.ts";
import type { DatagramOpen } from "./datagram.ts";
import { type DatagramActions, DatagramDoors } from "./datagram_doors.ts";
import type { DaemonConfig, DaemonOptions, DaemonStart, ReloadResult } from "./daemon_types.ts";
import type { Knock } from "../knock.ts";
import { DoorSet, type OtpRewrite } from "./door_set.ts";
import { type CommandOutcome, type Effect, NO_EFFECTS } from "./effects.ts";
import { captureInterfaces } from "./interfaces.ts";
import { type LogTargets, logTargets } from "./log_targets.ts";
import { eventMessage, type LogEntry, type LogFields } from "./messages.ts";
import { DoorStats, type MetricsSnapshot } from "./metrics.ts";
import type { StatusSnapshot } from "./status.ts";
import { EvictionReport } from "./evictions.ts";
import { HostNames } from "./host_names.ts";
import { openDoorNft, openNft } from "./nft.ts";
import { CommandScheduler } from "./scheduler.ts";

/** The serve daemon's state machine. */
export class ServeDaemon {
  readonly #options: DaemonOptions;
  #config: Config | undefined;
  #targets: LogTargets;
  readonly #doors = new DoorSet();
  readonly #scheduler: CommandScheduler;
  #engine: KnockEngine | undefined;
  #captures = new CaptureSet([]);
  readonly #evictions = new EvictionReport();
  readonly #names: HostNames | undefined;
  readonly #datagrams = new DatagramDoors();
  readonly #stats = new DoorStats();
  /** Where the frame being decoded has its payload (one object for every frame). */
  readonly #slot: PayloadSlot = { offset: 0, length: 0, captured: 0 };
  readonly #datagramActions: DatagramActions = {
    isLocal: (dst) => this.#captures.isLocal(dst),
    log: (entry, timeMs) => this.#log(entry, timeMs),
    open: (opening, now) => this.#openDatagram(opening, now),
  };
  /** Effects of the input being handled (allocated only when there is one). */
  #out: Effect[] | undefined;

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#targets = logTargets(options, undefined);
    this.#scheduler = new CommandScheduler({
      maxCommands: options.maxCommands,
      commandTimeoutMs: options.commandTimeoutMs,
      dryRun: options.dryRun,
      journal: options.journal,
    });
    this.#names = options.lookup === true ? new HostNames() : undefined;
  }

  /** Whether no command runs, waits or is pending (after `shutdown` or `endOfCapture`: the daemon is done). */
  get idle(): boolean {
    return this.#scheduler.idle;
  }

  /** Stop commands not yet run. */
  get pendingStops(): number {
    return this.#scheduler.pending;
  }

  /** When {@linkcode tick} is due next (`Infinity`: nothing is waiting for time to pass). */
  nextDeadline(): number {
    const next = Math.min(this.#engine?.nextDeadline() ?? Infinity, this.#scheduler.nextDeadline);
    return Math.min(next, this.#evictions.nextDeadline, this.#datagrams.nextDeadline, this.#doors.due);
  }

  /**
   * Starts the daemon: loads the doors, installs the filters, logs `starting up` (live) and takes over the
   * journal's stops.
   */
  start(input: DaemonStart, now: number): readonly Effect[] {
    this.#captures = new CaptureSet(input.captures);
    this.#setConfig(input, now);
    if (this.#targets.debug) {
      for (const a of this.#captures.localAddresses) this.#debug(`local IP: ${a}`, now);
    }
    if (this.#options.announce) {
      this.#log({
        level: "info",
        message: `starting up, listening on ${this.#captures.names.join(",")}`,
        fields: { event: "start" },
      }, now);
    }
    if (input.journal !== undefined && input.journal.length > 0) {
      this.#scheduler.resume(input.journal, now, this.#effects());
    }
    return this.#take();
  }

  /**
   * A captured frame.
   *
   * @param capture Index of the capture it came from.
   * @param bytes The frame (only read during the call).
   * @param timeMs Its capture time.
   */
  frame(capture: number, bytes: Uint8Array, timeMs: number): readonly Effect[] {
    if (timeMs >= this.#scheduler.nextDeadline) this.#scheduler.tick(timeMs, this.#effects());
    const c = this.#captures.get(capture);
    if (c === undefined) return this.#take();
    const result = decodeFrame(c.linktype, bytes, timeMs, this.#slot);
    if (!result.ok) {
      if (this.#targets.debug) this.#debug(`ignored frame: ${result.reason}`, timeMs, "frame");
      return this.#take();
    }
    this.#knock(result.knock, bytes, timeMs);
    return this.#take();
  }

  /** A decoded packet (what {@linkcode frame} does after decoding). */
  knock(knock: Knock, now: number): readonly Effect[] {
    if (now >= this.#scheduler.nextDeadline) this.#scheduler.tick(now, this.#effects());
    this.#knock(knock, undefined, now);
    return this.#take();
  }

  #knock(knock: Knock, frame: Uint8Array | undefined, now: number): void {
    if (knock.family === 6 && this.#options.onlyIPv4) return;
    if (this.#doors.rotates(now)) this.#applyDoors(now);
    if (frame !== undefined && this.#datagrams.wants(knock)) {
      const { offset, length, captured } = this.#slot;
      // A payload cut by the capture cannot authenticate: the door gets only whole datagrams.
      if (captured === length) {
        this.#datagrams.handle(knock, frame.subarray(offset, offset + length), now, this.#datagramActions);
      }
    }
    if (this.#targets.debug) {
      const size = frame === undefined ? "" : ` ${frame.length} bytes`;
      this.#debug(
        `${knock.protocol}: ${knock.src}:${knock.sport} -> ${knock.dst}:${knock.dport}${size}`,
        now,
        "packet",
      );
    }
    const events = this.#engine!.observe(knock, now);
    if (events.length > 0) this.#handle(events, now);
  }

  /** Time passed: due stop commands run, attempts time out, evictions are reported. */
  tick(now: number): readonly Effect[] {
    if (this.#doors.rotates(now)) this.#applyDoors(now);
    this.#scheduler.tick(now, this.#effects());
    if (this.#engine !== undefined) this.#handle(this.#engine.tick(now), now);
    this.#logEvictions(now, false);
    this.#datagrams.report(now, false, (e, t) => this.#log(e, t));
    return this.#take();
  }

  /** A capture's addresses as read now; a change is logged and rebuilds the filters. */
  addresses(capture: number, addresses: FilterAddresses, now: number): readonly Effect[] {
    const entry = this.#captures.addressesChanged(capture, addresses);
    if (entry === undefined) return NO_EFFECTS;
    this.#log(entry, now);
    this.#rebuildFilters(now);
    return this.#take();
  }

  /** A capture's counters (about once a second, and at shutdown): new kernel drops are a warning. */
  captureStats(capture: number, stats: CaptureCounters, now: number): readonly Effect[] {
    const entry = this.#captures.counted(capture, stats.received, stats.dropped);
    if (entry !== undefined) this.#log(entry, now);
    return this.#take();
  }

  /** A capture's totals at shutdown. */
  captureTotals(capture: number, stats: CaptureCounters, now: number): readonly Effect[] {
    const entry = this.#captures.totals(capture, stats.received, stats.dropped);
    if (entry !== undefined) this.#log(entry, now);
    return this.#take();
  }

  /** The counters behind `serve --metrics`. */
  metrics(): MetricsSnapshot {
    const engine = this.#engine?.stats();
    return {
      doors: this.#stats.doors,
      commands: this.#scheduler.stats.doors,
      datagrams: this.#datagrams.counts,
      captures: this.#captures.counters,
      attempts: engine?.attempts ?? 0,
      maxAttempts: engine?.maxAttempts ?? 0,
      evictions: engine?.evicted ?? 0,
      packets: engine?.packets ?? 0,
      running: this.#scheduler.running,
      queued: this.#scheduler.queued,
      pendingStops: this.#scheduler.pending,
    };
  }

  /** What `knocktool status` shows: the doors open now (stop commands not yet run) and when each closes. */
  status(): StatusSnapshot {
    return { open: this.#scheduler.openDoors(), attempts: this.#engine?.stats().attempts ?? 0 };
  }

  /** Installing capture `capture`'s filter failed: logged, and tried again at the next rebuild. */
  filterFailed(capture: number, reason: string, now: number): readonly Effect[] {
    this.#captures.filterFailed(capture);
    this.#log({ level: "error", message: `pcap_compile: ${reason}`, fields: { event: "filter-error" } }, now);
    return this.#take();
  }

  /** SIGHUP: the config as re-read (or why it was refused: then the old one keeps running). */
  reload(path: string, result: ReloadResult, now: number): readonly Effect[] {
    this.#log(
      { level: "info", message: `re-reading config file: ${path}`, fields: { event: "reload" } },
      now,
    );
    if (!result.ok) {
      for (const line of result.lines) {
        this.#log({ level: "error", message: line, fields: { event: "reload-error" } }, now);
      }
      this.#log({
        level: "error",
        message: `could not reload ${path}: keeping the old configuration`,
        fields: { event: "reload-error" },
      }, now);
      return this.#take();
    }
    const before = this.#interfaceNames(this.#config);
    this.#setConfig(result, now);
    this.#effects().push({
      type: "log-config",
      logFile: this.#targets.logFile,
      syslog: this.#targets.syslog,
    });
    const after = this.#interfaceNames(this.#config);
    if (after !== before) {
      this.#log({
        level: "warning",
        message: `Interface changed to ${after}: restart to capture there (still on ${before})`,
        fields: { event: "reload-warning" },
      }, now);
    }
    return this.#take();
  }

  /** A one-time door's file was rewritten after its opening (or could not be). */
  otpRewritten(door: number, result: OtpRewrite, now: number): readonly Effect[] {
    const entry = this.#doors.rewritten(door, result);
    if (entry === undefined) return NO_EFFECTS;
    this.#log(entry, now);
    this.#applyDoors(now);
    return this.#take();
  }

  /** A command ended. */
  commandExited(id: number, outcome: CommandOutcome, now: number): readonly Effect[] {
    this.#scheduler.exited(id, outcome, now, this.#effects());
    return this.#take();
  }

  /** A command runs past the command timeout; the interpreter is killing it. */
  commandOverdue(id: number, now: number): readonly Effect[] {
    this.#scheduler.overdue(id, now, this.#effects());
    return this.#take();
  }

  /** Stop `id`'s journal entry is durable (or failed to be written, which the interpreter logged). */
  journalDurable(id: number, now: number): readonly Effect[] {
    this.#scheduler.journalDurable(id, now, this.#effects());
    return this.#take();
  }

  /** `-l`: a source's host name, or `undefined` when it has none. */
  resolved(address: string, name: string | undefined, _now: number): readonly Effect[] {
    this.#names?.resolved(address, name);
    return NO_EFFECTS;
  }

  /** SIGTERM/SIGINT: the evictions not yet reported; every pending stop command runs now or after its start. */
  shutdown(now: number): readonly Effect[] {
    this.#logEvictions(now, true);
    this.#datagrams.report(now, true, (e, t) => this.#log(e, t));
    this.#scheduler.shutdown(now, this.#effects());
    return this.#take();
  }

  /** The end of a replayed capture: the evictions not yet reported; every pending stop command runs. */
  endOfCapture(now: number): readonly Effect[] {
    this.#logEvictions(now, true);
    this.#datagrams.report(now, true, (e, t) => this.#log(e, t));
    this.#scheduler.endOfCapture(this.#effects());
    return this.#take();
  }

  /** The very end (live): `shutting down`. */
  stopped(now: number): readonly Effect[] {
    if (this.#options.announce) {
      this.#log({ level: "info", message: "shutting down", fields: { event: "stop" } }, now);
    }
    return this.#take();
  }

  /** The engine's counters (for tests and benchmarks). */
  engineStats(): ReturnType<KnockEngine["stats"]> | undefined {
    return this.#engine?.stats();
  }

  #interfaceNames(config: Config | undefined): string {
    const choice = captureInterfaces(this.#options.interfaces, config?.options.interface?.value);
    return choice.ok ? choice.names.join(",") : "";
  }

  #setConfig(input: DaemonConfig, now: number): void {
    this.#config = input.config;
    this.#targets = logTargets(this.#options, input.config);
    for (const entry of this.#doors.load(input.config, input.otp, input.totp, now)) this.#log(entry, now);
    this.#stats.seed(input.config.doors.map((d) => d.name));
    this.#datagrams.set(input.datagramDoors ?? []);
    this.#applyDoors(now);
  }

  /** A datagram door opens: its replay state first, its lines, then its commands. */
  #openDatagram(opening: DatagramOpen, now: number): void {
    if (opening.persist !== undefined) this.#effects().push({ type: "state", ...opening.persist });
    for (const entry of opening.log) this.#log(entry, now);
    this.#stats.opened(opening.door);
    openNft(opening.nft, opening, now, this.#options.dryRun, this.#effects());
    this.#scheduler.openCommands(opening.door, opening.address, opening.commands, now, this.#effects());
  }

  /** Gives the engine and the filters the enabled doors. */
  #applyDoors(now: number): void {
    const active = this.#doors.active();
    if (this.#engine === undefined) {
      const maxAttempts = this.#options.maxAttempts;
      this.#engine = createEngine(active, {
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        isLocal: (dst) => this.#captures.isLocal(dst),
      });
    } else {
      const events = this.#engine.replaceDoors(active);
      if (events.length > 0) this.#handle(events, now);
    }
    this.#rebuildFilters(now, active);
  }

  #rebuildFilters(now: number, active = this.#doors.active()): void {
    const doors = [...active, ...this.#datagrams.filterDoors];
    for (const change of this.#captures.filters(doors, this.#options.onlyIPv4)) {
      this.#effects().push({ type: "filter", capture: change.capture, expression: change.expression });
      if (!this.#targets.debug) continue;
      this.#debug(`pcap filter on ${change.name} (${change.form}): ${change.expression}`, now);
      for (const d of change.doors) {
        this.#debug(
          d.expression === undefined
            ? `no pcap expression for door '${d.name}' on ${change.name}: ${d.skipped ?? ""}`
            : `adding pcap expression for door '${d.name}' on ${change.name}: ${d.expression}`,
          now,
        );
      }
    }
  }

  /** Engine events: log lines, openings, evictions. */
  #handle(events: readonly EngineEvent[], now: number): void {
    const info = this.#targets.info;
    let rotated = false;
    for (const event of events) {
      this.#stats.event(event);
      if (event.type === "evicted") {
        this.#evictions.add(event.src, event.name);
        continue;
      }
      if (info) {
        const entry = eventMessage(event, this.#names?.nameOf(event.src));
        if (entry !== undefined && (entry.level !== "debug" || this.#targets.debug)) {
          this.#log(entry, event.timeMs);
        }
      }
      if (this.#names !== undefined && event.type === "stage" && event.stage === 1) {
        const address = this.#names.wanted(event.src, now);
        if (address !== undefined) this.#effects().push({ type: "lookup", address });
      }
      if (event.type !== "open") continue;
      const found = this.#doors.byEngineIndex(event.door);
      if (found === undefined) continue;
      const used = this.#doors.opened(found.index, event.door);
      if (used?.before !== undefined) this.#effects().push(used.before);
      openDoorNft(found.door, event.src, event.family, event.timeMs, this.#options.dryRun, this.#effects());
      this.#scheduler.open(found.door, event.src, event.family, event.timeMs, this.#effects());
      if (used?.after !== undefined) this.#effects().push(used.after);
      rotated ||= used !== undefined; // a used sequence is not accepted from the next packet on
    }
    if (rotated) this.#applyDoors(now);
    this.#logEvictions(now, false);
  }

  #logEvictions(now: number, force: boolean): void {
    if (!this.#evictions.pending) return;
    // The engine's stats are an object built per call: only when a report is made.
    const entry = this.#evictions.take(now, () => this.#engine?.stats().maxAttempts ?? 0, force);
    if (entry !== undefined) this.#log(entry, now);
  }

  #debug(message: string, now: number, event = "debug"): void {
    this.#log({ level: "debug", message, fields: { event } as LogFields }, now);
  }

  #log(entry: LogEntry, timeMs: number): void {
    if (entry.level === "debug" ? !this.#targets.debug : entry.level === "info" && !this.#targets.info) {
      return;
    }
    this.#effects().push({ type: "log", entry, timeMs });
  }

  #effects(): Effect[] {
    return this.#out ??= [];
  }

  #take(): readonly Effect[] {
    const out = this.#out;
    if (out === undefined) return NO_EFFECTS;
    this.#out = undefined;
    return out;
  }
}
