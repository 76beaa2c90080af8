/**
 * `knocktool.conf(5)`: the knockd.conf dialect as knocktool reads it. The dialect itself (knockd's keys
 * and rules, fixed by knockd 0.8) is written here; knocktool's own directives come from the extension
 * registry (`KNOCKTOOL_EXTENSIONS`), each explained by the lint rules that name it, and the DIAGNOSTICS
 * section lists every rule of the rule registry (`RULES`) with its `lint --explain` text, so a directive or a
 * rule added to either registry appears here by itself.
 *
 * @module
 */
import { KNOCKTOOL_EXTENSIONS } from "../../core/config/mod.ts";
import { RULES } from "../../core/lint/mod.ts";
import type { RuleInfo } from "../../core/diagnostic.ts";
import { DEFAULT_CONFIG } from "../../cli/serve/command.ts";
import { bold, escape, italic, literal, plainText, title } from "./roff.ts";
import type { PageOptions } from "./knocktool_1.ts";

const DIALECT = String.raw`.SH DESCRIPTION
.B knocktool serve
reads knockd's configuration file exactly as knockd 0.8 does: the same file works with both programs, and a
file knockd refuses is refused, with its line and column.
.B knocktool lint
checks a file against every rule below, and
.B knocktool knock \-c
reads the doors of the same file on the client.
.PP
Each line is trimmed. Empty lines are skipped. Only a line that starts with
.B #
is a comment: a
.B #
later in a line is part of the value.
.B [name]
opens a section:
.BR [options] ,
exactly so and case-sensitive, holds the global options; every other name is a door. Any other line is
.IR key " = " value ,
split at the first
.BR = .
Keys are case-insensitive; values are literal (no quotes, no escapes). A later line of the same key replaces
the earlier one, except
.BR TCPFlags ,
whose lines add up. Numbers are read like C's
.BR atoi :
.B 10s
is 10, garbage is 0.
.SH OPTIONS SECTION
.TP
.B UseSyslog
Log through syslog. It takes no value, and may appear in any section.
.TP
.BI LogFile " = path"
Append log lines to this file.
.TP
.BI PidFile " = path"
The pidfile written with
.BR \-d .
.TP
.BI Interface " = name"
The capture interface; knocktool also reads a comma-separated list and
.BR any .
.B \-i
overrides it.
.SH DOOR SECTIONS
.TP
.BI Sequence " = port[:tcp|udp],..."
The knocks, at most 32, TCP when no protocol is given. A port above 65535 is an error; an empty item or a
word is port 0, a negative number wraps, as in knockd.
.TP
.BI One_Time_Sequences " = file"
A file of sequences, one per line; each is used once, then marked with a
.BR # .
Start each line with a space, so that the mark does not overwrite a digit.
.TP
.BI Seq_Timeout " = seconds"
(or
.BR Timeout )
Time from the first knock within which the whole sequence must arrive; default 25.
.TP
.BI TCPFlags " = flag,..."
Flags a TCP knock must have set, or clear with a leading
.BR ! :
.BR fin ,
.BR syn ,
.BR rst ,
.BR psh ,
.BR ack ,
.BR urg ,
without spaces. A packet whose flags do not match is ignored by the door.
.TP
.BI Start_Command " = command"
(or
.BR Command )
Run through
.B /bin/sh
when the door opens;
.B %IP%
is replaced by the client's address.
.TP
.BI Start_Command_6 " = command"
(or
.BR Command_6 )
The same for an IPv6 client; default
.BR Start_Command .
.TP
.BI Cmd_Timeout " = seconds"
Time between the start and the stop command; default 10.
.TP
.BI Stop_Command " = command"
Run
.B Cmd_Timeout
seconds after the start command has finished.
.TP
.BI Stop_Command_6 " = command"
The same for an IPv6 client; default
.BR Stop_Command .
.TP
.BI Target " = address"
Only knocks sent to this address count (written in canonical form); default: any address of the interface.
`;

const EXAMPLE = String.raw`.SH EXAMPLES
.EX
[options]
    UseSyslog
    Interface = eth0

[openSSH]
    Sequence      = 7113,4091,9277,2810
    Seq_Timeout   = 10
    TCPFlags      = syn,!ack
    Start_Command = /usr/sbin/nft add element inet filter knock_ssh4 { %IP% }
    Cmd_Timeout   = 30
    Stop_Command  = /usr/sbin/nft delete element inet filter knock_ssh4 { %IP% }
.EE
`;

/** The rules whose text names a directive as a word (its bad values, its misuses). */
function rulesNaming(key: string): RuleInfo[] {
  const word = new RegExp(`(^|[^A-Za-z_])${key.replace(/[^A-Za-z0-9_]/g, "")}([^A-Za-z_]|$)`, "i");
  return RULES.filter((r) => word.test(r.summary) || word.test(r.explanation.split("\n")[0] ?? ""));
}

function extensions(): string[] {
  const lines = [
    ".SH KNOCKTOOL DIRECTIVES",
    "knocktool adds the directives below, which knockd does not know: knockd refuses a file that uses them",
    "(syntax error), and",
    ".B knocktool lint",
    "points each out. Without them a file is read exactly as knockd reads it.",
  ];
  for (const ext of KNOCKTOOL_EXTENSIONS) {
    const where = ext.scope === "door" ? "in a door" : "in [options]";
    lines.push(".TP", `${bold(ext.key)} (${escape(where)})`);
    const rules = rulesNaming(ext.key);
    if (rules.length === 0) {
      lines.push(`See ${bold("knocktool lint")} and the project's documentation.`);
      continue;
    }
    const [first, ...rest] = rules;
    lines.push(...plainText(first!.explanation, ".IP").slice(1));
    if (rest.length > 0) {
      lines.push(".IP", `See also ${rest.map((r) => bold(r.code)).join(", ")} in DIAGNOSTICS.`);
    }
  }
  return lines;
}

function diagnostics(): string[] {
  const lines = [
    ".SH DIAGNOSTICS",
    "Every rule",
    ".B knocktool lint",
    "checks, with the text of",
    `${bold("knocktool lint --explain")} ${italic("CODE")}.`,
    "KT0xx errors are what knockd refuses, KT1xx errors files knockd accepts but whose doors cannot work,",
    "KT2xx warnings what is legal but almost surely a mistake or a weakness.",
  ];
  for (const rule of RULES) {
    lines.push(
      ".SS",
      `${bold(rule.code)} ${literal(rule.name)} (${rule.severity})`,
      escape(/[.!?]$/.test(rule.summary) ? rule.summary : `${rule.summary}.`),
      ...plainText(rule.explanation),
    );
  }
  return lines;
}

/**
 * The page `knocktool.conf.5`.
 *
 * @param options Date and version of the page.
 * @returns The page's roff text.
 */
export function confPage(options: PageOptions): string {
  return [
    title("knocktool.conf", 5, options.date, `knocktool ${options.version}`),
    ".SH NAME",
    "knocktool.conf \\- knockd.conf, the configuration of knocktool serve",
    ".SH SYNOPSIS",
    literal(DEFAULT_CONFIG),
    DIALECT.trimEnd(),
    ...extensions(),
    EXAMPLE.trimEnd(),
    ...diagnostics(),
    ".SH SEE ALSO",
    ".BR knocktool (1),",
    ".BR knocktool\\-serve (8),",
    ".BR knockd (1)",
    "",
  ].join("\n");
}
