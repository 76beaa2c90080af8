/**
 * Diagnostic codes of the config parser and their `--explain` texts.
 *
 * KT0xx means "knockd refuses this": knockd prints the message in the
 * diagnostic's `knockd` field and exits 1. The one exception is
 * {@link CODES.otpLineSkipped}, a warning about a one-time-sequences line that
 * knockd skips (it prints the error but keeps going).
 *
 * @module
 */
import type { RuleInfo } from "../diagnostic.ts";

/** Stable codes of the parser's diagnostics. */
export const CODES = {
  /** Unknown key, or a line without `=` that is not `UseSyslog`. */
  syntaxError: "KT001",
  /** `UseSyslog = ...`: knockd only accepts the bare keyword. */
  useSyslogWithValue: "KT002",
  /** `[]`. */
  badSectionName: "KT003",
  /** A directive before the first `[section]`. */
  directiveOutsideSection: "KT004",
  /** A `TCPFlags` item that is not one of the six flags. */
  unrecognizedFlag: "KT005",
  /** A sequence port above 65535. */
  invalidPort: "KT006",
  /** More than 32 ports in one sequence. */
  tooManyPorts: "KT007",
  /** A sequence protocol other than `tcp`/`udp`. */
  unknownProtocol: "KT008",
  /** A door without `Sequence` or `One_Time_Sequences`. */
  emptySequence: "KT009",
  /** An `[options]` key in a door, or a door key in `[options]`. */
  misplacedDirective: "KT010",
  /** A one-time-sequences file line that knockd skips because it does not parse (warning). */
  otpLineSkipped: "KT011",
} as const;

/** One of the parser's codes. */
export type ParseCode = typeof CODES[keyof typeof CODES];

