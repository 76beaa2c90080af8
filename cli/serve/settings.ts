/**
 * What `serve` was asked to do: the parsed command line, and the daemon options and log options it implies.
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import { type DaemonOptions, logTargets } from "../../core/serve/mod.ts";
import type { Io } from "../runtime.ts";
import type { LoggingOptions } from "./logging.ts";
import type { Tuning } from "./tuning.ts";

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
  /** Live: the stop-command journal's directory (default `/var/lib/knocktool`). */
  readonly stateDir?: string | undefined;
  /** Seconds before a running command is killed. */
  readonly commandTimeout?: number | undefined;
  /** Most commands running at once (live). */
  readonly maxCommands?: number | undefined;
  /** Capture buffer per interface, KiB (default {@linkcode DEFAULT_BUFFER_KIB}). */
  readonly bufferSize?: number | undefined;
  /** `-l`: show knocking sources with their host names (resolved off the packet path). */
  readonly lookup: boolean;
  /** The latency tuning (`--tuning`). */
  readonly tuning: Tuning;
  /** `--metrics [ADDR:]PORT`: where the metrics page is served (off when absent). */
  readonly metrics?: { readonly hostname: string; readonly port: number } | undefined;
  /** `--fwknop-access FILE`: fwknopd's access.conf, served by an fwknop door (docs/fwknop.md). */
  readonly fwknopAccess?: string | undefined;
  /** `--fwknop-port`: its UDP port (default 62201). */
  readonly fwknopPort?: number | undefined;
  /** `--fwknop-max-age`: its timestamp window, s (default 120, fwknopd's MAX_SPA_PACKET_AGE). */
  readonly fwknopMaxAge?: number | undefined;
  /** `--fwknop-conf`: fwknopd.conf, for its port and window (the options above win). */
  readonly fwknopConf?: string | undefined;
  /** `--fwknop-digest-file`: its replay cache (default `<state dir>/fwknop-digests`). */
  readonly fwknopDigestFile?: string | undefined;
  /** `--fwknop-nft-set`: `FAMILY TABLE SET` where stanzas without CMD_CYCLE_OPEN add IPv4 allow addresses. */
  readonly fwknopNftSet?: string | undefined;
  /** `--fwknop-nft-set-6`: the same for IPv6. */
  readonly fwknopNftSet6?: string | undefined;
  /** `--fwknop-nft-per-port`: `ADDRESS . PORT` elements, one per requested port. */
  readonly fwknopNftPerPort?: boolean | undefined;
}

/**
 * Parses `--metrics [ADDR:]PORT`: a port alone is on loopback (`127.0.0.1`); `[::1]:9102`, `0.0.0.0:9102` name
 * the address.
 *
 * @returns The address, or an error message.
 */
export function parseMetricsAddress(
  text: string,
): { readonly ok: true; readonly hostname: string; readonly port: number } | {
  readonly ok: false;
  readonly error: string;
} {
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+)):)?(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) {
    return {
      ok: false,
      error: `--metrics: "${text}" is not [ADDR:]PORT (e.g. 9102, 127.0.0.1:9102, [::1]:9102)`,
    };
  }
  return { ok: true, hostname: m[1] ?? m[2] ?? "127.0.0.1", port };
}

/** Exit status when the daemon cannot start (bad config, no interface, no privileges). */
export const EXIT_FAILURE = 1;

/** Default capture buffer per interface, KiB (`--buffer-size`): rides out GC pauses under a flood. */
export const DEFAULT_BUFFER_KIB = 16 * 1024;

/** The daemon core's options for these settings (live or replay). */
export function daemonOptions(settings: ServeSettings, live: boolean): DaemonOptions {
  return {
    onlyIPv4: settings.onlyIPv4,
    debug: settings.debug,
    verbose: settings.verbose,
    logFile: settings.logFile,
    interfaces: settings.interfaces,
    maxAttempts: settings.maxAttempts,
    commandTimeoutMs: settings.commandTimeout === undefined ? undefined : settings.commandTimeout * 1000,
    maxCommands: live ? settings.maxCommands : undefined,
    dryRun: settings.dryRun,
    journal: live && !settings.dryRun,
    announce: live,
    lookup: settings.lookup,
  };
}

/** The log sinks for these settings and a config. */
export function loggingOptions(settings: ServeSettings, config: Config, io: Io): LoggingOptions {
  const targets = logTargets(settings, config);
  return {
    verbose: targets.verbose,
    debug: settings.debug,
    format: settings.logFormat,
    logFile: targets.logFile,
    syslog: targets.syslog,
    stdout: io.stdout,
    stderr: io.stderr,
    bufferStdout: settings.read !== undefined,
  };
}
