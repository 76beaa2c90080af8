/**
 * This checkout and the command that runs its CLI.
 *
 * @module
 */

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
