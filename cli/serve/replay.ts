/**
 * `serve --read FILE.pcap`: the same daemon core as live, driven by the capture's own times. The same filter
 * (no local addresses: every destination counts as local), decoder and engine; a command takes no capture
 * time (the replay waits for it before the next packet), so stop commands are due `cmd_timeout` after their
 * opening in capture time and run when the replay passes that time, or at the end of the file.
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import { errorMessage } from "../../core/error_message.ts";
import { type DaemonConfig, ServeDaemon, usesOneTimeSequences } from "../../core/serve/mod.ts";
import { CaptureOpenError, type FileCapture } from "./capture.ts";
import { EffectInterpreter, untilIdle } from "./interpreter.ts";
import type { Cancel, ServePlatform } from "./platform.ts";
import { daemonOptions, EXIT_FAILURE, loggingOptions, type ServeSettings } from "./settings.ts";

/** Frames per read when nothing needs to happen between two packets. */
const REPLAY_BATCH = 8192;
/** Bound on the commands still running at the end of the file (a hung command must not hang the replay). */
const END_TIMEOUT_MS = 15_000;

/** Whether a door of `config` has a command to run. */
function hasCommands(config: Config): boolean {
  return config.doors.some((d) =>
    [d.startCommand, d.startCommand6].some((c) => c !== undefined && c.value.trim() !== "")
  );
}

/**
 * Replays `settings.read` through the daemon.
 *
 * @param settings The command line.
 * @param ready The config, loaded and checked, with what the daemon needs of its files.
 * @param platform The runtime.
 * @returns The exit status.
 */
export async function runReplay(
  settings: ServeSettings,
  ready: DaemonConfig,
  platform: ServePlatform,
): Promise<number> {
  const config = ready.config;
  const { io } = platform;
  let capture: FileCapture;
  try {
    capture = platform.openFileCapture(settings.read!);
  } catch (error) {
    io.stderr(`knocktool: ${error instanceof CaptureOpenError ? error.message : errorMessage(error)}\n`);
    return EXIT_FAILURE;
  }
  const logOptions = loggingOptions(settings, config, io);
  const log = platform.openLog(logOptions);
  const daemon = new ServeDaemon(daemonOptions(settings, false));
  const launcher = platform.launcher({
    standby: false,
    pinShell: false,
    directSpawn: settings.tuning["direct-spawn"],
  });
  let last = 0;
  const interpreter = new EffectInterpreter({
    daemon,
    platform,
    log,
    logOptions,
    launcher,
    captures: [capture],
    clock: () => last,
    autoFlush: false,
  });
  interpreter.feed((d) =>
    d.start({
      ...ready,
      captures: [{ name: capture.name, linktype: capture.linktype, addresses: { v4: [], v6: [] } }],
    }, 0)
  );
  // Packet by packet when a packet may change what the next one meets: a one-time sequence used up (its door
  // and the filter change), a command to wait for.
  const stepwise = config.doors.some(usesOneTimeSequences) || (hasCommands(config) && !settings.dryRun);
  const batch = stepwise ? 1 : REPLAY_BATCH;
  const onFrame = (timeMs: number, bytes: Uint8Array) => {
    last = timeMs;
    const effects = daemon.frame(0, bytes, timeMs);
    if (effects.length > 0) interpreter.applyFromCapture(effects);
  };
  try {
    for (;;) {
      const n = capture.read(batch, onFrame);
      interpreter.flushDeferred();
      if (!interpreter.idle) await interpreter.settled();
      if (n === 0) break;
    }
  } catch (error) {
    capture.close();
    io.stderr(`knocktool: ${errorMessage(error)}\n`);
    log.close();
    return EXIT_FAILURE;
  }
  interpreter.feed((d) => d.endOfCapture(last));
  let cancel: Cancel | undefined;
  await Promise.race([
    untilIdle(daemon, interpreter),
    new Promise<void>((resolve) => cancel = platform.after(END_TIMEOUT_MS, resolve)),
  ]);
  cancel?.();
  await launcher.close();
  capture.close();
  log.close();
  return 0;
}
