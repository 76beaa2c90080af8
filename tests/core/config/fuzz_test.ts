// Deterministic fuzzing: parseConfig and parseOneTimeSequences never throw,
// every span lies inside the text and agrees with its line/column, and the
// diagnostics are sorted.
import assert from "node:assert/strict";
import {
  type Config,
  parseConfig,
  parseOneTimeSequences,
  type ParseResult,
  parseSequence,
} from "../../../core/config/mod.ts";
import { parseFlagSpec } from "../../../core/config/flags.ts";
import type { Diagnostic } from "../../../core/diagnostic.ts";
import type { Span } from "../../../core/span.ts";
import { seededRandom } from "../_random.ts";

const BASE = Deno.readTextFileSync(new URL("../../testdata/config/example.conf", import.meta.url));
const OTP = Deno.readTextFileSync(new URL("../../testdata/config/otp_sequences.txt", import.meta.url));

const INTERESTING = [
  "\0",
  "\n",
  "\r\n",
  "\r",
  "=",
  ",",
  ":",
  "[",
  "]",
  "#",
  " ",
  "\t",
  "!",
  "\ud800",
  "\udc00",
  "😀",
  "é",
  "\ufeff",
  "99999999999999999999",
  "-1",
  "udp",
  "[options]\n",
  "[]\n",
  "sequence=",
  "tcpflags=",
  "UseSyslog",
];

function mutate(text: string, rand: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const kind = rand();
    const piece = rand() < 0.5
      ? INTERESTING[Math.floor(rand() * INTERESTING.length)]!
      : String.fromCharCode(Math.floor(rand() * 0x10000));
    if (kind < 0.4) s = s.slice(0, at) + piece + s.slice(at);
    else if (kind < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 20));
    else if (kind < 0.95) s = s.slice(0, at) + piece + s.slice(at + piece.length);
    else s = s.slice(0, at) + piece.repeat(500 + Math.floor(rand() * 5000)) + s.slice(at);
  }
  return s;
}

function randomText(rand: () => number): string {
  const length = Math.floor(rand() * 400);
  let s = "";
  for (let i = 0; i < length; i++) {
    s += rand() < 0.3
      ? "[]=,:#\n\r\t !0123456789"[Math.floor(rand() * 21)]
      : String.fromCharCode(rand() * 256);
  }
  return s;
}

class SpanChecker {
  readonly #lineStarts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.#lineStarts.push(i + 1);
  }
  check(span: Span | undefined, what: string): void {
    if (span === undefined) return;
    const { line, column, endColumn, offset } = span;
    assert.ok(Number.isInteger(offset) && offset >= 0, `${what}: offset ${offset}`);
    assert.ok(column >= 1 && endColumn >= column, `${what}: columns ${column}-${endColumn}`);
    assert.ok(offset + endColumn - column <= this.text.length, `${what}: end beyond text`);
    const start = this.#lineStarts[line - 1];
    assert.ok(start !== undefined, `${what}: line ${line} exists`);
    assert.equal(start + column - 1, offset, `${what}: offset agrees with line/column`);
    const next = this.#lineStarts[line];
    assert.ok(next === undefined || offset + endColumn - column < next, `${what}: span stays on its line`);
  }
}

function checkSorted(diagnostics: readonly Diagnostic[]): void {
  for (let i = 1; i < diagnostics.length; i++) {
    const a = diagnostics[i - 1]!.span!;
    const b = diagnostics[i]!.span!;
    assert.ok(a.line < b.line || (a.line === b.line && a.column <= b.column), "diagnostics sorted");
  }
}

function checkConfig(text: string, config: Config, spans: SpanChecker): void {
  for (const section of config.sections) {
    spans.check(section.span, "section");
    spans.check(section.nameSpan, "section name");
    assert.equal(
      text.slice(section.nameSpan.offset, section.nameSpan.offset + section.name.length),
      section.name,
    );
    for (const d of section.directives) {
      spans.check(d.span, "directive");
      spans.check(d.keySpan, "key");
      spans.check(d.valueSpan, "value");
    }
  }
  for (const door of config.doors) {
    for (const step of door.sequence) {
      spans.check(step.span, "step");
      assert.ok(Number.isInteger(step.port) && step.port >= 0 && step.port <= 65535, "port in range");
      assert.equal(text.slice(step.span.offset, step.span.offset + step.raw.length), step.raw);
    }
    assert.ok(door.sequence.length <= 32);
    for (const s of door.tcpFlagsSpans) spans.check(s, "tcpflags");
    for (
      const v of [door.startCommand, door.startCommand6, door.stopCommand, door.stopCommand6, door.target]
    ) {
      spans.check(v?.span, "value");
    }
    spans.check(door.seqTimeout.span, "seq_timeout");
    assert.ok(Number.isInteger(door.seqTimeout.value) && Math.abs(door.seqTimeout.value) <= 2 ** 31);
  }
}

