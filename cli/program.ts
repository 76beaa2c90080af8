/**
 * Parsing the command line with Optique: help, version, completion and usage errors become an exit status,
 * a subcommand's arguments become its parsed value. A known subcommand is parsed with its own module alone
 * (loaded here with `import()`), so a command does not pay for loading the others; the program's help, a
 * completion script and a mistyped command load all of them (cli/commands.ts).
 *
 * @module
 */
import { message } from "@optique/core/message";
import { or } from "@optique/core/constructs";
import { runParser } from "@optique/core/facade";
import type { InferValue } from "@optique/core/parser";
import type { COMMANDS } from "./commands.ts";
import type { knockSpaCommand } from "./knock/spa.ts";
import { EXIT_USAGE } from "./_exit.ts";
import { useColor } from "./colors.ts";
import type { Io } from "./runtime.ts";
import { sanitize } from "./_text.ts";
import { oneLineUsage, rootUsage, withAtomicUsage } from "./_usage.ts";
import { PROGRAM_NAME, VERSION } from "./version.ts";

/** The one-line description of the program, at the top of `--help` (and in the man page's NAME). */
export const PROGRAM_BRIEF =
  message`A port-knocking toolkit: knockd-compatible daemon, knock client, packet crafter, config linter.`;

/** The subcommands, in the order of the help page (the keys of `COMMANDS` in cli/commands.ts). */
export const COMMAND_NAMES = ["lint", "knock", "serve", "craft", "status", "keygen"] as const;

/** A subcommand's name. */
export type CommandName = typeof COMMAND_NAMES[number];

/** What a subcommand's parser gives (`knock --spa ...` has a parser of its own: cli/knock/spa.ts). */
export type ParsedArgs = InferValue<typeof COMMANDS[CommandName]> | InferValue<typeof knockSpaCommand>;

/** What `knocktool help TOPIC` knows: the subcommands and Optique's own `help` and `completion`. */
const HELP_TOPICS: readonly string[] = [...COMMAND_NAMES, "help", "completion"];

/** Thrown by the `onShow` and `onError` hooks to leave `runParser()` without ending the process. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`Exit with status ${code}`);
  }
}

function terminalWidth(io: Io): number {
  const columns = Number.parseInt(io.env("COLUMNS") ?? "", 10);
  return Number.isFinite(columns) && columns >= 40 ? columns : 80;
}

function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && (COMMAND_NAMES as readonly string[]).includes(name);
}

/** `knock --spa ...` is parsed on its own parser (cli/knock/spa.ts), loaded only when `--spa` is there. */
async function knockSpa() {
  const { knockSpaCommand, wantsSpa } = await import("./knock/spa.ts");
  return {
    parser: withAtomicUsage(knockSpaCommand),
    wants: (args: readonly string[]) => wantsSpa(args.slice(1)),
  };
}

/** One subcommand's parser, from its own module. */
async function commandParser(name: CommandName) {
  switch (name) {
    case "lint":
      return withAtomicUsage((await import("./lint/command.ts")).lintCommand);
    case "knock":
      return withAtomicUsage((await import("./knock/command.ts")).knockCommand);
    case "serve":
      return withAtomicUsage((await import("./serve/command.ts")).serveCommand);
    case "craft":
      return withAtomicUsage((await import("./craft/parser.ts")).craftCommand);
    case "status":
      return withAtomicUsage((await import("./status/command.ts")).statusCommand);
    case "keygen":
      return withAtomicUsage((await import("./keygen/command.ts")).keygenCommand);
  }
}

/**
 * `-h`/`--help` and `-V`/`--version` as knock and knockd users type them. `serve` keeps only the
 * long forms here: its own `-h` and `-V` print knockd's usage and version. `craft` keeps `-V` free
 * (hping3 users read it as "verbose").
 */
function metaOptions(command: CommandName | undefined, onShow: () => never) {
  const short = command !== "serve";
  return {
    help: {
      option: { names: short ? ["-h", "--help"] as const : ["--help"] as const },
      command: true,
      onShow,
    },
    version: {
      value: `${PROGRAM_NAME} ${VERSION}`,
      option: { names: short && command !== "craft" ? ["-V", "--version"] as const : ["--version"] as const },
      onShow,
    },
  } as const;
}

/** The lines under a usage error: the one-line synopsis and where the whole help is. */
async function usageHint(command: CommandName | undefined): Promise<string> {
  if (command === undefined) {
    const { COMMANDS } = await import("./commands.ts");
    const lines = Object.values(COMMANDS).map((c) => oneLineUsage(PROGRAM_NAME, c));
    return `Usage: ${lines.join("\n       ")}\nsee ${PROGRAM_NAME} --help\n`;
  }
  return `Usage: ${
    oneLineUsage(PROGRAM_NAME, await commandParser(command))
  }\nsee ${PROGRAM_NAME} ${command} --help\n`;
}

/**
 * Parses the command line; help, version, completion and usage errors become an exit status.
 *
 * A known subcommand is parsed on its own parser, so that a usage error shows only that command's
 * usage and a mistyped option gets a "did you mean" (Optique offers option suggestions only within
 * the parser that failed, and prints the whole program's usage otherwise). A usage error prints the
 * error, the command's one-line synopsis and where its help is, not the whole synopsis.
 *
 * @param args The arguments, without the program name.
 * @param io Where the help and errors go.
 * @returns The subcommand's parsed arguments, or the exit status when there is nothing to run.
 */
export async function parseArgs(args: readonly string[], io: Io): Promise<ParsedArgs | number> {
  const first = args[0];
  const command = isCommand(first) ? first : undefined;
  if (
    first === "help" && args[1] !== undefined && !args[1].startsWith("-") && !HELP_TOPICS.includes(args[1])
  ) {
    const topics = HELP_TOPICS.join(", ");
    const hint = await usageHint(undefined);
    io.stderr(`Error: No help topic "${sanitize(args[1])}": the commands are ${topics}.\n${hint}`);
    return EXIT_USAGE;
  }
  const exitWith = (code: number): never => {
    throw new ExitRequest(code);
  };
  const onShow = (): never => exitWith(0);
  const options = {
    ...metaOptions(command, onShow),
    completion: { command: true, option: true, onShow },
    brief: PROGRAM_BRIEF,
    usageLine: rootUsage,
    stdout: (text: string) => io.stdout(`${text}\n`),
    // An error and its "Did you mean" on one line, above the one-line usage.
    stderr: (text: string) => io.stderr(`${text.replace(/\n\n(?=Did you mean)/, " ")}\n`),
    onError: (): never => exitWith(EXIT_USAGE),
    colors: useColor(io.stdoutIsTerminal, io.env),
    maxWidth: terminalWidth(io),
    aboveError: "none",
  } as const;
  let parser;
  if (command === undefined) {
    const { COMMANDS } = await import("./commands.ts");
    parser = or(
      COMMANDS.lint,
      COMMANDS.knock,
      COMMANDS.serve,
      COMMANDS.craft,
      COMMANDS.status,
      COMMANDS.keygen,
    );
  } else if (
    command === "knock" && args.some((a) => a.startsWith("--spa")) && (await knockSpa()).wants(args)
  ) {
    parser = (await knockSpa()).parser;
  } else {
    parser = await commandParser(command);
  }
  try {
    return runParser(parser, PROGRAM_NAME, args, options) as ParsedArgs;
  } catch (error) {
    if (error instanceof ExitRequest) {
      if (error.code === EXIT_USAGE) io.stderr(await usageHint(command));
      return error.code;
    }
    throw error;
  }
}
