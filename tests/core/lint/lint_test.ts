/**
 * The lint engine as a whole: parser findings kept, file stamping, ordering, counts, robustness,
 * rule metadata and `explainRule`, and the shipped example config.
 */
import assert from "node:assert/strict";
import { ACCESS_RULE_LIST } from "../../../core/fwknop/mod.ts";
import { explainRule, lintConfig, RULES } from "../../../core/lint/mod.ts";
import { LINT_RULES } from "../../../core/lint/registry.ts";
import { EXTENSION_RULES, PARSE_RULES } from "../../../core/config/mod.ts";

Deno.test("lintConfig() keeps the parser's KT0xx errors with their spans", () => {
  const result = lintConfig("[d]\n  sequence = 8000,70000\n  tcpflags = syn\n");
  const kt006 = result.diagnostics.find((d) => d.code === "KT006");
  assert.ok(kt006, JSON.stringify(result.diagnostics));
  assert.equal(kt006.severity, "error");
  assert.equal(kt006.span?.line, 2);
  assert.equal(kt006.span?.column, 19);
  assert.equal(result.errorCount, result.diagnostics.filter((d) => d.severity === "error").length);
});

Deno.test("lintConfig() stamps the config path and sorts by line then column, whole-file findings first", () => {
  const text = "[b]\n  sequence = 7000,8000,9000\n[a]\n  sequence = 9000:udp\n  target = 010.0.0.1\n";
  const result = lintConfig(text, { file: "/etc/knockd.conf", mode: 0o666 });
  assert.ok(result.diagnostics.length >= 5);
  assert.ok(result.diagnostics.every((d) => d.file === "/etc/knockd.conf"));
  assert.equal(result.diagnostics[0]!.code, "KT218");
  assert.equal(result.diagnostics[0]!.span, undefined);
  const positions = result.diagnostics.slice(1).map((d) => [d.span!.line, d.span!.column] as const);
  const sorted = [...positions].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  assert.deepEqual(positions, sorted);
  assert.equal(result.errorCount, 1); // KT103
  assert.equal(result.warningCount, result.diagnostics.length - 1);
});

Deno.test("lintConfig() without a file option leaves file unset", () => {
  const result = lintConfig("[d]\n  sequence = 7000\n");
  assert.ok(result.diagnostics.length > 0);
  assert.ok(result.diagnostics.every((d) => d.file === undefined));
});

Deno.test("lintConfig() reports one-time file findings against that file, after the config's own", () => {
  const text = "[d]\n  one_time_sequences = /etc/otp\n  tcpflags = syn\n";
  const result = lintConfig(text, {
    file: "k.conf",
    mode: 0o664,
    readFile: (path) => {
      assert.equal(path, "/etc/otp");
      return { kind: "file", text: "2222,1111,3333\n 3333:bogus\n 5555,4444,6666\n", mode: 0o600 };
    },
  });
  const files = result.diagnostics.map((d) => d.file);
  const firstOtp = files.indexOf("/etc/otp");
  assert.ok(firstOtp > 0, JSON.stringify(result.diagnostics));
  assert.ok(files.slice(firstOtp).every((f) => f === "/etc/otp"));
  // The parser's warning for the skipped line (KT011) and KT207 for the first line.
  assert.deepEqual(
    result.diagnostics.filter((d) => d.file === "/etc/otp").map((d) => [d.code, d.span?.line]),
    [["KT207", 1], ["KT011", 2]],
  );
  const kt011 = result.diagnostics.find((d) => d.code === "KT011");
  assert.equal(kt011?.knockd, "config: section d: unknown protocol in knock sequence");
});

Deno.test("lintConfig() reads each named file once and survives a throwing reader", () => {
  let calls = 0;
  const text = "[a]\n  one_time_sequences = /x\n[b]\n  one_time_sequences = /x\n";
  const result = lintConfig(text, {
    readFile: () => {
      calls++;
      throw new Error("EACCES: permission denied");
    },
  });
  assert.equal(calls, 1);
  const kt101 = result.diagnostics.filter((d) => d.code === "KT101");
  assert.equal(kt101.length, 2);
  assert.match(kt101[0]!.message, /permission denied/);
});

Deno.test("lintConfig() skips file-content rules when no reader is injected", () => {
  const result = lintConfig("[d]\n  one_time_sequences = /etc/otp\n");
  assert.ok(!result.diagnostics.some((d) => ["KT101", "KT102", "KT207"].includes(d.code)));
});

