// Table-driven tests of parseConfig against docs/knockd.md §1 (every case
// was also checked against the real knockd 0.8 binary, `knockd -D -c FILE`).
import assert from "node:assert/strict";
import { type Config, type Door, parseConfig, type ParseResult } from "../../../core/config/mod.ts";

function seq(door: Door | undefined): string {
  assert.ok(door, "door exists");
  return door.sequence.map((s) => `${s.port}:${s.protocol}`).join(",");
}

function door(config: Config, index = 0): Door {
  const d = config.doors[index];
  assert.ok(d, `door #${index} exists`);
  return d;
}

function flags(d: Door): string {
  return [...d.tcpFlags].map(([f, s]) => (s === "clear" ? "!" : "") + f).sort().join(",");
}

interface Accepted {
  readonly name: string;
  readonly text: string;
  readonly check: (r: ParseResult) => void;
}

export const accepted: readonly Accepted[] = [
  {
    name: "CRLF line endings are trimmed away",
    text: "[options]\r\n logfile = /tmp/k.log\r\n[d]\r\nsequence = 1,2\r\ncommand = echo hi\r\n",
    check: (r) => {
      assert.equal(r.config.options.logFile?.value, "/tmp/k.log");
      assert.equal(seq(door(r.config)), "1:tcp,2:tcp");
      assert.equal(door(r.config).startCommand?.value, "echo hi");
    },
  },
  {
    name: "comments only at line start (after blanks); empty lines skipped",
    text: "# top\n\n   # indented comment\n[d]\n\t#sequence = 9\nsequence = 1\n",
    check: (r) => assert.equal(seq(door(r.config)), "1:tcp"),
  },
  {
    name: "no inline comments: atoi stops at '#' in a sequence, commands keep it",
    text: "[d]\nsequence=7000,8000 # c\ncommand = echo hi # c\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "7000:tcp,8000:tcp");
      assert.equal(door(r.config).sequence[1]?.raw, "8000 # c");
      assert.equal(door(r.config).startCommand?.value, "echo hi # c");
    },
  },
  {
    name: "keys are case-insensitive and trimmed; the value keeps further '='",
    text: "[d]\n  SeQuEnCe   =  1 \nSTART_COMMAND= a=b = c\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "1:tcp");
      assert.equal(door(r.config).startCommand?.value, "a=b = c");
      const dir = door(r.config).section.directives[0];
      assert.equal(dir?.key, "SeQuEnCe");
      assert.equal(dir?.normalizedKey, "SEQUENCE");
    },
  },
  {
    name: "[Options] is a door (case-sensitive), [options] is the options section",
    text: "[Options]\nsequence = 5\n[options]\ninterface = wlan0\n",
    check: (r) => {
      assert.equal(r.config.doors.length, 1);
      assert.equal(door(r.config).name, "Options");
      assert.equal(r.config.options.interface?.value, "wlan0");
      assert.deepEqual(r.config.sections.map((s) => s.isOptions), [false, true]);
    },
  },
  {
    name: "duplicate door names make separate doors; a later [options] is fine",
    text: "[d]\nsequence=1,2\n[d]\nsequence=3\n[options]\npidfile = /p\n",
    check: (r) => {
      assert.equal(r.config.doors.length, 2);
      assert.equal(seq(door(r.config, 0)), "1:tcp,2:tcp");
      assert.equal(seq(door(r.config, 1)), "3:tcp");
      assert.equal(r.config.options.pidFile?.value, "/p");
    },
  },
  {
    name: "bare UseSyslog is accepted in [options] and in a door",
    text: "[d]\nsequence=1\n  usesyslog  \n",
    check: (r) => {
      assert.equal(r.config.options.useSyslog?.value, true);
      assert.equal(r.config.options.useSyslog?.span.line, 3);
    },
  },
  {
    name: "the three options with later lines winning across [options] sections",
    text: "[options]\nLogFile = /a\nPidFile=/b\nInterface = eth1\n[options]\nlogfile = /c\n",
    check: (r) => {
      assert.equal(r.config.options.logFile?.value, "/c");
      assert.equal(r.config.options.pidFile?.value, "/b");
      assert.equal(r.config.options.interface?.value, "eth1");
      assert.equal(r.config.options.useSyslog, undefined);
    },
  },
  {
    name: "a config with only [options] and no doors is accepted",
    text: "[options]\nlogfile = /x\n",
    check: (r) => assert.equal(r.config.doors.length, 0),
  },
  {
    name: "an empty file is accepted",
    text: "",
    check: (r) => assert.deepEqual(r.config, { options: {}, doors: [], sections: [] }),
  },
  {
    name: "§2.2: abc,-1, 8000 :UDP ,9000:tcp:junk → tcp 0, tcp 65535, udp 8000, tcp 9000",
    text: "[d]\nsequence = abc,-1, 8000 :UDP ,9000:tcp:junk\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "0:tcp,65535:tcp,8000:udp,9000:tcp");
      assert.deepEqual(door(r.config).sequence.map((s) => s.raw), [
        "abc",
        "-1",
        " 8000 :UDP ",
        "9000:tcp:junk",
      ]);
    },
  },
  {
    name: "§2.2: 7000,8000,9000 with tcpflags=syn",
    text: "[openSSH]\nsequence = 7000,8000,9000\ntcpflags = syn\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "7000:tcp,8000:tcp,9000:tcp");
      assert.equal(flags(door(r.config)), "syn");
    },
  },
  {
    name: "§2.2: 5000 plus udp 4000,4001 with tcpflags=syn,!ack",
    text: "[d]\nsequence = 5000,4000:udp,4001:udp\ntcpflags = syn,!ack\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "5000:tcp,4000:udp,4001:udp");
      assert.equal(flags(door(r.config)), "!ack,syn");
    },
  },
  {
    name: "trailing comma adds port 0; empty sequence is port 0",
    text: "[a]\nsequence = 7000,8000,\n[b]\nsequence =\n",
    check: (r) => {
      assert.equal(seq(door(r.config, 0)), "7000:tcp,8000:tcp,0:tcp");
      assert.equal(seq(door(r.config, 1)), "0:tcp");
      assert.equal(door(r.config, 1).sequence[0]?.raw, "");
    },
  },
  {
    name: "atoi semantics: leading blanks and sign, overflow like glibc, -70000 wraps",
    text: "[d]\nsequence=99999999999999999999,4294967296,4294967297,-70000, +5,7000x\n",
    check: (r) => assert.equal(seq(door(r.config)), "65535:tcp,0:tcp,1:tcp,61072:tcp,5:tcp,7000:tcp"),
  },
  {
    name: "32 ports are allowed, single-port sequences too",
    text: `[a]\nsequence=${Array.from({ length: 32 }, (_, i) => i + 1).join(",")}\n[b]\nsequence=22\n`,
    check: (r) => {
      assert.equal(door(r.config, 0).sequence.length, 32);
      assert.equal(seq(door(r.config, 1)), "22:tcp");
    },
  },
  {
    name: "protocols are trimmed and case-insensitive",
    text: "[d]\nsequence = 1:udp,2: Tcp ,3:UDP\n",
    check: (r) => assert.equal(seq(door(r.config)), "1:udp,2:tcp,3:udp"),
  },
  {
    name: "a later Sequence replaces the earlier one",
    text: "[d]\nsequence = 1,2,3\nsequence = 4\n",
    check: (r) => {
      assert.equal(seq(door(r.config)), "4:tcp");
      assert.equal(door(r.config).sequenceSource, "sequence");
    },
  },
  {
    name: "One_Time_Sequences after Sequence wins",
    text: "[d]\nsequence = 1\none_time_sequences = /etc/otp\n",
    check: (r) => {
      const d = door(r.config);
      assert.equal(d.sequenceSource, "one_time_sequences");
      assert.equal(d.oneTimeSequences?.value, "/etc/otp");
      assert.equal(d.sequence.length, 0);
    },
  },
  {
    name: "Sequence after One_Time_Sequences wins (the path is still kept)",
    text: "[d]\none_time_sequences = /etc/otp\nsequence = 9\n",
    check: (r) => {
      const d = door(r.config);
      assert.equal(d.sequenceSource, "sequence");
      assert.equal(seq(d), "9:tcp");
      assert.equal(d.oneTimeSequences?.value, "/etc/otp");
    },
  },
  {
    name: "timeouts: defaults, Timeout alias, atoi garbage → 0, negatives kept, overflow",
    text: "[a]\nsequence=1\n[b]\nsequence=1\ntimeout = 5s\ncmd_timeout = -3\n[c]\nsequence=1\n" +
      "seq_timeout = abc\ncmd_timeout = 99999999999\n",
    check: (r) => {
      assert.equal(door(r.config, 0).seqTimeout.value, 25);
      assert.equal(door(r.config, 0).seqTimeout.span, undefined);
      assert.equal(door(r.config, 0).cmdTimeout.value, 10);
      assert.equal(door(r.config, 1).seqTimeout.value, 5);
      assert.equal(door(r.config, 1).cmdTimeout.value, -3);
      assert.equal(door(r.config, 2).seqTimeout.value, 0);
      assert.equal(door(r.config, 2).cmdTimeout.value, 1215752191);
    },
  },
  {
    name: "TCPFlags lines accumulate, later mentions override",
    text: "[d]\nsequence=1\ntcpflags=syn,syn,!syn,fin\nTCPFLAGS=FIN,!Ack\ntcpflags = urg\n",
    check: (r) => {
      const d = door(r.config);
      assert.equal(flags(d), "!ack,!syn,fin,urg");
      assert.equal(d.tcpFlagsSpans.length, 3);
    },
  },
  {
    name: "commands: aliases, _6 variants, empty start_command_6, later lines replace",
    text: "[d]\nsequence=1\ncommand = a\nstart_command = b\ncommand_6 = c\nstart_command_6 =\n" +
      "stop_command = d\nstop_command_6 = e\ntarget = 10.0.0.1\n",
    check: (r) => {
      const d = door(r.config);
      assert.equal(d.startCommand?.value, "b");
      assert.equal(d.startCommand6?.value, "");
      assert.equal(d.stopCommand?.value, "d");
      assert.equal(d.stopCommand6?.value, "e");
      assert.equal(d.target?.value, "10.0.0.1");
    },
  },
  {
    name: "a door without a command is legal; no _6 means absent (falls back)",
    text: "[d]\nsequence=1\n",
    check: (r) => {
      const d = door(r.config);
      assert.equal(d.startCommand, undefined);
      assert.equal(d.startCommand6, undefined);
      assert.equal(d.target, undefined);
      assert.equal(d.tcpFlags.size, 0);
    },
  },
  {
    name: "vertical tab and form feed are C whitespace (trimmed); U+00A0 is not",
    text: "[d]\nsequence=1\ntcpflags=\vsyn\f\ncommand = \u00a0x\n",
    check: (r) => {
      assert.equal(flags(door(r.config)), "syn");
      assert.equal(door(r.config).startCommand?.value, "\u00a0x");
    },
  },
  {
    name: "a line longer than 4095 bytes is split: the tail is parsed as a new line",
    text: "#" + "x".repeat(4094) + "[e]\nsequence=1\n",
    check: (r) => {
      assert.equal(door(r.config).name, "e");
      assert.deepEqual(door(r.config).section.span, { line: 1, column: 4096, endColumn: 4099, offset: 4095 });
    },
  },
  {
    name: "a 4094-character line plus newline fits in one chunk",
    text: "[d]\nsequence=1\ncommand=" + "y".repeat(4094 - 8) + "\n",
    check: (r) => assert.equal(door(r.config).startCommand?.value.length, 4086),
  },
  {
    name: "a NUL byte ends the line for knockd (the rest is ignored)",
    text: "[d]\nsequence=1,2\0,3\n",
    check: (r) => assert.equal(seq(door(r.config)), "1:tcp,2:tcp"),
  },
  {
    name: "door names keep their exact text, spaces included",
    text: "[ my door ]\nsequence=1\n",
    check: (r) => assert.equal(door(r.config).name, " my door "),
  },
  {
    name: "the upstream-style example fixture parses cleanly",
    text: Deno.readTextFileSync(new URL("../../testdata/config/example.conf", import.meta.url)),
    check: (r) => {
      assert.deepEqual(r.config.doors.map((d) => d.name), ["openSSH", "closeSSH", "openHTTPS", "otp"]);
      assert.equal(seq(door(r.config, 2)), "12345:udp,54321:tcp,24680:udp,13579:tcp");
      assert.equal(door(r.config, 3).seqTimeout.value, 10);
      assert.equal(r.config.options.interface?.value, "eth0");
    },
  },
];

