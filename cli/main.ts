/**
 * The `knocktool` program: argument parsing and dispatch to subcommands.
 *
 * `main(args, io)` runs the whole CLI in-process and returns the exit status;
 * only the `import.meta.main` block below touches the real process.
 *
 * Exit status: 0 success, 1 findings (lint), 2 usage or I/O error,
 * 70 internal error (a bug: please report it).
 *
 * @module
 */
import { message } from "@optique/core/message";
import { or } from "@optique/core/constructs";
import { run } from "@optique/run";
import { errorMessage } from "../core/error_message.ts";
import { explainRule, lintConfig, RULES } from "../core/lint/mod.ts";
import { useColor } from "./colors.ts";
import { craftCommand, runCraft } from "./craft/command.ts";
import { realCraftNet } from "./craft/net.ts";
import { knockCommand } from "./knock/command.ts";
import { realKnockNet } from "./knock/net.ts";
import { runKnock } from "./knock/run.ts";
import { lintCommand, type LintEngine, runLint } from "./lint/command.ts";
import { runServe, serveCommand } from "./serve/command.ts";
import { denoIo, exit, type Io, processArgs } from "./runtime.ts";
import { PROGRAM_NAME, VERSION } from "./version.ts";

export type { Io } from "./runtime.ts";

/** Exit status for usage errors (unknown command or option, bad value). */
export const EXIT_USAGE = 2;
/** Exit status for unexpected exceptions (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

const engine: LintEngine = { lintConfig, rules: RULES, explainRule };

/** Thrown by Optique's `onExit` hook to leave `run()` without ending the process. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`Exit with status ${code}`);
  }
}

function terminalWidth(io: Io): number {
  const columns = Number.parseInt(io.env("COLUMNS") ?? "", 10);
  return Number.isFinite(columns) && columns >= 40 ? columns : 80;
}

/** Every subcommand; `--help`, `help`, `completion` and a mistyped command are parsed against all of them. */
const program = or(lintCommand, knockCommand, serveCommand, craftCommand);

/**
 * Parses the command line; help, version, completion and usage errors become an exit status.
 *
 * A known subcommand is parsed on its own parser, so that a usage error shows only that command's
 * usage and a mistyped option gets a "did you mean" (Optique offers option suggestions only within
 * the parser that failed, and prints the whole program's usage otherwise).
 */
function parseArgs(args: readonly string[], io: Io) {
  const options = {
    programName: PROGRAM_NAME,
    args,
    help: "both",
    version: `${PROGRAM_NAME} ${VERSION}`,
    completion: "both",
    brief:
      message`A port-knocking toolkit: knockd-compatible daemon, knock client, packet crafter, config linter.`,
    stdout: (text: string) => io.stdout(`${text}\n`),
    stderr: (text: string) => io.stderr(`${text}\n`),
    onExit: (code: number): never => {
      throw new ExitRequest(code);
    },
    colors: useColor(io.stdoutIsTerminal, io.env),
    maxWidth: terminalWidth(io),
    errorExitCode: EXIT_USAGE,
  } as const;
  try {
    switch (args[0]) {
      case "lint":
        return run(lintCommand, options);
      case "knock":
        return run(knockCommand, options);
      case "serve":
        return run(serveCommand, options);
      case "craft":
        return run(craftCommand, options);
      default:
        return run(program, options);
    }
  } catch (error) {
    if (error instanceof ExitRequest) return error.code;
    throw error;
  }
}

/**
 * Runs `knocktool` with the given arguments (without the program name) and
 * returns the exit status. Never throws: an unexpected exception is reported
 * as `knocktool: internal error: <message>` with status 70.
 */
export async function main(args: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parseArgs(args, io);
    if (typeof parsed === "number") return parsed;
    switch (parsed.command) {
      case "lint":
        return await runLint(parsed, io, engine);
      case "knock":
        return await runKnock(parsed, io, realKnockNet());
      case "craft":
        return await runCraft(parsed, io, realCraftNet());
      case "serve":
        return await runServe(parsed, io);
    }
  } catch (error) {
    const reason = errorMessage(error);
    io.stderr(`${PROGRAM_NAME}: internal error: ${reason}\n`);
    return EXIT_INTERNAL;
  }
}

if (import.meta.main) {
  exit(await main(processArgs(), denoIo()));
}