Deno.test("lintConfig() never throws on hostile input", () => {
  const inputs = [
    "",
    "\n\n",
    "[",
    "[]\n=\n",
    "[d]\nsequence=,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
    "[d]\n" + "sequence = 1:udp:\u0000\n".repeat(50),
    "\uFEFF[d]\r\nsequence = 7000\r\ntarget = ::ffff:1.2.3.4\r\n",
    "[d]\ntarget = " + ":".repeat(5000) + "\n",
    "[d]\ncommand = %IP%" + "#".repeat(10_000) + "\n",
  ];
  for (const input of inputs) {
    const result = lintConfig(input, { file: "x", readFile: () => ({ kind: "file", text: input }) });
    assert.ok(Array.isArray(result.diagnostics));
    assert.ok(
      !result.diagnostics.some((d) => d.message.startsWith("Internal error")),
      JSON.stringify(result),
    );
  }
});

Deno.test("RULES: parser rules plus lint rules, unique codes, complete metadata, severity matches the code", () => {
  assert.equal(
    RULES.length,
    PARSE_RULES.length + EXTENSION_RULES.length + LINT_RULES.length + ACCESS_RULE_LIST.length,
  );
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, "duplicate code");
  const names = LINT_RULES.map((r) => r.info.name);
  assert.equal(new Set(names).size, names.length, "duplicate name");
  for (const r of [...EXTENSION_RULES, ...LINT_RULES.map((x) => x.info), ...ACCESS_RULE_LIST]) {
    assert.match(r.code, /^KT[123]\d\d$/);
    // KT3xx (the firewall around the config, lint --check-firewall) has errors and warnings.
    if (!r.code.startsWith("KT3")) {
      assert.equal(r.severity, r.code.startsWith("KT1") ? "error" : "warning", r.code);
    }
    assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.code);
    assert.ok(r.summary.trim().length > 10 && !r.summary.includes("\n"), `${r.code} summary`);
    assert.ok(r.explanation.trim().length > 100, `${r.code} explanation`);
    assert.match(r.explanation, /Fix:/, `${r.code} explanation has a fix`);
  }
  for (const r of RULES) assert.ok(r.summary.length > 0 && r.explanation.length > 0, r.code);
});

Deno.test("explainRule() is case-insensitive and covers parser and lint codes", () => {
  assert.equal(explainRule("KT208")?.name, "monotonic-sequence");
  assert.equal(explainRule("kt208"), explainRule("KT208"));
  assert.equal(explainRule(" Kt101 ")?.code, "KT101");
  assert.equal(explainRule("kt001")?.code, "KT001");
  assert.equal(explainRule("KT999"), undefined);
  assert.equal(explainRule(""), undefined);
});

const example = new URL("../../../examples/knockd.conf", import.meta.url);
let exampleText: string | undefined;
try {
  exampleText = Deno.readTextFileSync(example);
} catch {
  exampleText = undefined;
}

Deno.test({
  name: "the shipped examples/knockd.conf has no errors",
  ignore: exampleText === undefined,
  fn: () => {
    const result = lintConfig(exampleText!, { file: "examples/knockd.conf", mode: 0o644 });
    assert.equal(result.errorCount, 0, JSON.stringify(result.diagnostics, null, 1));
  },
});
if (exampleText === undefined) {
  // deno-lint-ignore no-console
  console.warn("examples/knockd.conf is missing: the example-config test is ignored");
}

Deno.test("knockd's own sample knockd.conf: only the scan-prone ascending and descending sequences", () => {
  const text = [
    "[options]",
    "        UseSyslog",
    "",
    "[openSSH]",
    "        sequence    = 7000,8000,9000",
    "        seq_timeout = 5",
    "        command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
    "        tcpflags    = syn",
    "",
    "[closeSSH]",
    "        sequence    = 9000,8000,7000",
    "        seq_timeout = 5",
    "        command     = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
    "        tcpflags    = syn",
    "",
    "[openHTTPS]",
    "        sequence    = 12345,54321,24680,13579",
    "        seq_timeout = 5",
    "        tcpflags    = syn",
    "        start_command = /usr/local/sbin/knock_add -i -c INPUT -p tcp -d 443 -f %IP%",
    "        cmd_timeout   = 10",
    "        stop_command  = /usr/local/sbin/knock_add -d -c INPUT -p tcp -d 443 -f %IP%",
  ].join("\r\n") + "\r\n";
  const result = lintConfig(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.code, d.span?.line, d.span?.column, d.span?.endColumn]),
    [["KT208", 5, 23, 37], ["KT208", 11, 23, 37]],
  );
  assert.match(result.diagnostics[0]!.message, /ascending/);
  assert.match(result.diagnostics[1]!.message, /descending/);
});