for (const c of accepted) {
  Deno.test(`accepted: ${c.name}`, () => {
    const r = parseConfig(c.text);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.ok, true);
    c.check(r);
  });
}

interface Rejected {
  readonly name: string;
  readonly text: string;
  /** Expected diagnostics: code, knockd text, line, column, endColumn. */
  readonly expect: readonly (readonly [string, string, number, number, number])[];
  readonly check?: (r: ParseResult) => void;
}

export const rejected: readonly Rejected[] = [
  {
    name: "unknown key in a door",
    text: "[d]\nsequence=1\nseq-timeout = 5\n",
    expect: [["KT001", "config: line 3: syntax error", 3, 1, 12]],
  },
  {
    name: "unknown key in [options]",
    text: "[options]\n  debug = 1\n",
    expect: [["KT001", "config: line 2: syntax error", 2, 3, 8]],
  },
  {
    name: "a line without '=' that is not UseSyslog",
    text: "[d]\nsequence=1\n  sequence\n",
    expect: [["KT001", "config: line 3: syntax error", 3, 3, 11]],
  },
  {
    name: "UseSyslog with a value is a syntax error (own code)",
    text: "[options]\nUseSyslog = yes\n",
    expect: [["KT002", "config: line 2: syntax error", 2, 1, 16]],
    check: (r) => assert.equal(r.config.options.useSyslog, undefined),
  },
  {
    name: "UseSyslog with a value in a door",
    text: "[d]\nsequence=1\nusesyslog=\n",
    expect: [["KT002", "config: line 3: syntax error", 3, 1, 11]],
  },
  {
    name: "[] is a bad section name; directives after it are still checked",
    text: "[d]\nsequence=1\n  []\nsequence=70000\n",
    expect: [
      ["KT003", "config: line 3: bad section name", 3, 3, 5],
      ["KT006", "config: section : port 70000 is invalid", 4, 10, 15],
    ],
    check: (r) => assert.equal(r.config.doors.length, 1),
  },
  {
    name: "a directive before any section",
    text: "# c\n logfile = /x\n[options]\n",
    expect: [["KT004", "config: line 2: all directives must belong to a section", 2, 2, 14]],
  },
  {
    name: "'[d' without ']' is a directive",
    text: "[d\n",
    expect: [["KT004", "config: line 1: all directives must belong to a section", 1, 1, 3]],
  },
  {
    name: "a UTF-8 BOM hides the first header from knockd",
    text: "\ufeff[d]\nsequence=1\n",
    expect: [
      ["KT004", "config: line 1: all directives must belong to a section", 1, 1, 5],
      ["KT004", "config: line 2: all directives must belong to a section", 2, 1, 11],
    ],
  },
  {
    name: "tcpflags items are not trimmed: 'syn, ack'",
    text: "[d]\nsequence=1\ntcpflags = syn, ack\n",
    expect: [["KT005", 'config: line 3: unrecognized flag " ACK"', 3, 16, 20]],
    check: (r) => assert.equal(flags(door(r.config)), "syn"),
  },
  {
    name: "empty tcpflags",
    text: "[d]\nsequence=1\ntcpflags =\n",
    expect: [["KT005", 'config: line 3: unrecognized flag ""', 3, 11, 11]],
  },
  {
    name: "PUSH is not a knockd flag, nor an empty item",
    text: "[d]\nsequence=1\ntcpflags=push,,!Urg\n",
    expect: [
      ["KT005", 'config: line 3: unrecognized flag "PUSH"', 3, 10, 14],
      ["KT005", 'config: line 3: unrecognized flag ""', 3, 15, 15],
    ],
    check: (r) => assert.equal(flags(door(r.config)), "!urg"),
  },
  {
    name: "port above 65535 (message keeps the raw port text, no line number)",
    text: "[openSSH]\nsequence = 1, 70000:udp\n",
    expect: [["KT006", "config: section openSSH: port  70000 is invalid", 2, 14, 20]],
    check: (r) => assert.equal(seq(door(r.config)), "1:tcp"),
  },
  {
    name: "more than 32 ports",
    text: `[d]\nsequence=${Array.from({ length: 33 }, (_, i) => i + 1).join(",")}\n`,
    expect: [["KT007", "config: section d: too many ports in knock sequence", 2, 97, 99]],
    check: (r) => assert.equal(door(r.config).sequence.length, 32),
  },
  {
    name: "a trailing comma after 32 ports makes 33",
    text: `[d]\nsequence=${Array.from({ length: 32 }, () => 1).join(",")},\n`,
    expect: [["KT007", "config: section d: too many ports in knock sequence", 2, 74, 74]],
  },
  {
    name: "unknown protocol, and an empty one after ':'",
    text: "[d]\nsequence = 1:icmp,2:\n",
    expect: [
      ["KT008", "config: section d: unknown protocol in knock sequence", 2, 14, 18],
      ["KT008", "config: section d: unknown protocol in knock sequence", 2, 21, 21],
    ],
  },
  {
    name: "a door without a sequence",
    text: "[options]\nlogfile=/x\n  [d]\ncommand = x\n",
    expect: [["KT009", "error: section 'd' has an empty knock sequence", 3, 3, 6]],
  },
  {
    name: "[ options ] is a door named ' options ': its options line is misplaced, and it has no sequence",
    text: "[ options ]\nlogfile = /x\n",
    expect: [
      ["KT009", "error: section ' options ' has an empty knock sequence", 1, 1, 12],
      ["KT010", "config: line 2: syntax error", 2, 1, 8],
    ],
    check: (r) => assert.equal(door(r.config).name, " options "),
  },
  {
    name: "Interface inside a door; Sequence inside [options]",
    text: "[d]\nsequence=1\ninterface = eth0\n[options]\nsequence = 1\n",
    expect: [
      ["KT010", "config: line 3: syntax error", 3, 1, 10],
      ["KT010", "config: line 5: syntax error", 5, 1, 9],
    ],
  },
  {
    name: "knockd's line numbers count fgets chunks, not physical lines",
    text: "#" + "x".repeat(4094) + "\nx\n",
    expect: [["KT004", "config: line 3: all directives must belong to a section", 2, 1, 2]],
  },
  {
    name: "chunks split at 4095 UTF-8 bytes, not characters",
    text: "#" + "é".repeat(2046) + "[e]\nsequence=1\n",
    expect: [
      ["KT004", "config: line 2: all directives must belong to a section", 1, 2050, 2051],
      ["KT004", "config: line 3: all directives must belong to a section", 2, 1, 11],
    ],
  },
  {
    name: "a NUL inside a key leaves a key without '='",
    text: "[d]\nseq\0uence=1\n",
    expect: [
      ["KT009", "error: section 'd' has an empty knock sequence", 1, 1, 4],
      ["KT001", "config: line 2: syntax error", 2, 1, 4],
    ],
  },
  {
    name: "door names in knockd's messages are truncated to 127 bytes",
    text: `[${"n".repeat(200)}]\n`,
    expect: [["KT009", `error: section '${"n".repeat(127)}' has an empty knock sequence`, 1, 1, 203]],
    check: (r) => assert.equal(door(r.config).name.length, 200),
  },
];

