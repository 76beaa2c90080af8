/**
 * Every runtime call `serve` makes, behind one injected object (as `knock` and `craft` get their `net`): the
 * clock and timers, signals, files, interfaces, captures, the command launcher, the stop-command journal,
 * the log sinks, host name lookups and V8's helper threads. The daemon core (core/serve/) makes none, the
 * effect interpreter (./interpreter.ts, ./live.ts, ./replay.ts) makes them all through this.
 *
 * @module
 */
import type { FilterAddresses } from "../../core/filter/mod.ts";
import { tryParseIP } from "../../core/packet/mod.ts";
import { reverseName } from "../../ffi/mod.ts";
import { writeFileAtomic } from "../fs.ts";
import { type Nftables, processNftables } from "../nftables.ts";
import { denoIo, type Io } from "../runtime.ts";
import { FileCapture, LiveCapture, type LiveCaptureOptions } from "./capture.ts";
import { type Endpoint, type HttpAnswer, listenControl, serveHttp } from "./endpoints.ts";
import { interfaceAddresses, interfaceExists } from "./interfaces.ts";
import { type JournalOpen, StopJournal } from "./journal.ts";
import { createLauncher, type Launcher, type LauncherOptions } from "./launcher.ts";
import { type LoggingOptions, ServeLog } from "./logging.ts";
import { HelperThreads } from "./tuning.ts";

/** Cancels a timer (no-op once it has fired). */
export type Cancel = () => void;

/** The signals serve handles. */
export type ServeSignal = "SIGTERM" | "SIGINT" | "SIGHUP";

/** serve's runtime. */
export interface ServePlatform {
  /** Standard streams, files, environment (as every subcommand gets them). */
  readonly io: Io;
  /** The wall clock, ms since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` (an `unref` timer does not keep the process alive). */
  after(ms: number, fn: () => void, options?: { readonly unref?: boolean }): Cancel;
  /** Calls `fn` every `ms`. */
  every(ms: number, fn: () => void): Cancel;
  /** Calls `fn` once the current task is done (a microtask). */
  defer(fn: () => void): void;
  /** Calls `fn` on each `signal`; returns what removes the listener. */
  onSignal(signal: ServeSignal, fn: () => void): Cancel;
  /** Reads a text file (throws the runtime's error). */
  readText(path: string): string;
  /** Replaces a file atomically (throws the runtime's error; the file is then unchanged). */
  writeFileAtomic(path: string, text: string): void;
  /** Removes a file, if it exists. */
  removeFile(path: string): void;
  /** An interface's addresses (`any`: every interface's). */
  interfaceAddresses(name: string, onlyIPv4: boolean): FilterAddresses;
  /** Whether an interface exists. */
  interfaceExists(name: string): boolean;
  /** Opens a live capture (throws a `CaptureOpenError`). */
  openLiveCapture(name: string, options: LiveCaptureOptions): LiveCapture;
  /** Opens a capture file (throws a `CaptureOpenError`). */
  openFileCapture(path: string): FileCapture;
  /** Opens the stop-command journal of a config. */
  openJournal(stateDir: string, configPath: string, log: ServeLog): JournalOpen;
  /** Configures the log sinks. */
  openLog(options: LoggingOptions): ServeLog;
  /** The door command launcher. */
  launcher(options: LauncherOptions): Launcher;
  /** A reverse DNS lookup (`-l`), `undefined` when the address has no name; never rejects. */
  reverseLookup(address: string): Promise<string | undefined>;
  /** Idles V8's helper threads while capture is quiet (`undefined` when they could not be switched back). */
  idleHelpers(debug: (message: string) => void): HelperThreads | undefined;
  /** Serves GET requests over HTTP (`--metrics`); throws when it cannot listen. */
  serveHttp(hostname: string, port: number, answer: (path: string) => HttpAnswer): Endpoint;
  /** Listens on the control socket (`knocktool status`); throws when it cannot listen. */
  listenControl(path: string, answer: (request: string) => string): Endpoint;
  /** This process's id. */
  readonly pid: number;
  /** The process's libnftables context, opened on first use (throws when libnftables is missing). */
  nftables(): Nftables;
}

/** How long a reverse lookup may take before it counts as "no name". */
const LOOKUP_TIMEOUT_MS = 2000;
/** Most reverse lookups in the resolver at once (a lookup past its timeout may still hold a pool thread). */
const MAX_LOOKUPS_IN_FLIGHT = 16;
let lookupsInFlight = 0;

/**
 * The host name of `address` through libc's resolver (the hosts file, DNS: as knockd's `gethostbyaddr`),
 * on a pool thread, bounded in time and in number.
 */
async function reverseLookup(address: string): Promise<string | undefined> {
  const parsed = tryParseIP(address);
  if (parsed === undefined || lookupsInFlight >= MAX_LOOKUPS_IN_FLIGHT) return undefined;
  lookupsInFlight++;
  const lookup = reverseName(parsed.bytes).catch(() => undefined).finally(() => lookupsInFlight--);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS)
  );
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The real runtime. */
export function denoServePlatform(io: Io = denoIo()): ServePlatform {
  return {
    io,
    now: () => Date.now(),
    after(ms, fn, options) {
      const id = setTimeout(fn, Math.max(0, ms));
      if (options?.unref === true) Deno.unrefTimer(id);
      return () => clearTimeout(id);
    },
    every(ms, fn) {
      const id = setInterval(fn, ms);
      return () => clearInterval(id);
    },
    defer: (fn) => queueMicrotask(fn),
    onSignal(signal, fn) {
      Deno.addSignalListener(signal, fn);
      return () => Deno.removeSignalListener(signal, fn);
    },
    readText: (path) => Deno.readTextFileSync(path),
    writeFileAtomic: (path, text) => writeFileAtomic(path, text),
    removeFile(path) {
      try {
        Deno.removeSync(path);
      } catch {
        // already gone
      }
    },
    interfaceAddresses,
    interfaceExists,
    openLiveCapture: (name, options) => LiveCapture.open(name, options),
    openFileCapture: (path) => FileCapture.open(path),
    openJournal: (stateDir, configPath, log) => StopJournal.open(stateDir, configPath, log),
    openLog: (options) => ServeLog.configure(options),
    launcher: (options) => createLauncher(options),
    reverseLookup,
    idleHelpers: (debug) => HelperThreads.start(debug),
    serveHttp,
    listenControl,
    pid: Deno.pid,
    nftables: processNftables,
  };
}
