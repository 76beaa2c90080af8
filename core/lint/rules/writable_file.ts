/**
 * KT218: the config or a one-time sequences file is writable by group or others.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";
import { otpReferences } from "../_otp.ts";

/** Metadata of KT218. */
export const info: RuleInfo = {
  code: "KT218",
  severity: "warning",
  name: "writable-file",
  summary: "whoever can write knockd's files can run commands as root or choose the sequences",
  explanation: `knockd runs as root and runs the commands in its config through /bin/sh. If the config file is
writable by its group or by everyone, any of those users can put in a command and have it run as root on
the next reload or knock. A one-time sequences file that others can write lets them add sequences of
their own choosing.

Example: -rw-rw-r-- /etc/knockd.conf

Fix: chmod go-w the file (e.g. "chmod 600 /etc/knockd.conf") and make sure root owns it.`,
};

function describe(mode: number): string {
  const who = [(mode & 0o020) !== 0 ? "group" : "", (mode & 0o002) !== 0 ? "others" : ""].filter((s) =>
    s !== ""
  );
  return `writable by ${who.join(" and ")} (mode ${"0" + (mode & 0o7777).toString(8).padStart(3, "0")})`;
}

/**
 * Reports a config or one-time sequences file with the group- or other-write bit.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const mode = ctx.options.mode;
  if (mode !== undefined && (mode & 0o022) !== 0) {
    out.push(finding(info, `Config file is ${describe(mode)}; the commands in it run as root`));
  }
  for (const { directive, path } of otpReferences(ctx.config.doors, { firstPerPath: true })) {
    const facts = ctx.readFile(path);
    if (facts?.kind !== "file" || facts.mode === undefined || (facts.mode & 0o022) === 0) continue;
    out.push(finding(
      info,
      `One-time sequences file "${path}" is ${describe(facts.mode)}; others can choose the sequences`,
      valueSpanOf(directive),
    ));
  }
  return out;
}
