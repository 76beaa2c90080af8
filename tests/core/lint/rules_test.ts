/**
 * Table-driven tests: for every lint rule, configs that trigger it (asserting code, severity, line and exact
 * columns of each finding) and near misses that must not.
 */
import assert from "node:assert/strict";
import { lintConfig } from "../../../core/lint/mod.ts";
import { LINT_RULES } from "../../../core/lint/registry.ts";
import type { FileFacts } from "../../../core/lint/types.ts";
import type { NftFacts } from "../../../core/nft/mod.ts";
import { formatServerKey, publicKeyOf, toBase64Url } from "../../../core/spa/mod.ts";

/** Where a finding is expected: a line and the text it must cover (the `nth` occurrence on that line). */
interface Expected {
  readonly line: number;
  readonly text: string;
  readonly nth?: number;
  /** The finding is about this other file (a one-time sequences file), not the config. */
  readonly file?: string;
}

interface Case {
  readonly code: string;
  readonly name: string;
  /** Config lines, joined with "\n". */
  readonly conf: readonly string[];
  readonly files?: Readonly<Record<string, FileFacts>>;
  readonly mode?: number;
  /** What `lint --check-firewall` read of the kernel's nftables (the firewall rules run only with it). */
  readonly nft?: NftFacts;
  /** Expected findings of `code`, in order; empty for a near miss. `"file"` for a finding without a span. */
  readonly expect: readonly (Expected | "file")[];
}

const OTP = "/etc/knockd/otp";
const otpFile = (text: string, mode = 0o600): Record<string, FileFacts> => ({
  [OTP]: { kind: "file", text, mode },
});

const TOTP_FILE = "/etc/knocktool/d.totp";
const totpFile = (text: string, mode = 0o600): Record<string, FileFacts> => ({
  [TOTP_FILE]: { kind: "file", text, mode },
});

const SPA_KEY = "/etc/knocktool/server.key";
const SPA_USERS = "/etc/knocktool/users";
const SPA_CONF = ["[d]", "  SPA_Port = 62201", `  SPA_Server_Key = ${SPA_KEY}`, `  SPA_Users = ${SPA_USERS}`];
const SPA_USER_LINE = `alice ${toBase64Url(publicKeyOf("ed25519", new Uint8Array(32).fill(3)))}\n`;
/** A valid server key (of mode `mode`) and users file. */
function spaFiles(mode = 0o600): Record<string, FileFacts> {
  return {
    [SPA_KEY]: {
      kind: "file",
      text: formatServerKey({ privateKey: new Uint8Array(32).fill(1), mac1: new Uint8Array(32).fill(2) }),
      mode,
    },
    [SPA_USERS]: { kind: "file", text: SPA_USER_LINE, mode: 0o600 },
  };
}
const NFT_CONF = ["[d]", "  sequence = 2,1", "  Nft_Set = inet filter k4", "  Nft_Timeout = 30"];

/** The kernel's ruleset for the firewall rules: table inet filter with these sets. */
function nftFacts(sets: readonly { name: string; type: string[]; flags: string[] }[]): NftFacts {
  return {
    ok: true,
    ruleset: {
      tables: [{ family: "inet", name: "filter" }],
      sets: sets.map((x) => ({ family: "inet", table: "filter", ...x })),
    },
    trials: new Map(),
  };
}

