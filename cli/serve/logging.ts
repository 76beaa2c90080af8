/**
 * Logging of `serve` through LogTape: one category (`knocktool`, `serve`), configured once per run here,
 * with plain-function sinks for stdout (`-v`/`-D`), stderr (warnings and errors when not verbose), the
 * logfile (knockd's `[YYYY-MM-DD HH:MM] msg` or JSON lines) and syslog (daemon facility, LOG_NOTICE).
 *
 * Every message is emitted as one pre-formatted text (knockd's exact wording) with its structured fields
 * in `properties`, so that no `{...}` in a command line is taken for a LogTape placeholder.
 *
 * @module
 */
import { configureSync, getLogger, type LogLevel, type LogRecord, resetSync } from "@logtape/logtape";
import { formatJsonLine, formatLogfileLine, type LogEntry, type LogFields } from "../../core/serve/mod.ts";
import { LOG_DAEMON, LOG_ERR, LOG_NOTICE, LOG_WARNING, openSyslog, writeSyslog } from "../../ffi/syslog.ts";
import { closeSyslog } from "../../ffi/syslog.ts";
import { osReason } from "../runtime.ts";

/** Where and how `serve` logs. */
export interface LoggingOptions {
  /** `-v`/`-D`: every message also on stdout (without timestamp), or as JSON lines. */
  readonly verbose: boolean;
  /** `-D`: debug messages too. */
  readonly debug: boolean;
  readonly format: "text" | "json";
  /** Logfile path (`-g` or `LogFile`). */
  readonly logFile?: string | undefined;
  /** `UseSyslog`. */
  readonly syslog: boolean;
  /** Writes to the process's stdout / stderr (injected, for in-process tests). */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Collect stdout lines and write them in 64 KiB chunks (replays); flushed by `flush()`/`close()`. */
  readonly bufferStdout?: boolean;
}

const STDOUT_CHUNK = 64 * 1024;

const CATEGORY = ["knocktool", "serve"] as const;
const TEXT_KEY = "text";

function localTime(ms: number) {
  const d = new Date(ms);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
  };
}

function textOf(record: LogRecord): string {
  const text = record.properties[TEXT_KEY];
  return typeof text === "string" ? text : record.message.map(String).join("");
}

function fieldsOf(record: LogRecord): LogFields {
  const { [TEXT_KEY]: _text, ...fields } = record.properties;
  return { event: "log", ...fields } as LogFields;
}

/** A logfile opened for appending; reopened on reload (logrotate-friendly). */
class LogFileSink {
  #file: Deno.FsFile | undefined;
  readonly path: string;
  readonly #format: "text" | "json";
  readonly #encoder = new TextEncoder();
  /** The reason the file could not be opened, if it could not. */
  readonly error: string | undefined;

  constructor(path: string, format: "text" | "json") {
    this.path = path;
    this.#format = format;
    try {
      this.#file = Deno.openSync(path, { append: true, create: true });
    } catch (error) {
      this.error = osReason(error);
    }
  }

  write(record: LogRecord): void {
    if (this.#file === undefined) return;
    const text = textOf(record);
    const line = this.#format === "json"
      ? formatJsonLine(record.timestamp, record.level, text, fieldsOf(record))
      : formatLogfileLine(localTime(record.timestamp), text);
    try {
      this.#file.writeSync(this.#encoder.encode(line));
    } catch {
      // A full disk must not stop the daemon.
    }
  }

  close(): void {
    try {
      this.#file?.close();
    } catch {
      // already closed
    }
    this.#file = undefined;
  }
}

const SYSLOG_PRIORITY: Partial<Record<LogLevel, number>> = {
  error: LOG_ERR,
  fatal: LOG_ERR,
  warning: LOG_WARNING,
};

/** The configured logging of one `serve` run. */
export class ServeLog {
  #logFile: LogFileSink | undefined;
  #syslog = false;
  /** Whether an info message reaches any sink (stdout, logfile or syslog); stderr only takes warnings. */
  #infoEnabled = false;
  #pending = "";
  #stdout: (text: string) => void = () => {};
  #debugEnabled = false;
  readonly #logger = getLogger([...CATEGORY]);

  /**
   * Configures LogTape (replacing any earlier configuration).
   *
   * @param options Sinks to use.
   * @returns The logger, and the logfile's open error if any.
   */
  static configure(options: LoggingOptions): ServeLog {
    const log = new ServeLog();
    log.#apply(options);
    return log;
  }

