/**
 * `knocktool serve`: knockd's command line (same options, same meanings) plus `--read`, `--log-format`,
 * `--max-attempts`, `--dry-run`, `--state-dir`, `--command-timeout`, `--max-commands` and `-B`, and the
 * runner that starts the daemon.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import { command, constant, flag, option } from "@optique/core/primitives";
import { choice, integer, string } from "@optique/core/valueparser";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME, VERSION } from "../version.ts";
import { loadConfig } from "./config.ts";
import { DAEMON_CHILD_ENV, daemonize, writePidFile } from "./daemonize.ts";
import { DEFAULT_STATE_DIR } from "./journal.ts";
import { runLive } from "./live.ts";
import { loadDaemonConfig } from "./load.ts";
import { totpListeningWarnings } from "./totp_load.ts";
import { denoServePlatform, type ServePlatform } from "./platform.ts";
import { runReplay } from "./replay.ts";
import { EXIT_FAILURE, parseMetricsAddress, type ServeSettings } from "./settings.ts";
import { ALL_TUNING, parseTuning, type Tuning, TUNING_SYNTAX } from "./tuning.ts";

/** knockd's default config path. */
export const DEFAULT_CONFIG = "/etc/knockd.conf";
/** knockd's default pidfile (used with `-d` when neither `-p` nor `PidFile` is given). */
export const DEFAULT_PID_FILE = "/var/run/knockd.pid";

/** The parser of `knocktool serve ...`. */
export const serveCommand = command(
  "serve",
  object({
    command: constant("serve"),
    config: optional(
      option("-c", "--config", string({ metavar: "FILE" }), {
        description: message`Config file (default ${DEFAULT_CONFIG}).`,
      }),
    ),
    interface: optional(
      option("-i", "--interface", string({ metavar: "IFACE" }), {
        description: message`Interface(s) to listen on, comma-separated, or ${"any"}; overrides Interface.`,
      }),
    ),
    daemon: withDefault(
      flag("-d", "--daemon", { description: message`Run in the background, write the pidfile.` }),
      false,
    ),
    debug: withDefault(
      flag("-D", "--debug", { description: message`Print debug messages (implies -v).` }),
      false,
    ),
    verbose: withDefault(
      flag("-v", "--verbose", { description: message`Print every log message on stdout.` }),
      false,
    ),
    onlyIPv4: withDefault(flag("-4", "--only-ip-v4", { description: message`Ignore IPv6.` }), false),
    pidFile: optional(
      option("-p", "--pidfile", string({ metavar: "PIDFILE" }), {
        description: message`Pidfile for -d; overrides PidFile (default ${DEFAULT_PID_FILE}).`,
      }),
    ),
    logFile: optional(
      option("-g", "--logfile", string({ metavar: "LOGFILE" }), {
        description: message`Log file; overrides LogFile.`,
      }),
    ),
    lookup: withDefault(
      flag("-l", "--lookup", {
        description:
          message`Show knocking hosts by name too (resolved in the background, never delaying a knock).`,
      }),
      false,
    ),
    version: withDefault(flag("-V", { description: message`Print the version and exit.` }), false),
    help: withDefault(flag("-h", { description: message`Print this help and exit.` }), false),
    read: optional(
      option("--read", string({ metavar: "FILE.pcap" }), {
        description: message`Replay a capture file instead of listening (packet times are the clock).`,
      }),
    ),
    logFormat: withDefault(
      option("--log-format", choice(["text", "json"] as const, { metavar: "FORMAT" }), {
        description: message`Log format: ${"text"} (knockd's, default) or ${"json"} (one object per line).`,
      }),
      "text" as const,
    ),
    maxAttempts: optional(
      option("--max-attempts", integer({ min: 1, metavar: "N" }), {
        description:
          message`Most knock attempts in progress at once; the oldest is evicted (default 1000000).`,
      }),
    ),
    dryRun: withDefault(
      flag("--dry-run", { description: message`Log the commands but do not run them.` }),
      false,
    ),
    stateDir: optional(
      option("--state-dir", string({ metavar: "DIR" }), {
        description:
          message`Where pending stop commands are journaled and TOTP doors' used steps kept (default ${DEFAULT_STATE_DIR}).`,
      }),
    ),
    commandTimeout: optional(
      option("--command-timeout", integer({ min: 1, metavar: "S" }), {
        description: message`Kill a command running longer than this many seconds (default 60).`,
      }),
    ),
    maxCommands: optional(
      option("--max-commands", integer({ min: 1, metavar: "N" }), {
        description: message`Most commands running at once; the others queue (default 32).`,
      }),
    ),
    bufferSize: optional(
      option("-B", "--buffer-size", integer({ min: 64, max: 1024 * 1024, metavar: "KIB" }), {
        description:
          message`Capture buffer per interface in KiB, 64 to 1048576, as tcpdump's -B (default 16384).`,
      }),
    ),
    metrics: optional(
      option("--metrics", string({ metavar: "[ADDR:]PORT" }), {
        description:
          message`Serve Prometheus metrics over HTTP there (a port alone: on 127.0.0.1); off by default.`,
      }),
    ),
    fwknopAccess: optional(
      option("--fwknop-access", string({ metavar: "FILE" }), {
        description:
          message`Also accept fwknop SPA packets, as fwknopd does with this access.conf (without -c: no knockd.conf).`,
      }),
    ),
    fwknopPort: optional(
      option("--fwknop-port", integer({ min: 1, max: 65535, metavar: "PORT" }), {
        description: message`UDP port of the fwknop packets (default 62201).`,
      }),
    ),
    fwknopMaxAge: optional(
      option("--fwknop-max-age", integer({ min: 1, max: 100000, metavar: "S" }), {
        description: message`Refuse fwknop packets whose timestamp is further from now (default 120).`,
      }),
    ),
    fwknopConf: optional(
      option("--fwknop-conf", string({ metavar: "FILE" }), {
        description: message`fwknopd.conf: its PCAP_FILTER port and MAX_SPA_PACKET_AGE (the options win).`,
      }),
    ),
    fwknopDigestFile: optional(
      option("--fwknop-digest-file", string({ metavar: "FILE" }), {
        description: message`The fwknop replay cache (default <state dir>/fwknop-digests).`,
      }),
    ),
    fwknopNftSet: optional(
      option("--fwknop-nft-set", string({ metavar: "'FAMILY TABLE SET'" }), {
        description:
          message`Stanzas without CMD_CYCLE_OPEN open by adding the IPv4 allow address to this nftables set.`,
      }),
    ),
    fwknopNftSet6: optional(
      option("--fwknop-nft-set-6", string({ metavar: "'FAMILY TABLE SET'" }), {
        description: message`The same for IPv6 allow addresses.`,
      }),
    ),
    fwknopNftPerPort: withDefault(
      flag("--fwknop-nft-per-port", {
        description:
          message`Add ADDRESS . PORT elements, one per requested port (sets of ADDR . inet_service).`,
      }),
      false,
    ),
    tuning: optional(
      option("--tuning", string({ metavar: "LIST" }), {
        description: message`Latency tuning: ${TUNING_SYNTAX} (${"all,-wake"} turns the wake socket off).`,
      }),
    ),
  }),
  {
    brief: message`Listen for knock sequences and run the doors' commands (a drop-in knockd).`,
    description:
      message`Capture on the interface with libpcap, detect the knock sequences of the knockd.conf doors and run their start and stop commands. SIGHUP reloads the config, SIGTERM runs pending stop commands and exits.`,
    footer:
      message`Exit status: 0 after SIGTERM/SIGINT or a finished replay, 1 bad config, missing interface, no privileges or libpcap missing.`,
  },
);

