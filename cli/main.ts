/**
 * The `knocktool` program: argument parsing and dispatch to subcommands.
 *
 * `main(args, io)` runs the whole CLI in-process and returns the exit status;
 * only the `import.meta.main` block below touches the real process.
 *
 * Exit status: 0 success, 1 findings (lint) or a failure at run time, 2 usage or I/O error
 * (craft: 74 for a file it cannot read or write), 70 internal error (a bug: please report it).
 *
 * Start-up: this module loads only what every run needs; the parser (cli/program.ts) and each subcommand's
 * code are loaded with `import()` when used, so `--version` loads neither and `lint` does not load `serve`
 * (the bundle keeps them in the same file, evaluated on first use: bench/startup.ts).
 *
 * @module
 */
import { errorMessage } from "../core/error_message.ts";
import { EXIT_INTERNAL } from "./_exit.ts";
import { denoIo, exit, type Io, processArgs } from "./runtime.ts";
import { PROGRAM_NAME, VERSION } from "./version.ts";

export type { Io } from "./runtime.ts";

export { EXIT_INTERNAL, EXIT_USAGE } from "./_exit.ts";

/**
 * Runs `knocktool` with the given arguments (without the program name) and
 * returns the exit status. Never throws: an unexpected exception is reported
 * as `knocktool: internal error: <message>` with status 70.
 */
export async function main(args: readonly string[], io: Io): Promise<number> {
  try {
    // The version alone needs no parser: what Optique prints for it, without loading Optique.
    if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
      io.stdout(`${PROGRAM_NAME} ${VERSION}\n`);
      return 0;
    }
    const { parseArgs } = await import("./program.ts");
    const parsed = await parseArgs(args, io);
    if (typeof parsed === "number") return parsed;
    switch (parsed.command) {
      case "lint": {
        const [{ runLint }, { explainRule, lintConfig, RULES }] = await Promise.all([
          import("./lint/command.ts"),
          import("../core/lint/mod.ts"),
        ]);
        return await runLint(parsed, io, { lintConfig, rules: RULES, explainRule });
      }
      case "knock": {
        const [{ runKnock }, { realKnockNet }] = await Promise.all([
          import("./knock/run.ts"),
          import("./knock/net.ts"),
        ]);
        return await runKnock(parsed, io, realKnockNet());
      }
      case "craft": {
        const [{ runCraft }, { realCraftNet }] = await Promise.all([
          import("./craft/command.ts"),
          import("./craft/net.ts"),
        ]);
        return await runCraft(parsed, io, realCraftNet());
      }
      case "serve":
        return await (await import("./serve/command.ts")).runServe(parsed, io);
      case "status": {
        const { realStatusNet, runStatus } = await import("./status/command.ts");
        return await runStatus(parsed, io, realStatusNet());
      }
      case "keygen": {
        const [{ runKeygen }, { realKeygenFs }] = await Promise.all([
          import("./keygen/command.ts"),
          import("./keygen/files.ts"),
        ]);
        return runKeygen(parsed, io, realKeygenFs());
      }
      case "knock-spa": {
        const { realSpaNet, runKnockSpa } = await import("./knock/spa.ts");
        return await runKnockSpa(parsed, io, realSpaNet());
      }
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
