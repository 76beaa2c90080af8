/**
 * The `knocktool` program: argument parsing and dispatch to subcommands.
 *
 * `main(args, io)` runs the whole CLI in-process and returns the exit status;
 * only the `import.meta.main` block below touches the real process.
 *
 * Exit status: 0 success, 1 findings (lint) or a failure at run time, 2 usage or I/O error
 * (craft: 74 for a file it cannot read or write), 70 internal error (a bug: please report it).
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
import { knockSpaCommand, realSpaNet, runKnockSpa, wantsSpa } from "./knock/spa.ts";
import { keygenCommand, runKeygen } from "./keygen/command.ts";
import { realKeygenFs } from "./keygen/files.ts";
import { lintCommand, type LintEngine, runLint } from "./lint/command.ts";
import { runServe, serveCommand } from "./serve/command.ts";
import { realStatusNet, runStatus, statusCommand } from "./status/command.ts";
import { denoIo, exit, type Io, processArgs } from "./runtime.ts";
import { sanitize } from "./_text.ts";
import { oneLineUsage, rootUsage, withAtomicUsage } from "./_usage.ts";
import { PROGRAM_NAME, VERSION } from "./version.ts";

export type { Io } from "./runtime.ts";

/** Exit status for usage errors (unknown command or option, bad value). */
export const EXIT_USAGE = 2;
/** Exit status for unexpected exceptions (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

const engine: LintEngine = { lintConfig, rules: RULES, explainRule };

/** The one-line description of the program, at the top of `--help` (and in the man page's NAME). */
export const PROGRAM_BRIEF =
  message`A port-knocking toolkit: knockd-compatible daemon, knock client, packet crafter, config linter.`;

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

/** The subcommands, in the order of the help page (also read by the man page generator, tools/man/). */
export const COMMANDS = {
  lint: withAtomicUsage(lintCommand),
  knock: withAtomicUsage(knockCommand),
  serve: withAtomicUsage(serveCommand),
  craft: withAtomicUsage(craftCommand),
  status: withAtomicUsage(statusCommand),
  keygen: withAtomicUsage(keygenCommand),
} as const;

/** `knock --spa ...` (cli/knock/spa.ts): parsed on its own when the arguments of `knock` name `--spa`. */
const KNOCK_SPA = withAtomicUsage(knockSpaCommand);
type CommandName = keyof typeof COMMANDS;

/** Every subcommand; `--help`, `help`, `completion` and a mistyped command are parsed against all of them. */
const program = or(
  COMMANDS.lint,
  COMMANDS.knock,
  COMMANDS.serve,
  COMMANDS.craft,
  COMMANDS.status,
  COMMANDS.keygen,
);

/** What `knocktool help TOPIC` knows: the subcommands and Optique's own `help` and `completion`. */
const HELP_TOPICS: readonly string[] = [...Object.keys(COMMANDS), "help", "completion"];

function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/**
 * `-h`/`--help` and `-V`/`--version` as knock and knockd users type them. `serve` keeps only the
 * long forms here: its own `-h` and `-V` print knockd's usage and version. `craft` keeps `-V` free
 * (hping3 users read it as "verbose").
 */
function metaOptions(command: CommandName | undefined) {
  const short = command !== "serve";
  return {
    help: {
      option: { names: short ? ["-h", "--help"] as const : ["--help"] as const },
      command: true,
    },
    version: {
      value: `${PROGRAM_NAME} ${VERSION}`,
      option: { names: short && command !== "craft" ? ["-V", "--version"] as const : ["--version"] as const },
    },
  } as const;
}

/** The lines under a usage error: the one-line synopsis and where the whole help is. */
function usageHint(command: CommandName | undefined): string {
  if (command === undefined) {
    const lines = Object.values(COMMANDS).map((c) => oneLineUsage(PROGRAM_NAME, c));
    return `Usage: ${lines.join("\n       ")}\nsee ${PROGRAM_NAME} --help\n`;
  }
  return `Usage: ${oneLineUsage(PROGRAM_NAME, COMMANDS[command])}\nsee ${PROGRAM_NAME} ${command} --help\n`;
}

/**
 * Parses the command line; help, version, completion and usage errors become an exit status.
 *
 * A known subcommand is parsed on its own parser, so that a usage error shows only that command's
 * usage and a mistyped option gets a "did you mean" (Optique offers option suggestions only within
 * the parser that failed, and prints the whole program's usage otherwise). A usage error prints the
 * error, the command's one-line synopsis and where its help is, not the whole synopsis.
 */
function parseArgs(args: readonly string[], io: Io) {
  const first = args[0];
  const command = isCommand(first) ? first : undefined;
  if (
    first === "help" && args[1] !== undefined && !args[1].startsWith("-") && !HELP_TOPICS.includes(args[1])
  ) {
    io.stderr(
      `Error: No help topic "${sanitize(args[1])}": the commands are ${HELP_TOPICS.join(", ")}.\n${
        usageHint(undefined)
      }`,
    );
    return EXIT_USAGE;
  }
  const options = {
    programName: PROGRAM_NAME,
    args,
    ...metaOptions(command),
    completion: "both",
    brief: PROGRAM_BRIEF,
    usageLine: rootUsage,
    stdout: (text: string) => io.stdout(`${text}\n`),
    // An error and its "Did you mean" on one line, above the one-line usage.
    stderr: (text: string) => io.stderr(`${text.replace(/\n\n(?=Did you mean)/, " ")}\n`),
    onExit: (code: number): never => {
      throw new ExitRequest(code);
    },
    colors: useColor(io.stdoutIsTerminal, io.env),
    maxWidth: terminalWidth(io),
    aboveError: "none",
    errorExitCode: EXIT_USAGE,
  } as const;
  try {
    if (command === "knock" && wantsSpa(args.slice(1))) return run(KNOCK_SPA, options);
    return command === undefined ? run(program, options) : run(COMMANDS[command], options);
  } catch (error) {
    if (error instanceof ExitRequest) {
      if (error.code === EXIT_USAGE) io.stderr(usageHint(command));
      return error.code;
    }
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
      case "status":
        return await runStatus(parsed, io, realStatusNet());
      case "keygen":
        return runKeygen(parsed, io, realKeygenFs());
      case "knock-spa":
        return runKnockSpa(parsed, io, realSpaNet());
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