/**
 * The parsed arguments of `serve`: the daemon's settings under their option names (`-c` is `config`, `-i`
 * is `interface`), plus `-V` and `-h`.
 */
export interface ServeArgs extends Omit<ServeSettings, "configPath" | "interfaces" | "tuning" | "metrics"> {
  /** `--metrics` as given. */
  readonly metrics?: string | undefined;
  /** `-c` as given (the default applies in {@linkcode runServe}). */
  readonly config?: string | undefined;
  readonly interface?: string | undefined;
  /** `--tuning` as given. */
  readonly tuning?: string | undefined;
  readonly version: boolean;
  readonly help: boolean;
}

const USAGE = `Usage: ${PROGRAM_NAME} serve [options]
Options:
  -c, --config <file>       config file (default ${DEFAULT_CONFIG})
  -i, --interface <ifaces>  interface(s) to listen on (comma list, or any)
  -d, --daemon              run as a daemon
  -D, --debug               debug messages (implies -v)
  -v, --verbose             every log message on stdout
  -4, --only-ip-v4          ignore IPv6
  -p, --pidfile <file>      pidfile for -d (default ${DEFAULT_PID_FILE})
  -g, --logfile <file>      log file (overrides LogFile)
  -V                        print the version
  -h                        this help
      --read <file.pcap>    replay a capture file
      --log-format text|json
      --max-attempts <n>    cap on attempts in progress (default 1000000)
      --dry-run             log commands without running them
      --state-dir <dir>     stop-command journal, TOTP state (default ${DEFAULT_STATE_DIR})
      --command-timeout <s> kill a command running longer (default 60)
      --max-commands <n>    commands running at once, the others queue (default 32)
  -B, --buffer-size <kib>   capture buffer per interface in KiB (default 16384)
  -l, --lookup              show knocking hosts by name too
      --metrics [addr:]port serve Prometheus metrics there (a port alone: on 127.0.0.1)
      --tuning <list>       latency tuning: ${TUNING_SYNTAX}
      --fwknop-access <file>   accept fwknop SPA packets as fwknopd with this access.conf
      --fwknop-port <port>     their UDP port (default 62201)
      --fwknop-max-age <s>     their timestamp window (default 120)
      --fwknop-digest-file <f> their replay cache (default <state dir>/fwknop-digests)
      --fwknop-conf <file>     fwknopd.conf: its port and window
      --fwknop-nft-set 'FAMILY TABLE SET'    stanzas without CMD_CYCLE_OPEN open in this set (IPv4)
      --fwknop-nft-set-6 'FAMILY TABLE SET'  the same for IPv6
      --fwknop-nft-per-port    elements ADDRESS . PORT, one per requested port
`;

