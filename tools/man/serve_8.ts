/**
 * `knocktool-serve(8)`: the daemon, from the parser `knocktool serve --help` is built from (synopsis,
 * description, options, exit status) and serve's own defaults (config, pidfile, state directory).
 *
 * @module
 */
import { DEFAULT_CONFIG, DEFAULT_PID_FILE } from "../../cli/serve/command.ts";
import { DEFAULT_STATE_DIR } from "../../cli/serve/journal.ts";
import { PROGRAM_NAME } from "../../cli/version.ts";
import { commandDoc, type PageOptions } from "./knocktool_1.ts";
import { bold, entryList, literal, messageText, nameLine, synopsis, title } from "./roff.ts";

/** The systemd unit's path in the Debian package (FILES section). */
export const UNIT_PATH = "/lib/systemd/system/knocktool.service";

/**
 * The page `knocktool-serve.8`.
 *
 * @param options Date and version of the page.
 * @returns The page's roff text.
 */
export function servePage(options: PageOptions): string {
  const page = commandDoc("serve");
  const options_ = page.sections.flatMap((s) => s.entries);
  return [
    title(`${PROGRAM_NAME}-serve`, 8, options.date, `${PROGRAM_NAME} ${options.version}`),
    ".SH NAME",
    `${PROGRAM_NAME}\\-serve \\- ${
      page.brief === undefined ? "port-knock server" : nameLine(messageText(page.brief))
    }`,
    ".SH SYNOPSIS",
    ...synopsis(PROGRAM_NAME, page.usage ?? []),
    ".SH DESCRIPTION",
    ...(page.description === undefined ? [] : [messageText(page.description)]),
    ".PP",
    "It reads the configuration of",
    ".BR knockd (1)",
    "(see",
    ".BR knocktool.conf (5)),",
    "takes its options, writes its log lines, and runs the same commands on the same packets.",
    "Capture needs CAP_NET_RAW (root), and the door commands usually CAP_NET_ADMIN.",
    ".SH OPTIONS",
    ...entryList(options_),
    ".SH SIGNALS",
    ".TP",
    bold("SIGHUP"),
    "Reload the configuration; a file with an error is logged and the running configuration is kept.",
    ".TP",
    `${bold("SIGTERM")}, ${bold("SIGINT")}`,
    "Run every pending stop command (the open doors are closed), then exit 0.",
    ".SH FILES",
    ".TP",
    literal(DEFAULT_CONFIG),
    `The configuration; ${bold("-c")} names another.`,
    ".TP",
    literal(DEFAULT_PID_FILE),
    "The pidfile written with",
    `${bold("-d")}.`,
    ".TP",
    literal(DEFAULT_STATE_DIR),
    "The journal of pending stop commands, read at start so that a door left open by a crash is closed; and the",
    "steps of TOTP doors already used, so that a restart does not accept them again.",
    ".TP",
    literal(UNIT_PATH),
    "The systemd unit of the Debian package (not enabled when installed: write the configuration, then",
    `${bold("systemctl enable --now knocktool")}).`,
    ".SH EXIT STATUS",
    ...(page.footer === undefined ? [] : [messageText(page.footer)]),
    ".SH SEE ALSO",
    ".BR knocktool (1),",
    ".BR knocktool.conf (5),",
    ".BR knockd (1),",
    ".BR systemd.exec (5)",
    "",
  ].join("\n");
}