  #apply(options: LoggingOptions): void {
    this.#logFile?.close();
    this.#logFile = options.logFile === undefined
      ? undefined
      : new LogFileSink(options.logFile, options.format);
    if (options.syslog && !this.#syslog) openSyslog("knocktool", LOG_DAEMON);
    this.#syslog ||= options.syslog;
    const logFile = this.#logFile;
    const json = options.format === "json";
    this.flush();
    this.#stdout = options.stdout;
    const buffered = options.bufferStdout === true;
    const sinks = {
      stdout: (record: LogRecord) => {
        const text = textOf(record);
        const line = json
          ? formatJsonLine(record.timestamp, record.level, text, fieldsOf(record))
          : `${text}\n`;
        if (!buffered) return options.stdout(line);
        this.#pending += line;
        if (this.#pending.length >= STDOUT_CHUNK) this.flush();
      },
      stderr: (record: LogRecord) => {
        if (record.level === "warning" || record.level === "error" || record.level === "fatal") {
          options.stderr(`knocktool: ${textOf(record)}\n`);
        }
      },
      logfile: (record: LogRecord) => logFile?.write(record),
      syslog: (record: LogRecord) => {
        if (this.#syslog) writeSyslog(SYSLOG_PRIORITY[record.level] ?? LOG_NOTICE, textOf(record));
      },
    };
    this.#infoEnabled = options.verbose || logFile !== undefined || this.#syslog;
    this.#debugEnabled = options.debug && this.#infoEnabled;
    const use: ("stdout" | "stderr" | "logfile" | "syslog")[] = [options.verbose ? "stdout" : "stderr"];
    if (logFile !== undefined) use.push("logfile");
    if (this.#syslog) use.push("syslog");
    configureSync({
      reset: true,
      sinks,
      loggers: [
        { category: [...CATEGORY], lowestLevel: options.debug ? "debug" : "info", sinks: use },
        { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["stderr"] },
      ],
    });
    if (this.#logFile?.error !== undefined) {
      this.warning(`warning: cannot open logfile ${this.#logFile.path}: ${this.#logFile.error}`, {
        event: "logfile-error",
      });
    }
  }

  /** Reopens the logfile (after a reload), with possibly new settings. */
  reconfigure(options: LoggingOptions): void {
    this.#apply(options);
  }

  /**
   * Whether a message of this level reaches any sink; callers skip building messages that would not (a
   * replay without `-v` then logs nothing per packet).
   */
  enabled(level: "debug" | "info" | "warning" | "error"): boolean {
    return level === "debug" ? this.#debugEnabled : level === "info" ? this.#infoEnabled : true;
  }

  /** Logs an entry made by `core/serve` at the given time (engine time, so replays are deterministic). */
  entry(entry: LogEntry, timeMs: number = Date.now()): void {
    this.#emit(entry.level, entry.message, entry.fields, timeMs);
  }

  info(message: string, fields: LogFields = { event: "log" }, timeMs: number = Date.now()): void {
    this.#emit("info", message, fields, timeMs);
  }

  debug(message: string, fields: LogFields = { event: "debug" }, timeMs: number = Date.now()): void {
    this.#emit("debug", message, fields, timeMs);
  }

  warning(message: string, fields: LogFields = { event: "warning" }, timeMs: number = Date.now()): void {
    this.#emit("warning", message, fields, timeMs);
  }

  error(message: string, fields: LogFields = { event: "error" }, timeMs: number = Date.now()): void {
    this.#emit("error", message, fields, timeMs);
  }

  #emit(level: LogLevel, text: string, fields: LogFields, timeMs: number): void {
    if ((level === "info" && !this.#infoEnabled) || (level === "debug" && !this.#debugEnabled)) return;
    this.#logger.emit({
      level,
      message: [text],
      rawMessage: text,
      timestamp: timeMs,
      properties: { [TEXT_KEY]: text, ...fields },
    });
  }

  /** Writes buffered stdout lines. */
  flush(): void {
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    this.#stdout(text);
  }

  /** Closes the logfile and syslog and resets LogTape. */
  close(): void {
    this.flush();
    this.#logFile?.close();
    this.#logFile = undefined;
    if (this.#syslog) closeSyslog();
    this.#syslog = false;
    resetSync();
  }
}