function checkAll(text: string): void {
  const spans = new SpanChecker(text);
  let result: ParseResult;
  try {
    result = parseConfig(text);
  } catch (e) {
    throw new Error(`parseConfig threw on ${JSON.stringify(text.slice(0, 200))}: ${e}`);
  }
  for (const d of result.diagnostics) {
    assert.ok(d.span, "every diagnostic has a span");
    spans.check(d.span, `diagnostic ${d.code}`);
    assert.equal(d.severity, "error");
    assert.ok(d.knockd?.startsWith("config: ") || d.knockd?.startsWith("error: section"), d.knockd);
  }
  checkSorted(result.diagnostics);
  assert.equal(result.ok, result.diagnostics.length === 0);
  checkConfig(text, result.config, spans);
  const otp = parseOneTimeSequences(text);
  for (const d of otp.diagnostics) spans.check(d.span, "otp diagnostic");
  checkSorted(otp.diagnostics);
  for (const e of otp.entries) spans.check(e.span, "otp entry");
}

Deno.test("fuzz: mutated realistic configs", () => {
  const rand = seededRandom(0x6b6e6f63);
  for (let i = 0; i < 2000; i++) checkAll(mutate(i % 2 ? BASE : OTP, rand));
});

Deno.test("fuzz: random bytes, NULs, lone surrogates, very long lines", () => {
  const rand = seededRandom(42);
  for (let i = 0; i < 1500; i++) checkAll(randomText(rand));
  checkAll("\0".repeat(10_000));
  checkAll("[d]\n" + "\ud800".repeat(5000) + "\nsequence=" + "9,".repeat(5000) + "\n");
  checkAll("[d]\nsequence=" + "é".repeat(3000) + "😀".repeat(3000) + "\n");
  checkAll("\n".repeat(5000) + "[" + "x".repeat(10_000) + "]\n");
});

Deno.test("fuzz: the sequence and flag parsers never throw and keep item spans inside the value", () => {
  const rand = seededRandom(7);
  for (let i = 0; i < 2000; i++) {
    const value = randomText(rand).replaceAll("\n", "");
    const span = { line: 3, column: 5, endColumn: 5 + value.length, offset: 40 };
    const seq = parseSequence(value, span, { door: "d" });
    for (const s of seq.steps) {
      assert.ok(s.span.column >= 5 && s.span.endColumn <= span.endColumn && s.span.line === 3);
    }
    for (const dialect of ["knockd", "craft"] as const) {
      const flags = parseFlagSpec(value, { dialect, span });
      for (const item of flags.items) {
        assert.ok(item.span.column >= 5 && item.span.endColumn <= span.endColumn);
      }
    }
  }
});

Deno.test("huge inputs: 100 MB in one line, 500,000 garbage lines (linear, no stack overflow, capped diagnostics)", () => {
  const big = "x".repeat(100 * 1024 * 1024);
  const r = parseConfig(big);
  // 100 MiB / 4095 bytes per fgets chunk → 25,607 chunks, each a directive outside any section;
  // the first 10,000 are kept, the rest counted.
  assert.equal(r.diagnostics.length, 10_000);
  assert.equal(r.omittedDiagnostics, 15_607);
  assert.deepEqual(r.diagnostics.at(-1)?.span, {
    line: 1,
    column: 9999 * 4095 + 1,
    endColumn: 10_000 * 4095 + 1,
    offset: 9999 * 4095,
  });
  assert.equal(r.diagnostics.at(-1)?.knockd, "config: line 10000: all directives must belong to a section");
  assert.equal(parseConfig(big.slice(0, 4095 * 12_000), { maxDiagnostics: 12_000 }).omittedDiagnostics, 0);
  const lines = "[d]\n" + "junk\n".repeat(500_000);
  const g = parseConfig(lines);
  assert.equal(g.diagnostics.length, 10_000);
  assert.equal(g.omittedDiagnostics, 500_000 - 10_000 + 1);
  assert.equal(g.ok, false);
});