const CASES: readonly Case[] = [
  // KT101 otp-file-unreadable
  {
    code: "KT101",
    name: "missing one-time file",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: { [OTP]: { kind: "error", message: "No such file or directory" } },
    expect: [{ line: 2, text: OTP }],
  },
  {
    code: "KT101",
    name: "readable one-time file",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile(" 1,2,3\n"),
    expect: [],
  },
  // KT102 otp-file-no-sequence
  {
    code: "KT102",
    name: "all lines used",
    conf: ["[d]", "  tcpflags = syn", `  One_Time_Sequences=${OTP}`],
    files: otpFile("#111,2222\n#333,4444\n\n"),
    expect: [{ line: 3, text: OTP }],
  },
  {
    code: "KT102",
    name: "one line left",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile("#111,2222\n 3333,4444\n"),
    expect: [],
  },
  // KT103 non-canonical-target
  {
    code: "KT103",
    name: "leading zeros",
    conf: ["[d]", "  sequence = 1,2", "  target = 010.0.0.1"],
    expect: [{ line: 3, text: "010.0.0.1" }],
  },
  {
    code: "KT103",
    name: "uppercase uncompressed IPv6",
    conf: ["[d]", "  target = FD77:0:0::1"],
    expect: [{ line: 2, text: "FD77:0:0::1" }],
  },
  {
    code: "KT103",
    name: "host name",
    conf: ["[d]", "  target = gate.example.org"],
    expect: [{ line: 2, text: "gate.example.org" }],
  },
  {
    code: "KT103",
    name: "trailing comment",
    conf: ["[d]", "  target = 10.0.0.1 # office"],
    expect: [{ line: 2, text: "10.0.0.1 # office" }],
  },
  {
    code: "KT103",
    name: "only the last target counts",
    conf: ["[d]", "  target = 010.0.0.1", "  target = 10.0.0.1"],
    expect: [],
  },
  {
    code: "KT103",
    name: "canonical IPv4 and IPv6",
    conf: ["[a]", "  target = 10.0.0.1", "[b]", "  target = fd77::1"],
    expect: [],
  },
  // KT104 empty-command
  {
    code: "KT104",
    name: "empty command",
    conf: ["[d]", "  sequence = 1,2", "  command ="],
    expect: [{ line: 3, text: "command =" }],
  },
  {
    code: "KT104",
    name: "empty stop command",
    conf: ["[d]", "  start_command = a %IP%", "  stop_command="],
    expect: [{ line: 3, text: "stop_command=" }],
  },
  {
    code: "KT104",
    name: "empty start_command_6 is documented",
    conf: ["[d]", "  start_command = a %IP%", "  start_command_6 ="],
    expect: [],
  },
  // KT105 seq-timeout-never
  {
    code: "KT105",
    name: "zero",
    conf: ["[d]", "  sequence = 3,1,2", "  seq_timeout = 0"],
    expect: [{ line: 3, text: "0" }],
  },
  {
    code: "KT105",
    name: "negative alias",
    conf: ["[d]", "  sequence = 3,1,2", "  Timeout = -5"],
    expect: [{ line: 3, text: "-5" }],
  },
  {
    code: "KT105",
    name: "not a number",
    conf: ["[d]", "  sequence = 3,1", "  seq_timeout = ten"],
    expect: [{ line: 3, text: "ten" }],
  },
  {
    code: "KT105",
    name: "single knock still works",
    conf: ["[d]", "  sequence = 7000", "  seq_timeout = 0"],
    expect: [],
  },
  { code: "KT105", name: "positive", conf: ["[d]", "  sequence = 3,1,2", "  seq_timeout = 1"], expect: [] },
  // KT201 port-zero
  {
    code: "KT201",
    name: "trailing comma",
    conf: ["[d]", "  sequence = 7000,8000,"],
    expect: [{ line: 2, text: ",", nth: 2 }],
  },
  {
    code: "KT201",
    name: "garbage item",
    conf: ["[d]", "  sequence = 7000, abc ,8000"],
    expect: [{ line: 2, text: "abc" }],
  },
  {
    code: "KT201",
    name: "empty middle item",
    conf: ["[d]", "  sequence = 7000,,8000"],
    expect: [{ line: 2, text: "," }],
  },
  {
    code: "KT201",
    name: "blank middle item",
    conf: ["[d]", "  sequence = 7000,  ,8000"],
    expect: [{ line: 2, text: "  ", nth: 2 }],
  },
  {
    code: "KT201",
    name: "empty sequence",
    conf: ["[d]", "  sequence ="],
    expect: [{ line: 2, text: "sequence =" }],
  },
  {
    code: "KT201",
    name: "plain numbers with blanks",
    conf: ["[d]", "  sequence = 7000, 8000 ,9000:udp"],
    expect: [],
  },
  // KT202 number-trailing-garbage
  {
    code: "KT202",
    name: "port with junk",
    conf: ["[d]", "  sequence = 7000x,8000"],
    expect: [{ line: 2, text: "x" }],
  },
  {
    code: "KT202",
    name: "junk after protocol",
    conf: ["[d]", "  sequence = 9000:tcp:junk"],
    expect: [{ line: 2, text: ":junk" }],
  },
  {
    code: "KT202",
    name: "timeouts with units",
    conf: ["[d]", "  seq_timeout = 5s", "  cmd_timeout = 30 sec"],
    expect: [{ line: 2, text: "s", nth: 2 }, { line: 3, text: "sec" }],
  },
  {
    code: "KT202",
    name: "plain numbers and a blank before the protocol",
    conf: ["[d]", "  sequence = 8000 :udp,7000", "  seq_timeout = 5", "  cmd_timeout = 30"],
    expect: [],
  },
  {
    code: "KT202",
    name: "comment is KT206's job",
    conf: ["[d]", "  sequence = 7000,8000 # note", "  seq_timeout = 5 # s"],
    expect: [],
  },
  // KT203 negative-port
  {
    code: "KT203",
    name: "minus one",
    conf: ["[d]", "  sequence = 7000, -1 ,9000"],
    expect: [{ line: 2, text: "-1" }],
  },
  { code: "KT203", name: "minus zero is zero", conf: ["[d]", "  sequence = 7000,-0,9000"], expect: [] },
  // KT204 options-section-case
  {
    code: "KT204",
    name: "capitalised",
    conf: ["[Options]", "  UseSyslog"],
    expect: [{ line: 1, text: "Options" }],
  },
  {
    code: "KT204",
    name: "blanks",
    conf: ["[ options ]", "  UseSyslog"],
    expect: [{ line: 1, text: " options " }],
  },
  {
    code: "KT204",
    name: "exact",
    conf: ["[options]", "  UseSyslog", "[optionsSSH]", "  sequence = 1,2"],
    expect: [],
  },
  // KT205 usesyslog-in-door
  {
    code: "KT205",
    name: "in a door",
    conf: ["[d]", "  sequence = 3,1", "  UseSyslog"],
    expect: [{ line: 3, text: "UseSyslog" }],
  },
  {
    code: "KT205",
    name: "in options",
    conf: ["[options]", "  UseSyslog", "[d]", "  sequence = 3,1"],
    expect: [],
  },
  // KT206 inline-hash
  {
    code: "KT206",
    name: "comment after a path",
    conf: ["[options]", "  logfile = /var/log/k.log # weekly"],
    expect: [{ line: 2, text: "# weekly" }],
  },
  {
    code: "KT206",
    name: "comment after a sequence",
    conf: ["[d]", "  sequence = 7000,8000 # ssh"],
    expect: [{ line: 2, text: "# ssh" }],
  },
  {
    code: "KT206",
    name: "shell comment in a command",
    conf: ["[d]", "  command = a %IP% #x"],
    expect: [{ line: 2, text: "#x" }],
  },
  {
    code: "KT206",
    name: "hash inside a shell word",
    conf: ["[d]", "  command = nft add element inet f s{%IP%} comment k#1"],
    expect: [],
  },
  // KT207 otp-line-without-space
  {
    code: "KT207",
    name: "lines without a leading space",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile("# used\n 1111,2222\n3333,4444\n5555,6666\n"),
    expect: [{ line: 3, text: "3", file: OTP }],
  },
  {
    code: "KT207",
    name: "every line indented",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile(" 1111,2222\n\t3333,4444\n#555,6666\n"),
    expect: [],
  },
  // KT208 monotonic-sequence
  {
    code: "KT208",
    name: "ascending",
    conf: ["[d]", "  sequence = 7000,8000,9000"],
    expect: [{ line: 2, text: "7000,8000,9000" }],
  },
  {
    code: "KT208",
    name: "descending udp",
    conf: ["[d]", "  sequence = 9000:udp, 8000:udp"],
    expect: [{ line: 2, text: "9000:udp, 8000:udp" }],
  },
  { code: "KT208", name: "mixed order", conf: ["[d]", "  sequence = 8000,7000,9000"], expect: [] },
  {
    code: "KT208",
    name: "ascending but strict (knocktool's Strict = yes: a scan cannot open it)",
    conf: [
      "[d]",
      "  sequence = 7000,8000,9000",
      "  strict = yes",
      "[e]",
      "  sequence = 1,2",
      "  strict = no",
    ],
    expect: [{ line: 5, text: "1,2" }],
  },
  { code: "KT208", name: "repeated port", conf: ["[d]", "  sequence = 7000,7000,8000"], expect: [] },
  { code: "KT208", name: "mixed protocols", conf: ["[d]", "  sequence = 7000,8000:udp,9000"], expect: [] },
  {
    code: "KT208",
    name: "ascending one-time sequence",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile(" 8000,7000,9000\n  1000,2000,3000 \n 5,4,6\n 9,8\n"),
    expect: [{ line: 2, text: "1000,2000,3000", file: OTP }],
  },
  {
    code: "KT208",
    name: "mixed one-time sequences",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    files: otpFile(" 8000,7000,9000\n 1000:udp,2000\n"),
    expect: [],
  },
  // KT209 well-known-port
  {
    code: "KT209",
    name: "ssh and mysql",
    conf: ["[d]", "  sequence = 9000,22,3306"],
    expect: [{ line: 2, text: "22" }, { line: 2, text: "3306" }],
  },
  { code: "KT209", name: "unassigned high ports", conf: ["[d]", "  sequence = 9000,2222,33060"], expect: [] },
  // KT210 single-port-door
  {
    code: "KT210",
    name: "single tcp knock",
    conf: ["[d]", "  sequence = 7000"],
    expect: [{ line: 2, text: "7000" }],
  },
  {
    code: "KT210",
    name: "single udp knock",
    conf: ["[d]", "  sequence =  4000:udp "],
    expect: [{ line: 2, text: "4000:udp" }],
  },
  { code: "KT210", name: "two knocks", conf: ["[d]", "  sequence = 7000,6000"], expect: [] },
  // KT211 duplicate-sequence
  {
    code: "KT211",
    name: "same sequence",
    conf: ["[a]", "  sequence = 7000,6000", "[b]", "  sequence = 7000:tcp,6000"],
    expect: [{ line: 4, text: "7000:tcp,6000" }],
  },
  {
    code: "KT211",
    name: "earlier door is a prefix",
    conf: ["[a]", "  sequence = 7000,6000", "[b]", "  sequence = 7000,6000,9000"],
    expect: [{ line: 4, text: "7000,6000,9000" }],
  },
  {
    code: "KT211",
    name: "later door is a prefix",
    conf: ["[a]", "  sequence = 7000,6000,9000", "[b]", "  sequence = 7000"],
    expect: [{ line: 4, text: "7000" }],
  },
  {
    code: "KT211",
    name: "same ports, other protocol",
    conf: [
      "[a]",
      "  sequence = 7000,6000",
      "[b]",
      "  sequence = 7000:udp,6000",
      "[c]",
      "  sequence = 6000,7000",
    ],
    expect: [],
  },
  // KT212 short-seq-timeout
  {
    code: "KT212",
    name: "one second",
    conf: ["[d]", "  sequence = 3,1", "  seq_timeout = 1"],
    expect: [{ line: 3, text: "1" }],
  },
  {
    code: "KT212",
    name: "fewer seconds than knocks",
    conf: ["[d]", "  sequence = 3,1,4,2", "  seq_timeout = 3"],
    expect: [{ line: 3, text: "3" }],
  },
  {
    code: "KT212",
    name: "a second per knock",
    conf: ["[d]", "  sequence = 3,1,4,2", "  seq_timeout = 4"],
    expect: [],
  },
  { code: "KT212", name: "single knock", conf: ["[d]", "  sequence = 3", "  seq_timeout = 1"], expect: [] },
  // KT213 cmd-timeout
  {
    code: "KT213",
    name: "negative",
    conf: ["[d]", "  stop_command = b %IP%", "  start_command = a %IP%", "  cmd_timeout = -1"],
    expect: [{ line: 4, text: "-1" }],
  },
  {
    code: "KT213",
    name: "zero",
    conf: ["[d]", "  start_command = a %IP%", "  stop_command = b %IP%", "  cmd_timeout = 0"],
    expect: [{ line: 4, text: "0" }],
  },
  {
    code: "KT213",
    name: "no stop command",
    conf: ["[d]", "  start_command = a %IP%", "  cmd_timeout = -1"],
    expect: [],
  },
  {
    code: "KT213",
    name: "positive",
    conf: ["[d]", "  start_command = a %IP%", "  stop_command = b %IP%", "  cmd_timeout = 5"],
    expect: [],
  },
  // KT214 stop-without-start
  {
    code: "KT214",
    name: "stop only",
    conf: ["[d]", "  sequence = 3,1", "  Stop_Command = b %IP%"],
    expect: [{ line: 3, text: "Stop_Command" }],
  },
  {
    code: "KT214",
    name: "start via the Command alias",
    conf: ["[d]", "  Command = a %IP%", "  stop_command = b %IP%"],
    expect: [],
  },
  // KT215 command-without-ip
  {
    code: "KT215",
    name: "start without %IP%",
    conf: ["[d]", "  start_command = iptables -A INPUT -p tcp --dport 22 -j ACCEPT"],
    expect: [{ line: 2, text: "iptables -A INPUT -p tcp --dport 22 -j ACCEPT" }],
  },
  {
    code: "KT215",
    name: "lower-case %ip%",
    conf: ["[d]", "  command_6 = ip6tables -A INPUT -s %ip% -j ACCEPT"],
    expect: [{ line: 2, text: "ip6tables -A INPUT -s %ip% -j ACCEPT" }],
  },
  {
    code: "KT215",
    name: "stop cannot close",
    conf: ["[d]", "  start_command = add %IP%", "  stop_command = flush"],
    expect: [{ line: 3, text: "flush" }],
  },
  {
    code: "KT215",
    name: "both use %IP%",
    conf: ["[d]", "  start_command = add %IP%", "  stop_command = del %IP%"],
    expect: [],
  },
  // KT216 tcpflags-on-udp
  {
    code: "KT216",
    name: "udp only",
    conf: ["[d]", "  sequence = 7000:udp,6000:udp", "  tcpflags = syn"],
    expect: [{ line: 3, text: "syn" }],
  },
  {
    code: "KT216",
    name: "one tcp knock",
    conf: ["[d]", "  sequence = 7000:udp,6000", "  tcpflags = syn"],
    expect: [],
  },
  // KT217 missing-tcpflags
  {
    code: "KT217",
    name: "tcp door without flags",
    conf: ["[openSSH]", "  sequence = 7000,6000"],
    expect: [{ line: 1, text: "openSSH" }],
  },
  { code: "KT217", name: "udp door", conf: ["[d]", "  sequence = 7000:udp,6000:udp"], expect: [] },
  {
    code: "KT217",
    name: "flags given",
    conf: ["[d]", "  sequence = 7000,6000", "  TCPFlags = syn,!ack"],
    expect: [],
  },
  // KT218 writable-file
  {
    code: "KT218",
    name: "group-writable config",
    conf: ["[d]", "  sequence = 3,1"],
    mode: 0o664,
    expect: ["file"],
  },
  {
    code: "KT218",
    name: "world-writable one-time file",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    mode: 0o600,
    files: otpFile(" 1,2\n", 0o646),
    expect: [{ line: 2, text: OTP }],
  },
  {
    code: "KT218",
    name: "private files",
    conf: ["[d]", `  one_time_sequences = ${OTP}`],
    mode: 0o644,
    files: otpFile(" 1,2\n", 0o600),
    expect: [],
  },
  // KT219 duplicate-door-name
  {
    code: "KT219",
    name: "same name twice",
    conf: ["[ssh]", "  sequence = 3,1", "[ssh]", "  sequence = 1,3"],
    expect: [{ line: 3, text: "ssh" }],
  },
  {
    code: "KT219",
    name: "names differ in case",
    conf: ["[ssh]", "  sequence = 3,1", "[SSH]", "  sequence = 1,3"],
    expect: [],
  },
  // KT220 ipv6-never-closed
  {
    code: "KT220",
    name: "empty stop_command_6 with the start fallback",
    conf: ["[d]", "  start_command = a %IP%", "  stop_command = b %IP%", "  stop_command_6 ="],
    expect: [{ line: 4, text: "stop_command_6 =" }],
  },
  {
    code: "KT220",
    name: "nothing for IPv6 on both sides",
    conf: ["[d]", "  start_command = a %IP%", "  start_command_6 =", "  stop_command_6 ="],
    expect: [],
  },
  {
    code: "KT220",
    name: "no stop command for IPv4 either",
    conf: ["[d]", "  start_command = a %IP%", "  stop_command_6 ="],
    expect: [],
  },
  // KT221 relative-path
  {
    code: "KT221",
    name: "relative logfile",
    conf: ["[options]", "  LogFile = knockd.log"],
    expect: [{ line: 2, text: "knockd.log" }],
  },
  {
    code: "KT221",
    name: "relative one-time file",
    conf: ["[d]", "  one_time_sequences = otp.txt"],
    expect: [{ line: 2, text: "otp.txt" }],
  },
  {
    code: "KT221",
    name: "absolute paths",
    conf: ["[options]", "  LogFile = /var/log/knockd.log", "  PidFile = /run/knockd.pid"],
    expect: [],
  },
  // KT222 overridden-directive
  {
    code: "KT222",
    name: "two sequences and a Command alias",
    conf: [
      "[d]",
      "  sequence = 7000,6000",
      "  start_command = a %IP%",
      "  command = b %IP%",
      "  Sequence = 2,1",
    ],
    expect: [{ line: 2, text: "sequence = 7000,6000" }, { line: 3, text: "start_command = a %IP%" }],
  },
  {
    code: "KT222",
    name: "options across sections",
    conf: ["[options]", "  LogFile = /a", "[d]", "  sequence = 2,1", "[options]", "  logfile = /b"],
    expect: [{ line: 2, text: "LogFile = /a" }],
  },
  {
    code: "KT222",
    name: "tcpflags accumulate",
    conf: ["[d]", "  sequence = 2,1", "  tcpflags = syn", "  tcpflags = !ack"],
    expect: [],
  },
  // KT106 bad-strict-value (the parser's check of knocktool's Strict directive)
  {
    code: "KT106",
    name: "Strict = true",
    conf: ["[d]", "  sequence = 2,1", "  Strict = true"],
    expect: [{ line: 3, text: "true" }],
  },
  {
    code: "KT106",
    name: "Strict = YES and no",
    conf: ["[d]", "  sequence = 2,1", "  STRICT = YES", "[e]", "  sequence = 3,1", "  strict=no"],
    expect: [],
  },
  // KT107 bad-cooldown-value
  {
    code: "KT107",
    name: "a unit, a sign, an exponent, too large",
    conf: [
      "[d]",
      "  sequence = 2,1",
      "  Cooldown = 30s",
      "  cooldown = -1",
      "  cooldown = 1e3",
      "  cooldown = 31536001",
      "  cooldown =",
    ],
    expect: [
      { line: 3, text: "30s" },
      { line: 4, text: "-1" },
      { line: 5, text: "1e3" },
      { line: 6, text: "31536001" },
      { line: 7, text: "cooldown =" },
    ],
  },
  {
    code: "KT107",
    name: "whole and decimal seconds, zero, the maximum",
    conf: [
      "[d]",
      "  sequence = 2,1",
      "  Cooldown = 30",
      "  cooldown = 2.5",
      "  cooldown=0",
      "  cooldown = 31536000",
    ],
    expect: [],
  },
  // KT108 empty-interface
  {
    code: "KT108",
    name: "empty Interface",
    conf: ["[options]", "  Interface =", "[d]", "  sequence = 2,1"],
    expect: [{ line: 2, text: "Interface =" }],
  },
  {
    code: "KT108",
    name: "empty names in an Interface list: trailing, leading and doubled commas, a blank",
    conf: [
      "[options]",
      "  interface = eth0,",
      "  Interface = ,eth0,,wlan0, ,eth1",
      "[d]",
      "  sequence = 2,1",
    ],
    expect: [{ line: 3, text: "," }, { line: 3, text: ",", nth: 3 }, { line: 3, text: ",", nth: 5 }],
  },
  {
    code: "KT108",
    name: "a later Interface line replaces an empty one; lists with spaces",
    conf: ["[options]", "  Interface =", "[options]", "  Interface = eth0, wlan0", "[d]", "  sequence = 2,1"],
    expect: [],
  },
  // KT224 duplicate-interface
  {
    code: "KT224",
    name: "an interface named twice, and three times",
    conf: [
      "[options]",
      "  Interface = eth0,eth0",
      "  Interface = lo, wlan0,lo ,lo",
      "[d]",
      "  sequence = 2,1",
    ],
    expect: [{ line: 3, text: "lo", nth: 2 }, { line: 3, text: "lo", nth: 3 }],
  },
  {
    code: "KT224",
    name: "different interfaces (case matters)",
    conf: ["[options]", "  Interface = eth0,ETH0,eth1", "[d]", "  sequence = 2,1"],
    expect: [],
  },
  // KT223 knocktool-directive
  {
    code: "KT223",
    name: "Strict and Cooldown lines (any case) in two doors",
    conf: ["[d]", "  sequence = 2,1", "  Strict = yes", "[e]", "  sequence = 3,1", "  COOLDOWN=5"],
    expect: [{ line: 3, text: "Strict" }, { line: 6, text: "COOLDOWN" }],
  },
  {
    code: "KT223",
    name: "knockd's own keys only",
    conf: ["[d]", "  sequence = 2,1", "  seq_timeout = 5", "  tcpflags = syn"],
    expect: [],
  },
  // KT144 nft-no-timeout
  {
    code: "KT144",
    name: "an nftables set without Nft_Timeout or Cmd_Timeout",
    conf: ["[d]", "  sequence = 2,1", "  Nft_Set = inet f k4", "  Nft_Set_6 = inet f k6"],
    expect: [{ line: 4, text: "Nft_Set_6" }],
  },
  {
    code: "KT144",
    name: "Cmd_Timeout 0 as the element timeout",
    conf: ["[d]", "  sequence = 2,1", "  Nft_Set = inet f k4", "  cmd_timeout = 0"],
    expect: [{ line: 4, text: "0" }],
  },
  {
    code: "KT144",
    name: "Nft_Timeout, or a positive Cmd_Timeout line",
    conf: [
      "[d]",
      "  sequence = 2,1",
      "  Nft_Set = inet f k4",
      "  Nft_Timeout = 5m",
      "[e]",
      "  sequence = 3,1",
      "  Nft_Set = inet f k4",
      "  cmd_timeout = 20",
    ],
    expect: [],
  },
  // KT240 nft-directive-without-set
  {
    code: "KT240",
    name: "Nft_Port and Nft_Timeout without a set",
    conf: ["[d]", "  sequence = 2,1", "  Nft_Port = 22", "  Nft_Timeout = 30"],
    expect: [{ line: 3, text: "Nft_Port" }, { line: 4, text: "Nft_Timeout" }],
  },
  {
    code: "KT240",
    name: "with an IPv6 set only",
    conf: ["[d]", "  sequence = 2,1", "  Nft_Set_6 = inet f k6", "  Nft_Port = 22", "  Nft_Timeout = 30"],
    expect: [],
  },
  // KT152 spa-window-too-long
  {
    code: "KT152",
    name: "an SPA window of an hour",
    conf: [...SPA_CONF, "  SPA_Window = 3600"],
    files: spaFiles(),
    expect: [{ line: 5, text: "3600" }],
  },
  {
    code: "KT152",
    name: "an SPA window of 10 minutes",
    conf: [...SPA_CONF, "  SPA_Window = 600"],
    files: spaFiles(),
    expect: [],
  },
  // KT153 spa-file-unreadable
  {
    code: "KT153",
    name: "the server key is missing",
    conf: SPA_CONF,
    files: { [SPA_USERS]: spaFiles()[SPA_USERS]! },
    expect: [{ line: 3, text: SPA_KEY }],
  },
  {
    code: "KT153",
    name: "both files there",
    conf: SPA_CONF,
    files: spaFiles(),
    expect: [],
  },
  // KT154 spa-key-exposed
  {
    code: "KT154",
    name: "a world-readable server key",
    conf: SPA_CONF,
    files: spaFiles(0o644),
    expect: [{ line: 3, text: SPA_KEY }],
  },
  {
    code: "KT154",
    name: "a private server key",
    conf: SPA_CONF,
    files: spaFiles(0o600),
    expect: [],
  },
  // KT155 spa-bad-user-line
  {
    code: "KT155",
    name: "a users line with one word",
    conf: SPA_CONF,
    files: { ...spaFiles(), [SPA_USERS]: { kind: "file", text: `${SPA_USER_LINE}carol\n`, mode: 0o600 } },
    expect: [{ line: 2, text: "carol", file: SPA_USERS }],
  },
  {
    code: "KT155",
    name: "comments and a user",
    conf: SPA_CONF,
    files: { ...spaFiles(), [SPA_USERS]: { kind: "file", text: `# who\n\n${SPA_USER_LINE}`, mode: 0o600 } },
    expect: [],
  },
  // KT156 spa-incomplete
  {
    code: "KT156",
    name: "an SPA door without users, an SPA directive without SPA_Port",
    conf: [
      "[d]",
      "  SPA_Port = 62201",
      "  SPA_Server_Key = /k",
      "[e]",
      "  sequence = 2,1",
      "  SPA_Window = 30",
    ],
    expect: [{ line: 1, text: "[d]" }, { line: 6, text: "SPA_Window" }],
  },
  {
    code: "KT156",
    name: "a complete SPA door",
    conf: SPA_CONF,
    files: spaFiles(),
    expect: [],
  },
  // KT250 spa-with-sequence
  {
    code: "KT250",
    name: "an SPA door with a sequence too",
    conf: [...SPA_CONF, "  sequence = 2,1"],
    files: spaFiles(),
    expect: [{ line: 1, text: "[d]" }],
  },
  {
    code: "KT250",
    name: "an SPA door alone",
    conf: SPA_CONF,
    files: spaFiles(),
    expect: [],
  },
  // KT251 spa-no-users
  {
    code: "KT251",
    name: "an empty users file",
    conf: SPA_CONF,
    files: { ...spaFiles(), [SPA_USERS]: { kind: "file", text: "# all revoked\n", mode: 0o600 } },
    expect: [{ line: 4, text: SPA_USERS }],
  },
  {
    code: "KT251",
    name: "a users file with a user",
    conf: SPA_CONF,
    files: spaFiles(),
    expect: [],
  },
  // KT301 nft-set-missing
  {
    code: "KT301",
    name: "the set is not in the kernel",
    conf: NFT_CONF,
    nft: nftFacts([]),
    expect: [{ line: 3, text: "inet filter k4" }],
  },
  {
    code: "KT301",
    name: "the set is there (or no --check-firewall)",
    conf: NFT_CONF,
    nft: nftFacts([{ name: "k4", type: ["ipv4_addr"], flags: ["timeout"] }]),
    expect: [],
  },
  // KT302 nft-set-mismatch
  {
    code: "KT302",
    name: "the set has no timeout flag",
    conf: NFT_CONF,
    nft: nftFacts([{ name: "k4", type: ["ipv4_addr"], flags: [] }]),
    expect: [{ line: 3, text: "inet filter k4" }],
  },
  {
    code: "KT302",
    name: "a set missing is KT301's",
    conf: NFT_CONF,
    nft: nftFacts([]),
    expect: [],
  },
  // KT303 nft-unreadable
  {
    code: "KT303",
    name: "the ruleset could not be read",
    conf: NFT_CONF,
    nft: { ok: false, reason: "cannot list the nftables tables: Operation not permitted" },
    expect: [{ line: 3, text: "Nft_Set" }],
  },
  {
    code: "KT303",
    name: "the ruleset was read",
    conf: NFT_CONF,
    nft: nftFacts([]),
    expect: [],
  },
  // KT137 totp-door-conflict
  {
    code: "KT137",
    name: "a TOTP door with a sequence, two secrets, a TOTP line without a secret",
    conf: [
      "[d]",
      "  sequence = 2,1",
      "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      "[e]",
      "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      "  TOTP_Secret_File = /etc/knocktool/d.totp",
      "[f]",
      "  sequence = 3,1",
      "  TOTP_Step = 30",
    ],
    files: totpFile("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n"),
    expect: [{ line: 2, text: "sequence" }, { line: 6, text: "TOTP_Secret_File" }, {
      line: 9,
      text: "TOTP_Step",
    }],
  },
  {
    code: "KT137",
    name: "a TOTP door alone",
    conf: ["[d]", "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "  TOTP_Ports = 20000-40000"],
    expect: [],
  },
  // KT138 totp-range-too-small
  {
    code: "KT138",
    name: "four knocks from three ports, one of them reserved",
    conf: [
      "[d]",
      "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      "  TOTP_Length = 4",
      "  TOTP_Ports = 7999-8002",
    ],
    expect: [{ line: 4, text: "7999-8002" }],
  },
  {
    code: "KT138",
    name: "four knocks from exactly four ports",
    conf: [
      "[d]",
      "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      "  TOTP_Length = 4",
      "  TOTP_Ports = 20000-20003",
    ],
    expect: [],
  },
  // KT139 totp-secret-unreadable
  {
    code: "KT139",
    name: "a missing secret file, and one that is not base32",
    conf: ["[d]", "  TOTP_Secret_File = /nonexistent", "[e]", "  TOTP_Secret_File = /etc/knocktool/d.totp"],
    files: totpFile("not a secret!\n"),
    expect: [{ line: 2, text: "/nonexistent" }, { line: 4, text: "/etc/knocktool/d.totp" }],
  },
  {
    code: "KT139",
    name: "a secret file holding base32",
    conf: ["[d]", "  TOTP_Secret_File = /etc/knocktool/d.totp"],
    files: totpFile("JBSWY3DPEHPK3PXP JBSWY3DPEHPK3PXP\n"),
    expect: [],
  },
  // KT230 totp-short-secret
  {
    code: "KT230",
    name: "an 80-bit secret, inline and in a file",
    conf: ["[d]", "  TOTP_Secret = JBSWY3DPEHPK3PXP", "[e]", "  TOTP_Secret_File = /etc/knocktool/d.totp"],
    files: totpFile("JBSWY3DPEHPK3PXP\n"),
    expect: [{ line: 2, text: "JBSWY3DPEHPK3PXP" }, { line: 4, text: "/etc/knocktool/d.totp" }],
  },
  {
    code: "KT230",
    name: "a 160-bit secret",
    conf: ["[d]", "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
    expect: [],
  },
  // KT231 totp-short-step
  {
    code: "KT231",
    name: "a 5 s step",
    conf: ["[d]", "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "  TOTP_Step = 5"],
    expect: [{ line: 3, text: "5" }],
  },
  {
    code: "KT231",
    name: "a 10 s step",
    conf: ["[d]", "  TOTP_Secret = JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "  TOTP_Step = 10"],
    expect: [],
  },
  // KT221 relative-path, for knocktool's TOTP_Secret_File too
  {
    code: "KT221",
    name: "a relative TOTP_Secret_File",
    conf: ["[d]", "  TOTP_Secret_File = keys/d.totp"],
    expect: [{ line: 2, text: "keys/d.totp" }],
  },
  // KT232 totp-secret-readable
  {
    code: "KT232",
    name: "a secret file of mode 0644",
    conf: ["[d]", "  TOTP_Secret_File = /etc/knocktool/d.totp"],
    files: totpFile("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n", 0o644),
    expect: [{ line: 2, text: "/etc/knocktool/d.totp" }],
  },
  {
    code: "KT232",
    name: "a secret file of mode 0600",
    conf: ["[d]", "  TOTP_Secret_File = /etc/knocktool/d.totp"],
    files: totpFile("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n", 0o600),
    expect: [],
  },
];

function columnOf(lineText: string, text: string, nth: number): number {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = lineText.indexOf(text, at + 1);
    if (at === -1) throw new Error(`test bug: "${text}" #${nth} not on line "${lineText}"`);
  }
  return at + 1;
}

for (const c of CASES) {
  Deno.test(`${c.code} ${c.expect.length > 0 ? "reports" : "does not report"}: ${c.name}`, () => {
    const text = c.conf.join("\n") + "\n";
    const files = c.files ?? {};
    const result = lintConfig(text, {
      file: "test.conf",
      ...(c.mode !== undefined ? { mode: c.mode } : {}),
      readFile: (path) => files[path] ?? { kind: "error", message: "No such file or directory" },
      ...(c.nft === undefined ? {} : { nftables: () => c.nft! }),
    });
    const got = result.diagnostics.filter((d) => d.code === c.code);
    // KT1xx are errors, KT2xx warnings; the firewall's KT3xx say theirs.
    const severity = c.code.startsWith("KT3")
      ? LINT_RULES.find((r) => r.info.code === c.code)!.info.severity
      : c.code.startsWith("KT1")
      ? "error"
      : "warning";
    const actual = got.map((d) => ({
      file: d.file,
      severity: d.severity,
      line: d.span?.line,
      column: d.span?.column,
      endColumn: d.span?.endColumn,
    }));
    const expected = c.expect.map((e) => {
      if (e === "file") {
        return { file: "test.conf", severity, line: undefined, column: undefined, endColumn: undefined };
      }
      const source = e.file !== undefined ? (files[e.file] as { text: string }).text : text;
      const column = columnOf(source.split("\n")[e.line - 1]!, e.text, e.nth ?? 1);
      return {
        file: e.file ?? "test.conf",
        severity,
        line: e.line,
        column,
        endColumn: column + e.text.length,
      };
    });
    assert.deepEqual(actual, expected, JSON.stringify(got, null, 1));
    for (const d of got) {
      assert.ok(d.message.length > 0 && !d.message.endsWith("."), `message style: ${d.message}`);
    }
  });
}

Deno.test("every lint rule has a triggering case and a near miss in the table", () => {
  for (const rule of LINT_RULES) {
    const cases = CASES.filter((c) => c.code === rule.info.code);
    assert.ok(cases.some((c) => c.expect.length > 0), `${rule.info.code} has no triggering case`);
    assert.ok(cases.some((c) => c.expect.length === 0), `${rule.info.code} has no near miss`);
  }
});

Deno.test("KT210 says a single UDP knock fires on every packet, unless a Cooldown stops the repeats", () => {
  const messages = (conf: string) =>
    lintConfig(conf).diagnostics.filter((d) => d.code === "KT210").map((d) => d.message);
  assert.deepEqual(messages("[d]\nsequence = 4000:udp\n"), [
    'Door "d" has a single UDP knock; every UDP packet to port 4000 opens it and runs its command again',
  ]);
  assert.deepEqual(messages("[d]\nsequence = 4000:udp\ncooldown = 30\n"), [
    'Door "d" has a single knock; any one packet to port 4000/udp, such as from a port scan, opens it',
  ]);
});
