import assert from "node:assert/strict";
import { CODES, PARSE_RULES, parseConfig, parseOneTimeSequences } from "../../../core/config/mod.ts";

Deno.test("PARSE_RULES documents every parser code exactly once, in order", () => {
  const codes = Object.values(CODES);
  assert.deepEqual(PARSE_RULES.map((r) => r.code), codes);
  assert.equal(new Set(PARSE_RULES.map((r) => r.name)).size, PARSE_RULES.length);
  for (const rule of PARSE_RULES) {
    assert.match(rule.code, /^KT0\d\d$/);
    assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(!rule.summary.includes("\n") && !rule.summary.endsWith("."), rule.summary);
    assert.match(rule.explanation, /knockd/);
    assert.match(rule.explanation, /Example:/);
    assert.match(rule.explanation, /Fix:/);
    assert.equal(rule.severity, rule.code === CODES.otpLineSkipped ? "warning" : "error");
  }
});

Deno.test("every code the parser emits is in PARSE_RULES with the same severity", () => {
  const text = "x=1\n[a]\ntcpflags=no\nfoo\nusesyslog=1\n[b]\nsequence=70000,1:x\ninterface=e\n[]\n" +
    `[c]\nsequence=${"1,".repeat(40)}\n`;
  const seen = new Map<string, string>();
  for (const d of parseConfig(text).diagnostics) seen.set(d.code, d.severity);
  for (const d of parseOneTimeSequences("70000\n").diagnostics) seen.set(d.code, d.severity);
  assert.deepEqual([...seen.keys()].sort(), Object.values(CODES).sort());
  for (const [code, severity] of seen) {
    assert.equal(PARSE_RULES.find((r) => r.code === code)?.severity, severity, code);
  }
});