/** An empty config: what serve runs when `--fwknop-access` is given without `-c` (no knockd doors). */
export const NO_CONFIG = "/dev/null";

/** The knockd.conf serve reads: `-c`, else none with `--fwknop-access`, else {@linkcode DEFAULT_CONFIG}. */
export function serveConfigPath(config: string | undefined, fwknopAccess: string | undefined): string {
  return config ?? (fwknopAccess !== undefined ? NO_CONFIG : DEFAULT_CONFIG);
}

/**
 * Runs `knocktool serve` and returns its exit status.
 *
 * @param args Parsed arguments.
 * @param io The runtime.
 * @param platform serve's runtime (the real one by default).
 * @returns 0 after SIGTERM/SIGINT or a finished replay, 1 when the daemon cannot start.
 */
export async function runServe(
  args: ServeArgs,
  io: Io,
  platform: ServePlatform = denoServePlatform(io),
): Promise<number> {
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (args.version) {
    io.stdout(`${PROGRAM_NAME} ${VERSION}\n`);
    return 0;
  }
  let tuning: Tuning = ALL_TUNING;
  if (args.tuning !== undefined) {
    const parsed = parseTuning(args.tuning);
    if (!parsed.ok) {
      io.stderr(`${PROGRAM_NAME}: ${parsed.error}\n`);
      return 2;
    }
    tuning = parsed.tuning;
  }
  let metrics: ServeSettings["metrics"];
  if (args.metrics !== undefined) {
    const parsed = parseMetricsAddress(args.metrics);
    if (!parsed.ok) {
      io.stderr(`${PROGRAM_NAME}: ${parsed.error}\n`);
      return 2;
    }
    metrics = { hostname: parsed.hostname, port: parsed.port };
  }
  const {
    config: configPath,
    interface: interfaces,
    version: _version,
    help: _help,
    tuning: _tuning,
    metrics: _metrics,
    ...rest
  } = args;
  const settings: ServeSettings = {
    ...rest,
    configPath: serveConfigPath(configPath, args.fwknopAccess),
    interfaces,
    tuning,
    metrics,
  };
  const loaded = loadConfig(settings.configPath, io);
  if (!loaded.ok) {
    io.stderr(loaded.report);
    return EXIT_FAILURE;
  }
  const config = loaded.config;
  const ready = loadDaemonConfig(config, settings, platform);
  if (!ready.ok) {
    for (const line of ready.lines) io.stderr(`${line}\n`);
    return EXIT_FAILURE;
  }
  const totp = ready.config.totp;
  if (totp !== undefined) {
    for (const line of totpListeningWarnings(config, totp, settings, platform)) io.stderr(`${line}\n`);
  }
  if (args.read !== undefined) return await runReplay(settings, ready.config, platform);
  const pidFile = args.pidFile ?? config.options.pidFile?.value ?? DEFAULT_PID_FILE;
  if (args.daemon && io.env(DAEMON_CHILD_ENV) !== "1") {
    return await daemonize(settings, pidFile, io);
  }
  let wrote = false;
  const code = await runLive(settings, ready.config, platform, () => {
    if (!args.daemon) return undefined;
    const error = writePidFile(pidFile);
    if (error !== undefined) return `could not create pid file ${pidFile}: ${error}`;
    wrote = true;
    return undefined;
  });
  if (wrote) platform.removeFile(pidFile);
  return code;
}
