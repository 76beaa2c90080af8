/**
 * Every subcommand's parser, in the order of the help page. Loaded only when all of them are needed (the
 * program's own help, completion, a mistyped command) and by the man page generator (tools/man/); a known
 * subcommand is parsed with its own module alone (cli/program.ts), so that `lint` does not load `serve`.
 *
 * @module
 */
import { craftCommand } from "./craft/parser.ts";
import { keygenCommand } from "./keygen/command.ts";
import { knockCommand } from "./knock/command.ts";
import { lintCommand } from "./lint/command.ts";
import { serveCommand } from "./serve/command.ts";
import { statusCommand } from "./status/command.ts";
import { withAtomicUsage } from "./_usage.ts";

/** The subcommands, in the order of the help page (also read by the man page generator, tools/man/). */
export const COMMANDS = {
  lint: withAtomicUsage(lintCommand),
  knock: withAtomicUsage(knockCommand),
  serve: withAtomicUsage(serveCommand),
  craft: withAtomicUsage(craftCommand),
  status: withAtomicUsage(statusCommand),
  keygen: withAtomicUsage(keygenCommand),
} as const;
