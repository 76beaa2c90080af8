/**
 * This checkout and the command that runs its CLI.
 *
 * @module
 */
import type { Spawned } from "./spawned.ts";

/** The path of the repository root (with a trailing slash). */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/** The command that runs the knocktool CLI from this checkout: `deno run -A <repo>/cli/main.ts`. */
export const KNOCKTOOL: readonly string[] = [
  Deno.execPath(),
  "run",
  "-A",
  "--no-prompt",
  `${REPO_ROOT}cli/main.ts`,
];

/** What {@linkcode startServe} needs of a namespace: something that spawns a process in it. */
export interface SpawnsIn {
  spawn(cmd: readonly string[]): Spawned;
}

/**
 * Starts `knocktool serve ARGS -v` in namespace `ns` and waits (20 s at most) for its `starting up` line; on
 * failure the daemon is stopped and the error rethrown (with its output).
 *
 * @param ns Where to run it (a topology's `server`).
 * @param args serve's arguments (`-c`, `-i`, ...); `-v` is added.
 * @returns The running daemon (dispose it with `await using`).
 */
export async function startServe(
  ns: SpawnsIn,
  args: readonly string[],
): Promise<Spawned> {
  const daemon = ns.spawn([...KNOCKTOOL, "serve", ...args, "-v"]);
  try {
    await daemon.waitForLine(/^starting up, listening on /, 20_000);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}
