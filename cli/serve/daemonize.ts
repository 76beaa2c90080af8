/**
 * `serve -d`: Deno cannot `fork()`, so the daemon is the same program started again, detached (its own
 * process group), with standard I/O on /dev/null and the working directory `/` (like `daemon(0,0)`); the
 * config path is made absolute first so reloads keep working (knockd's `-c relative.conf -d` dies on HUP).
 * The parent waits until the child has written the pidfile (capture active), then exits 0.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import type { Io } from "../runtime.ts";
import type { ServeSettings } from "./settings.ts";
import { formatTuning } from "./tuning.ts";

/** Set in the daemon child's environment. */
export const DAEMON_CHILD_ENV = "KNOCKTOOL_DAEMON_CHILD";

/** How long the parent waits for the daemon to start capturing. */
const START_TIMEOUT_MS = 15_000;

function absolute(path: string, cwd: string): string {
  return path.startsWith("/") ? path : `${cwd.replace(/\/$/, "")}/${path}`;
}

function childArgs(settings: ServeSettings, pidFile: string, cwd: string): string[] {
  const args = ["serve", "-d", "-c", absolute(settings.configPath, cwd), "-p", absolute(pidFile, cwd)];
  if (settings.interfaces !== undefined) args.push("-i", settings.interfaces);
  if (settings.debug) args.push("-D");
  if (settings.verbose) args.push("-v");
  if (settings.onlyIPv4) args.push("-4");
  if (settings.logFile !== undefined) args.push("-g", absolute(settings.logFile, cwd));
  if (settings.logFormat !== "text") args.push("--log-format", settings.logFormat);
  if (settings.maxAttempts !== undefined) args.push("--max-attempts", String(settings.maxAttempts));
  if (settings.dryRun) args.push("--dry-run");
  if (settings.stateDir !== undefined) args.push("--state-dir", absolute(settings.stateDir, cwd));
  if (settings.commandTimeout !== undefined) args.push("--command-timeout", String(settings.commandTimeout));
  if (settings.maxCommands !== undefined) args.push("--max-commands", String(settings.maxCommands));
  if (settings.bufferSize !== undefined) args.push("--buffer-size", String(settings.bufferSize));
  if (settings.lookup) args.push("--lookup");
  if (settings.fwknopAccess !== undefined) args.push("--fwknop-access", absolute(settings.fwknopAccess, cwd));
  if (settings.fwknopPort !== undefined) args.push("--fwknop-port", String(settings.fwknopPort));
  if (settings.fwknopMaxAge !== undefined) args.push("--fwknop-max-age", String(settings.fwknopMaxAge));
  if (settings.fwknopConf !== undefined) args.push("--fwknop-conf", absolute(settings.fwknopConf, cwd));
  if (settings.fwknopDigestFile !== undefined) {
    args.push("--fwknop-digest-file", absolute(settings.fwknopDigestFile, cwd));
  }
  if (settings.fwknopNftSet !== undefined) args.push("--fwknop-nft-set", settings.fwknopNftSet);
  if (settings.fwknopNftSet6 !== undefined) args.push("--fwknop-nft-set-6", settings.fwknopNftSet6);
  if (settings.fwknopNftPerPort === true) args.push("--fwknop-nft-per-port");
  if (settings.metrics !== undefined) {
    const { hostname, port } = settings.metrics;
    args.push("--metrics", `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`);
  }
  if (formatTuning(settings.tuning) !== "all") args.push("--tuning", formatTuning(settings.tuning));
  return args;
}

/** Set by the single-file launcher (tools/package/launcher.c) to the executable file it was started from. */
export const LAUNCHER_ENV = "KNOCKTOOL_EXECUTABLE";

/**
 * The command that runs this program again: the single executable file (whose runtime and bundle are
 * memory files of this process only, so neither `Deno.execPath()` nor the main module can be started
 * again), the compiled binary, or `deno run -A <main module>`.
 */
function selfCommand(): [string, string[]] {
  const exec = Deno.execPath();
  const main = Deno.mainModule;
  const packaged = Deno.env.get(LAUNCHER_ENV);
  if (packaged !== undefined && main.startsWith("file:///proc/self/fd/")) return [packaged, []];
  if (main.startsWith("file://") && !main.includes("/deno-compile-")) {
    return [exec, ["run", "-A", "--no-prompt", main]];
  }
  return [exec, []];
}

function pidFileWritten(path: string, pid: number): boolean {
  try {
    return Deno.readTextFileSync(path) === `${pid}\n`;
  } catch {
    return false;
  }
}

/**
 * Starts the daemon and waits for it to capture.
 *
 * @param settings The parsed command line.
 * @param pidFile The pidfile path.
 * @param io The runtime (for messages and the working directory).
 * @returns 0 once the daemon wrote its pidfile; 1 if it exited or did not start in time.
 */
export async function daemonize(settings: ServeSettings, pidFile: string, io: Io): Promise<number> {
  const cwd = io.cwd();
  const [exec, prefix] = selfCommand();
  const child = new Deno.Command(exec, {
    args: [...prefix, ...childArgs(settings, pidFile, cwd)],
    cwd: "/",
    env: { [DAEMON_CHILD_ENV]: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    detached: true,
  }).spawn();
  const path = absolute(pidFile, cwd);
  let exited: Deno.CommandStatus | undefined;
  child.status.then((s) => exited = s);
  // Collect the child's early error output (bad interface, no privileges) to show it here.
  let errors = "";
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      errors += decoder.decode(value, { stream: true });
    }
  })();
  const start = Date.now();
  while (Date.now() - start < START_TIMEOUT_MS) {
    if (exited !== undefined) break;
    if (pidFileWritten(path, child.pid)) {
      // Detach: stop reading its stderr (the daemon's stderr then goes nowhere) and let it run.
      await reader.cancel().catch(() => {});
      child.unref();
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.race([pump, new Promise((r) => setTimeout(r, 200))]);
  io.stderr(errors);
  if (exited === undefined) {
    io.stderr(`knocktool: the daemon did not start within ${START_TIMEOUT_MS / 1000} s\n`);
    try {
      child.kill("SIGTERM");
    } catch {
      // gone
    }
  }
  return 1;
}

/**
 * Writes `"<pid>\n"` to the pidfile (knockd's format).
 *
 * @param path The pidfile.
 * @returns `undefined`, or the reason it could not be written.
 */
export function writePidFile(path: string): string | undefined {
  try {
    Deno.writeTextFileSync(path, `${Deno.pid}\n`);
    return undefined;
  } catch (error) {
    const message = errorMessage(error);
    return message.replace(/ \(os error \d+\).*$/, "");
  }
}