for (const c of rejected) {
  Deno.test(`rejected: ${c.name}`, () => {
    const r = parseConfig(c.text);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.knockd, d.span?.line, d.span?.column, d.span?.endColumn]),
      c.expect.map((e) => [...e]),
    );
    for (const d of r.diagnostics) {
      assert.equal(d.severity, "error");
      assert.ok(d.message.length > 0 && !d.message.endsWith("."), `sentence without period: ${d.message}`);
    }
    c.check?.(r);
  });
}

Deno.test("all errors are reported, sorted by position, not just the first", () => {
  const r = parseConfig(
    "x = 1\n[a]\ntcpflags = nope\n[b]\nsequence = 1:xx,99999\n[]\n[options]\nbogus\n",
  );
  assert.deepEqual(r.diagnostics.map((d) => `${d.code}@${d.span?.line}:${d.span?.column}`), [
    "KT004@1:1",
    "KT009@2:1",
    "KT005@3:12",
    "KT008@5:14",
    "KT006@5:17",
    "KT003@6:1",
    "KT001@8:1",
  ]);
});

Deno.test("our messages name the section a misplaced key belongs to", () => {
  const r = parseConfig("[d]\nsequence=1\nPidFile = /x\n[options]\nTCPFlags = syn\n");
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    '"PidFile" is an [options] directive and cannot be used in door "d"',
    '"TCPFlags" is a door directive and cannot be used in [options]',
  ]);
});

