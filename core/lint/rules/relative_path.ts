/**
 * KT221: a relative file path, which breaks when knockd runs as a daemon.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, valueSpanOf } from "../_directives.ts";

/** Metadata of KT221. */
export const info: RuleInfo = {
  code: "KT221",
  severity: "warning",
  name: "relative-path",
  summary: "relative paths depend on knockd's working directory, which becomes / with -d",
  explanation: `knockd opens LogFile and One_Time_Sequences relative to its current directory, and writes
PidFile after "-d" has moved it to "/". So a relative path works when knockd is started by hand in the
right directory, and breaks as a daemon or under systemd: the pid file lands in "/", the log file cannot
be reopened on reload, and a relative One_Time_Sequences file cannot be opened on reload (SIGHUP), which
makes knockd exit.

Example:
  one_time_sequences = otp/ssh.txt

Fix: use absolute paths, e.g. "/etc/knockd/ssh.otp".`,
};

// knocktool's TOTP_Secret_File is read again on every reload, from the same working directory.
const PATH_KEYS: readonly string[] = [
  ...KEYS.logFile,
  ...KEYS.pidFile,
  ...KEYS.oneTimeSequences,
  "TOTP_SECRET_FILE",
];

/**
 * Reports LogFile, PidFile and One_Time_Sequences values that are not absolute paths.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const section of ctx.config.sections) {
    for (const d of section.directives) {
      if (!PATH_KEYS.includes(d.normalizedKey)) continue;
      const value = d.value ?? "";
      if (value === "" || value.startsWith("/")) continue;
      out.push(finding(
        info,
        `"${d.key}" path "${value}" is relative; knockd resolves it from its working directory, which is "/" with -d`,
        valueSpanOf(d),
      ));
    }
  }
  return out;
}
