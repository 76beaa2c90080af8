/**
 * `knocktool(1)`: the program and every subcommand but `serve` (which has `knocktool-serve(8)`), built from
 * the very parsers `--help` is built from (`COMMANDS` of `cli/main.ts`: brief, usage, options, footer), so
 * that a new option or a new subcommand appears here by itself.
 *
 * @module
 */
import { getDocPage } from "@optique/core/parser";
import type { DocPage } from "@optique/core/doc";
import { COMMANDS } from "../../cli/commands.ts";
import { knockSpaCommand } from "../../cli/knock/spa.ts";
import { EXIT_INTERNAL, EXIT_USAGE } from "../../cli/main.ts";
import { PROGRAM_BRIEF } from "../../cli/program.ts";
import { PROGRAM_NAME } from "../../cli/version.ts";
import { type CommandParser, oneLineUsage } from "../../cli/_usage.ts";
import { bold, entryList, escape, italic, literal, messageText, nameLine, synopsis, title } from "./roff.ts";

/** What every page is given. */
export interface PageOptions {
  /** The date of the page, `YYYY-MM-DD`. */
  readonly date: string;
  /** knocktool's version. */
  readonly version: string;
}

/** The subcommands documented in a page of their own, and that page. */
export const OWN_PAGE: Readonly<Record<string, string>> = { serve: "knocktool\\-serve (8)" };

/**
 * The help page of a subcommand, as `knocktool NAME --help` shows it.
 *
 * @param name The subcommand.
 * @returns Its doc page.
 */
export function commandDoc(name: string): DocPage {
  const parser = (COMMANDS as Record<string, CommandParser>)[name];
  if (parser === undefined) throw new TypeError(`Unknown command "${name}"`);
  const page = getDocPage(parser as Parser, [name]) as DocPage | undefined;
  if (page === undefined) throw new TypeError(`No help page for "${name}"`);
  return page;
}
type Parser = Parameters<typeof getDocPage>[0];

/**
 * The help page of `knock --spa`, which has a parser of its own (cli/knock/spa.ts, loaded only when
 * `--spa` is given), as `knocktool knock --spa - --help` shows it.
 *
 * @returns Its doc page.
 */
export function knockSpaDoc(): DocPage {
  const page = getDocPage(knockSpaCommand as Parser, ["knock"]) as DocPage | undefined;
  if (page === undefined) throw new TypeError(`No help page for "knock --spa"`);
  return page;
}

/** `knock --spa`'s own subsection, after `knock`'s. */
function knockSpa(): string[] {
  const page = knockSpaDoc();
  const lines = [".SS", `${bold(`${PROGRAM_NAME} knock --spa`)} ${italic("PROFILE")}`];
  if (page.brief !== undefined) lines.push(messageText(page.brief));
  return [...lines, ".PP", ...synopsis(PROGRAM_NAME, page.usage ?? []), ...commandBody(page)];
}

/**
 * A subcommand's help as roff: description, the options of each section, then its footer (exit status).
 *
 * @param page The subcommand's doc page.
 * @returns roff lines.
 */
export function commandBody(page: DocPage): string[] {
  const lines: string[] = [];
  if (page.description !== undefined) lines.push(".PP", messageText(page.description));
  for (const section of page.sections) {
    if (section.entries.length === 0) continue;
    if (section.title !== undefined) lines.push(".PP", `${bold(section.title)}`);
    lines.push(...entryList(section.entries));
  }
  if (page.footer !== undefined) lines.push(".PP", messageText(page.footer));
  return lines;
}

function commands(): string[] {
  const lines: string[] = [".SH COMMANDS"];
  for (const name of Object.keys(COMMANDS)) {
    const page = commandDoc(name);
    lines.push(".SS", `${bold(`${PROGRAM_NAME} ${name}`)}`);
    if (page.brief !== undefined) lines.push(messageText(page.brief));
    const own = OWN_PAGE[name];
    if (own !== undefined) {
      lines.push(".PP", `Its options, signals and files are in`, `.BR ${own} .`);
      continue;
    }
    lines.push(".PP", ...synopsis(PROGRAM_NAME, page.usage ?? []), ...commandBody(page));
    if (name === "knock") lines.push(...knockSpa());
  }
  lines.push(
    ".SS",
    bold(`${PROGRAM_NAME} help`) + ` [${italic("COMMAND")}]`,
    "Print the help of the program, or of a command (the same as",
    `${bold("--help")}).`,
    ".SS",
    bold(`${PROGRAM_NAME} completion`) + ` ${italic("SHELL")}`,
    "Print the completion script of",
    `${italic("SHELL")}: ${["bash", "zsh", "fish", "pwsh", "nu"].map(bold).join(", ")}.`,
    "The script asks",
    bold(`${PROGRAM_NAME} completion`),
    "for each completion, so it always matches the installed version. The Debian package installs the",
    "bash, zsh and fish scripts.",
  );
  return lines;
}

/**
 * The page `knocktool.1`.
 *
 * @param options Date and version of the page.
 * @returns The page's roff text.
 */
export function programPage(options: PageOptions): string {
  // As the program's --help: each command in its short form (its own section has every option).
  // knock --spa (a parser of its own) right after knock.
  const parsers = Object.entries(COMMANDS as Record<string, CommandParser>).flatMap(([name, parser]) =>
    name === "knock" ? [parser, knockSpaCommand as unknown as CommandParser] : [parser]
  );
  const synopses = parsers.flatMap((parser, i) => [
    ...(i > 0 ? [".br"] : []),
    `${bold(PROGRAM_NAME)} ${literal(oneLineUsage(PROGRAM_NAME, parser).slice(PROGRAM_NAME.length).trim())}`,
  ]);
  return [
    title(PROGRAM_NAME, 1, options.date, `${PROGRAM_NAME} ${options.version}`),
    ".SH NAME",
    `${PROGRAM_NAME} \\- ${nameLine(messageText(PROGRAM_BRIEF))}`,
    ".SH SYNOPSIS",
    ...synopses,
    ".br",
    `${bold(PROGRAM_NAME)} ${bold("help")} [${italic("COMMAND")}]`,
    ".br",
    `${bold(PROGRAM_NAME)} ${bold("completion")} ${italic("SHELL")}`,
    ".br",
    `${bold(PROGRAM_NAME)} ${bold("--help")} | ${bold("--version")}`,
    ".SH DESCRIPTION",
    escape(
      `${PROGRAM_NAME} is a port-knocking toolkit in one program. Each command has its own options; ` +
        `"${PROGRAM_NAME} COMMAND --help" prints them, as this page does.`,
    ),
    ...commands(),
    ".SH EXIT STATUS",
    "Each command's own statuses are listed with it above. For all of them:",
    `${EXIT_USAGE} is a usage error (an unknown command or option, a bad value) and ${EXIT_INTERNAL} an`,
    "internal error (a bug: please report it).",
    ".SH ENVIRONMENT",
    ".TP",
    bold("NO_COLOR"),
    "Set: no colors, even on a terminal.",
    ".TP",
    bold("COLUMNS"),
    "The width help and reports are wrapped to (default 80).",
    ".TP",
    bold("DENO_V8_FLAGS"),
    "Flags of the JavaScript engine the single-file executable runs with, e.g.",
    `${bold("--optimize-for-size")}.`,
    ".SH SEE ALSO",
    ".BR knocktool\\-serve (8),",
    ".BR knocktool.conf (5),",
    ".BR knockd (1),",
    ".BR knock (1)",
    "",
  ].join("\n");
}