Deno.test("lintConfig() on 2,000 random configs: never throws, no rule crashes, spans stay on their line", () => {
  const pieces = [
    "[d]",
    "[options]",
    "[Options]",
    "[ x ]",
    "sequence = 7000,8000,9000",
    "sequence = ,abc,-1,7000x,9000:tcp:junk,",
    "sequence = 1:udp, 2 :UDP,3",
    "sequence =",
    "one_time_sequences = /otp",
    "one_time_sequences = rel",
    "seq_timeout = 0",
    "timeout = 1",
    "cmd_timeout = -3",
    "cmd_timeout = 5m",
    "tcpflags = syn,!ack",
    "tcpflags = syn, ack",
    "command = a %IP% # c",
    "start_command =",
    "start_command_6 =",
    "stop_command = b",
    "stop_command_6 =",
    "target = FD77:0:0::1",
    "target = 010.0.0.1 # x",
    "target = ::ffff:1.2.3.4",
    "UseSyslog",
    "UseSyslog = yes",
    "logfile = k.log",
    "# comment",
    "",
    "=",
    "[",
    "\u00e9\u{1F600} = \u{1F600}",
  ];
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 2000; i++) {
    const lines = Array.from({ length: 1 + rand(12) }, () => pieces[rand(pieces.length)]!);
    const text = lines.join(rand(2) === 0 ? "\n" : "\r\n");
    const otp = Array.from({ length: rand(4) }, () => pieces[rand(pieces.length)]!.replace(/^\w+ =/, ""))
      .join("\n");
    const result = lintConfig(text, {
      mode: rand(0o1000),
      readFile: () => ({ kind: "file", text: otp, mode: 0o666 }),
    });
    for (const d of result.diagnostics) {
      assert.ok(!d.message.startsWith("Internal error"), `${d.message}\n${text}`);
      if (d.span === undefined) continue;
      const source = d.file === undefined ? text : otp;
      const line = source.split("\n")[d.span.line - 1];
      assert.ok(line !== undefined, `${d.code} line ${d.span.line} out of range\n${source}`);
      assert.ok(
        d.span.column >= 1 && d.span.endColumn >= d.span.column,
        `${d.code} span ${JSON.stringify(d.span)}`,
      );
      assert.ok(d.span.endColumn <= line.length + 1, `${d.code} span past the line end\n${source}`);
      const width = d.span.endColumn - d.span.column;
      assert.equal(
        source.slice(d.span.offset, d.span.offset + width),
        line.slice(d.span.column - 1, d.span.endColumn - 1),
        `${d.code} offset disagrees with line/column ${JSON.stringify(d.span)}`,
      );
    }
  }
});

Deno.test("knocktool's directives: lint accepts them (KT223 warnings, no KT001), explains KT106, KT107, KT223", () => {
  const text = "[ssh]\n  sequence = 7000,8000,9000\n  tcpflags = syn\n  Strict = yes\n  Cooldown = 30\n";
  const result = lintConfig(text);
  assert.equal(result.errorCount, 0, JSON.stringify(result.diagnostics));
  const kt223 = result.diagnostics.filter((d) => d.code === "KT223");
  assert.deepEqual(kt223.map((d) => [d.span?.line, d.knockd]), [
    [4, "config: line 4: syntax error"],
    [5, "config: line 5: syntax error"],
  ]);
  assert.match(
    kt223[0]!.message,
    /"Strict" is a knocktool directive: knockd would refuse this file at line 4/,
  );
  // In [options] they are misplaced door directives, as knockd's own door keys are.
  const misplaced = lintConfig("[options]\n  strict = yes\n").diagnostics;
  assert.deepEqual(misplaced.map((d) => d.code), ["KT010"]);
  for (const code of ["KT106", "KT107", "KT223"]) assert.equal(explainRule(code)?.code, code);
  const codes = RULES.map((r) => r.code);
  assert.deepEqual(codes, [...codes].sort(), "RULES in code order");
});

Deno.test("KT102 carries knockd's own refusal (measured: knockd 0.8 exits 1 at start, it does not run the door)", () => {
  const result = lintConfig("[d]\n  one_time_sequences = /etc/otp\n  tcpflags = syn\n", {
    readFile: () => ({ kind: "file", text: "#1111,2222\n\n# used up\n" }),
  });
  const kt102 = result.diagnostics.find((d) => d.code === "KT102");
  assert.equal(kt102?.knockd, "config: no more sequences left in the one time sequences file /etc/otp");
  assert.match(explainRule("KT102")!.explanation, /exits with status 1/);
});
