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
import { explainRule, lintConfig, RULES } from "../core/lint/mod.ts";
import { useColor } from "./colors.ts";
import { craftCommand, runCraft } from "./craft/command.ts";
import { realCraftNet } from "./craft/net.ts";
import { knockCommand, runKnock } from "./knock/command.ts";
import { realKnockNet } from "./knock/net.ts";
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

/** Parses the command line; help, version, completion and usage errors become an exit status. */
function parseArgs(args: readonly string[], io: Io) {
  try {
    return run(or(lintCommand, knockCommand, serveCommand, craftCommand), {
      programName: PROGRAM_NAME,
      args,
      help: "both",
      version: `${PROGRAM_NAME} ${VERSION}`,
      completion: "both",
      brief: message`A port-knocking toolkit: knockd.conf linter (more subcommands to come).`,
      stdout: (text) => io.stdout(`${text}\n`),
      stderr: (text) => io.stderr(`${text}\n`),
      onExit: (code) => {
        throw new ExitRequest(code);
      },
      colors: useColor(io.stdoutIsTerminal, io.env),
      maxWidth: terminalWidth(io),
      errorExitCode: EXIT_USAGE,
    });
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
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr(`${PROGRAM_NAME}: internal error: ${reason}\n`);
    return EXIT_INTERNAL;
  }
}

if (import.meta.main) {
  exit(await main(processArgs(), denoIo()));
}