/** `--explain` metadata for every parser code, in code order. */
export const PARSE_RULES: readonly RuleInfo[] = [
  {
    code: CODES.syntaxError,
    severity: "error",
    name: "syntax-error",
    summary: "knockd refuses a line that is not a known directive",
    explanation: `knockd splits each line at the first "=" and upper-cases the key. A key it does not know,
or a line without "=" (other than the bare keyword UseSyslog), makes it print
"config: line N: syntax error" and exit with status 1. Keys are case-insensitive, but
there are no others than the documented ones: in [options] LogFile, PidFile, Interface and
UseSyslog; in a door Sequence, One_Time_Sequences, Seq_Timeout (or Timeout), TCPFlags,
Start_Command (or Command), Start_Command_6 (or Command_6), Cmd_Timeout, Stop_Command,
Stop_Command_6 and Target. Comments must start the line: "#" in the middle is not a comment.

Example:
  [openSSH]
  sequence = 7000,8000,9000
  seq-timeout = 5        <- "SEQ-TIMEOUT" is not a key

Fix: spell the key as documented (Seq_Timeout), or remove the line.`,
  },
  {
    code: CODES.useSyslogWithValue,
    severity: "error",
    name: "usesyslog-with-value",
    summary: "UseSyslog takes no value; 'UseSyslog = yes' is a syntax error in knockd",
    explanation: `UseSyslog is the only directive without a value: knockd accepts it only when the line has no
"=" at all. "UseSyslog = yes" (or "= no", or "= 1") is reported as
"config: line N: syntax error" and knockd exits with status 1.

Example:
  [options]
  UseSyslog = yes        <- rejected

Fix: write the keyword alone on its line:
  [options]
  UseSyslog`,
  },
  {
    code: CODES.badSectionName,
    severity: "error",
    name: "bad-section-name",
    summary: "an empty section header '[]' is rejected",
    explanation: `A line that starts with "[" and ends with "]" is a section header, and the name is
everything between the brackets. An empty name makes knockd print
"config: line N: bad section name" and exit with status 1.

Example:
  []
  sequence = 7000,8000,9000

Fix: give the section a name, e.g. [openSSH], or [options] for the global options.`,
  },
  {
    code: CODES.directiveOutsideSection,
    severity: "error",
    name: "directive-outside-section",
    summary: "every directive must come after a [section] header",
    explanation: `knockd refuses any directive that appears before the first section header with
"config: line N: all directives must belong to a section". A line such as "[door" without
the closing bracket is not a header, so it counts as a directive too. A UTF-8 byte order
mark at the start of the file also hides the first header from knockd.

Example:
  logfile = /var/log/knockd.log
  [options]

Fix: move the line below the right header ([options] for LogFile, PidFile, Interface and
UseSyslog; a door section for the others), and close every header with "]".`,
  },
  {
    code: CODES.unrecognizedFlag,
    severity: "error",
    name: "unrecognized-flag",
    summary: "TCPFlags accepts only FIN, SYN, RST, PSH, ACK and URG, comma-separated without spaces",
    explanation: `knockd splits the TCPFlags value at commas, upper-cases it and compares each item exactly
with FIN, SYN, RST, PSH, ACK and URG, each optionally prefixed with "!" (flag must be clear).
Items are not trimmed, so a space after a comma makes the item unknown, and an empty value
or an empty item (two commas) is unknown too. knockd prints
"config: line N: unrecognized flag "ITEM"" and exits with status 1. PUSH, ECE, CWR and NS are
not accepted.

Example:
  tcpflags = syn, ack        <- " ACK" is not a flag

Fix: tcpflags = syn,ack`,
  },
  {
    code: CODES.invalidPort,
    severity: "error",
    name: "invalid-port",
    summary: "a sequence port above 65535 is rejected",
    explanation: `Each sequence item is read with atoi(): leading spaces are skipped and reading stops at the
first non-digit. The only check knockd makes is that the number is not above 65535; if it is,
it prints "config: section DOOR: port ITEM is invalid" (without a line number) and exits
with status 1. Negative numbers are not rejected: they wrap around (-1 becomes 65535).

Example:
  sequence = 7000,80000,9000

Fix: use ports between 1 and 65535.`,
  },
  {
    code: CODES.tooManyPorts,
    severity: "error",
    name: "too-many-ports",
    summary: "a knock sequence holds at most 32 ports",
    explanation: `knockd stores at most 32 ports per door. A longer sequence (a trailing comma counts as one
more port 0) makes it print "config: section DOOR: too many ports in knock sequence" and exit
with status 1.

Example:
  sequence = 1,2,3,...,33

Fix: shorten the sequence to 32 items or fewer.`,
  },
  {
    code: CODES.unknownProtocol,
    severity: "error",
    name: "unknown-protocol",
    summary: "a sequence item's protocol must be tcp or udp",
    explanation: `A sequence item is PORT or PORT:PROTOCOL. The protocol is trimmed and upper-cased, and must
be TCP or UDP; anything else, including an empty protocol after ":", makes knockd print
"config: section DOOR: unknown protocol in knock sequence" and exit with status 1. Text after
a second ":" is ignored.

Example:
  sequence = 7000:tcp,8000:icmp

Fix: use tcp or udp, or leave the protocol out (tcp is the default).`,
  },
  {
    code: CODES.emptySequence,
    severity: "error",
    name: "empty-knock-sequence",
    summary: "every door needs a Sequence or One_Time_Sequences line",
    explanation: `After reading the whole file, knockd checks every door and refuses one without a sequence:
"error: section 'DOOR' has an empty knock sequence", exit status 1. Every section other than
the exact, lower-case [options] is a door, so [Options] or [ options ] (with spaces) creates
a door without a sequence and triggers this error.

Example:
  [Options]
  logfile = /var/log/knockd.log

Fix: add "sequence = ..." to the door, or spell the options header exactly [options].`,
  },
  {
    code: CODES.misplacedDirective,
    severity: "error",
    name: "misplaced-directive",
    summary: "a directive used in the wrong kind of section is a syntax error",
    explanation: `knockd only accepts LogFile, PidFile and Interface in [options], and only the door keys
(Sequence, Seq_Timeout, TCPFlags, Start_Command, ...) in a door. A key in the wrong kind of
section is reported as "config: line N: syntax error" and knockd exits with status 1.

Example:
  [openSSH]
  sequence = 7000,8000,9000
  interface = eth1       <- belongs in [options]

Fix: move the line to the right section.`,
  },
  {
    code: CODES.otpLineSkipped,
    severity: "warning",
    name: "one-time-sequence-line-skipped",
    summary: "a one-time-sequences line that does not parse is skipped by knockd",
    explanation: `knockd reads a one-time-sequences file line by line and uses the first line that is not
empty, not a "#" comment and parses as a sequence. A line with a port above 65535, an unknown
protocol or more than 32 ports is reported (the same message as in the config) and then
skipped: knockd does not stop, but that sequence can never be used.

Example:
  70000,8000,9000
   7000,8000,9000

Fix: correct or remove the line.`,
  },
];