Deno.test("[Options] gets a hint about the spelling of [options]", () => {
  const r = parseConfig("[Options]\n");
  assert.match(r.diagnostics[0]?.message ?? "", /spelled exactly \[options\]/);
});

Deno.test("sections keep every directive line with its raw key and value", () => {
  const r = parseConfig("[d]\nsequence=1\nfoo = bar\nUseSyslog\n");
  const dirs = door(r.config).section.directives;
  assert.deepEqual(dirs.map((d) => [d.key, d.value]), [["sequence", "1"], ["foo", "bar"], [
    "UseSyslog",
    undefined,
  ]]);
});

Deno.test("a door says when the Sequence value in force has an item knockd refuses", () => {
  const has = (text: string) => parseConfig(text).config.doors.map((d) => d.sequenceHasErrors ?? false);
  assert.deepEqual(has("[d]\nsequence = 1,70000,3\n"), [true]);
  assert.deepEqual(has("[d]\nsequence = 1,2:icmp\n[e]\nsequence = 1,2\n"), [true, false]);
  // A later line replaces the refused one (knockd still refuses the file: the error stays).
  const later = parseConfig("[d]\nsequence = 1,70000\nsequence = 7,8\n");
  assert.equal(later.ok, false);
  assert.deepEqual(has("[d]\nsequence = 1,70000\nsequence = 7,8\n"), [false]);
  assert.deepEqual(has("[d]\nsequence = 1,70000\none_time_sequences = /x\n"), [false]);
  assert.equal(door(parseConfig("[d]\nsequence = 1,2\n").config).sequenceHasErrors, undefined);
});
