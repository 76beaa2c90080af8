/**
 * The lint output formats on hand-made diagnostics: caret placement, long
 * lines, tabs, control characters, findings without a position.
 */
import assert from "node:assert/strict";
import type { Diagnostic } from "../../core/diagnostic.ts";
import { formatHuman } from "../../cli/lint/human.ts";
import { formatJson } from "../../cli/lint/json.ts";
import { artifactLocation, formatSarif } from "../../cli/lint/sarif.ts";
import { sanitize } from "../../cli/_text.ts";

function diag(
  line: number,
  column: number,
  endColumn: number,
  offset: number,
  extra: Partial<Diagnostic> = {},
): Diagnostic {
  return {
    code: "KT006",
    severity: "error",
    message: 'Port "70000" is out of range',
    span: { line, column, endColumn, offset },
    ...extra,
  };
}

Deno.test("formatHuman() underlines the span under the source line", () => {
  const text = "[openSSH]\nsequence = 7000,70000\n";
  const out = formatHuman({ files: [{ path: "k.conf", text, diagnostics: [diag(2, 17, 22, 26)] }] }, {
    color: false,
  });
  assert.equal(
    out,
    [
      'k.conf:2:17: error[KT006]: Port "70000" is out of range',
      "   2 | sequence = 7000,70000",
      "     |                 ^~~~~",
      "",
      "1 error, 0 warnings in 1 file",
      "",
    ].join("\n"),
  );
});

Deno.test("formatHuman() prints file-level findings without a position and shows knockd's message", () => {
  const d: Diagnostic = { code: "KT201", severity: "warning", message: "World-writable", file: "k.conf" };
  const k = diag(1, 1, 2, 0, { knockd: "config: line 1: syntax error", message: "Bad" });
  const out = formatHuman({ files: [{ path: "k.conf", text: "x\n", diagnostics: [k, d] }] }, {
    color: false,
  });
  assert.match(out, /^k\.conf: warning\[KT201\]: World-writable$/m);
  assert.match(out, /^ {4} = knockd: config: line 1: syntax error$/m);
  assert.match(out, /1 error, 1 warning in 1 file\n$/);
});

Deno.test("formatHuman() keeps tabs so the caret lines up, and points past the end for empty spans", () => {
  const text = "\tsequence =\n";
  const out = formatHuman(
    { files: [{ path: "k.conf", text, diagnostics: [diag(1, 12, 12, 11, { message: "Empty" })] }] },
    { color: false },
  );
  assert.ok(out.includes("   1 | \tsequence =\n     | \t          ^\n"), out);
});

Deno.test("formatHuman() cuts very long lines around the span", () => {
  const text = "a".repeat(10_000) + "XYZ" + "b".repeat(10_000);
  const out = formatHuman(
    { files: [{ path: "k.conf", text, diagnostics: [diag(1, 10_001, 10_004, 10_000)] }] },
    { color: false },
  );
  const [, source, caret] = out.split("\n");
  assert.ok(source!.length < 200, `source line shown in full (${source!.length} chars)`);
  assert.ok(source!.includes("…") && source!.includes("XYZ"));
  assert.equal(source!.indexOf("XYZ"), caret!.indexOf("^~~"));
});

Deno.test("formatHuman() replaces control characters and bidi overrides in source and messages", () => {
  const text = "se\x1b[2Jq\u202e = \x00\n";
  const out = formatHuman(
    { files: [{ path: "k.conf", text, diagnostics: [diag(1, 1, 4, 0, { message: 'Bad "\x1b[31m"' })] }] },
    { color: false },
  );
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\u202e]/);
  assert.ok(out.includes("se\u241b[2Jq\ufffd = \u2400"), out);
  assert.equal(sanitize("a\tb"), "a\tb");
});

Deno.test("formatHuman() colours only when asked", () => {
  const report = { files: [{ path: "k.conf", text: "x\n", diagnostics: [diag(1, 1, 2, 0)] }] };
  assert.ok(formatHuman(report, { color: true }).includes("\x1b[1;31merror[KT006]\x1b[0m"));
  assert.ok(!formatHuman(report, { color: false }).includes("\x1b["));
});

Deno.test("formatHuman() skips the snippet when the span does not match the text", () => {
  const out = formatHuman({ files: [{ path: "k.conf", text: "x\n", diagnostics: [diag(9, 5, 6, 500)] }] }, {
    color: false,
  });
  assert.equal(
    out,
    'k.conf:9:5: error[KT006]: Port "70000" is out of range\n\n1 error, 0 warnings in 1 file\n',
  );
});

Deno.test("formatJson() writes positions, nulls for whole-file findings, and I/O errors", () => {
  const d: Diagnostic = { code: "KT201", severity: "warning", message: "W" };
  const doc = JSON.parse(formatJson({
    files: [
      { path: "a.conf", text: "x", diagnostics: [diag(1, 1, 2, 0), d] },
      { path: "b.conf", diagnostics: [], ioError: "No such file or directory" },
    ],
  }));
  assert.deepEqual(doc.files, [
    { path: "a.conf", errorCount: 1, warningCount: 1, ioError: null },
    { path: "b.conf", errorCount: 0, warningCount: 0, ioError: "No such file or directory" },
  ]);
  assert.deepEqual(doc.diagnostics[1], {
    code: "KT201",
    severity: "warning",
    message: "W",
    file: "a.conf",
    line: null,
    column: null,
    endColumn: null,
    knockd: null,
  });
  assert.equal(doc.errorCount, 1);
  assert.equal(doc.warningCount, 1);
});

Deno.test("artifactLocation() makes paths relative to %SRCROOT% when they are under the current directory", () => {
  assert.deepEqual(artifactLocation("./etc/knockd.conf", "/src"), {
    uri: "etc/knockd.conf",
    uriBaseId: "%SRCROOT%",
  });
  assert.deepEqual(artifactLocation("/src/a b.conf", "/src/"), { uri: "a%20b.conf", uriBaseId: "%SRCROOT%" });
  assert.deepEqual(artifactLocation("/etc/knockd.conf", "/src"), { uri: "file:///etc/knockd.conf" });
  assert.deepEqual(artifactLocation("-", "/src"), { uri: "-" });
});

Deno.test("formatSarif() adds rules for codes it has no metadata for, keeping ruleIndex consistent", () => {
  const rules = [{
    code: "KT006",
    severity: "error" as const,
    name: "invalid-port",
    summary: "S",
    explanation: "E",
  }];
  const log = JSON.parse(formatSarif({
    files: [{
      path: "a.conf",
      text: "x",
      diagnostics: [diag(1, 1, 2, 0), { ...diag(1, 1, 2, 0), code: "KT999" }],
    }],
  }, { rules, cwd: "/src" }));
  const run = log.runs[0];
  assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), ["KT006", "KT999"]);
  assert.deepEqual(run.results.map((r: { ruleIndex: number }) => r.ruleIndex), [0, 1]);
  assert.equal(run.invocations[0].executionSuccessful, true);
});
