/**
 * A door command that is one program with plain words (core `plainArgv`) started the way `sh -c` would run
 * it, without the shell: `PATH` search, the daemon's environment with `PWD` as dash exports it, stdin and
 * stdout from /dev/null, stderr inherited, its own process group. A latency tweak of ./tuning.ts for the
 * openings no standby shell waits for.
 *
 * @module
 */
import { plainArgv } from "../../core/serve/mod.ts";
import { spawn, spawnAvailable, type SpawnedProcess } from "../../ffi/mod.ts";

/**
 * Starts a plain command without a shell.
 *
 * @returns The child, or `undefined` when the command needs a shell, posix_spawn is not there, or the
 *   program cannot be started directly (not found, not executable, a script without `#!`): then the shell
 *   runs it and reports as knockd's `system()` does (`sh: 1: x: not found`, status 127).
 */
export function startProgram(command: string): SpawnedProcess | undefined {
  if (!spawnAvailable()) return undefined;
  const argv = plainArgv(command);
  if (argv === undefined) return undefined;
  try {
    return spawn(argv[0]!, argv.slice(1), {
      searchPath: true,
      env: shellEnvironment(),
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
      newProcessGroup: true,
    });
  } catch {
    return undefined;
  }
}

/**
 * The environment `/bin/sh` (dash) hands to what it runs: this process's variables whose names are shell
 * names (dash drops others, such as the `?` that `deno task` exports), with `PWD` exported (kept when it
 * names the working directory, else the working directory's path).
 */
export function shellEnvironment(): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)),
  );
  try {
    const cwd = Deno.cwd();
    const pwd = env.PWD;
    if (pwd === undefined || !pwd.startsWith("/") || !sameFile(pwd, cwd)) env.PWD = cwd;
  } catch {
    // no working directory (removed): dash exports none either
  }
  return env;
}

/** Whether two paths name the same file. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = Deno.statSync(a);
    const y = Deno.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
