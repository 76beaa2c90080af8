// Spans: 1-based line/column in UTF-16 code units, endColumn exclusive, 0-based offset.
import assert from "node:assert/strict";
import { parseConfig } from "../../../core/config/mod.ts";
import type { Span } from "../../../core/span.ts";

/** The text a span covers, checked against its line/column too. */
function cover(text: string, span: Span | undefined): string {
  assert.ok(span);
  const lines = text.split("\n");
  const line = lines[span.line - 1];
  assert.ok(line !== undefined, `line ${span.line} exists`);
  const byColumn = line.slice(span.column - 1, span.endColumn - 1);
  const byOffset = text.slice(span.offset, span.offset + span.endColumn - span.column);
  assert.equal(byColumn, byOffset, "column and offset agree");
  return byOffset;
}

Deno.test("spans of headers, names, keys, values, items and flags with leading whitespace and tabs", () => {
  const text =
    "  [options]\n\t\tLogFile\t=\t/var/log/k.log  \n [door one]\n\t sequence =  7000 , 8000:udp,\n" +
    "\ttcpflags = syn,!ack\n\tcommand = echo %IP%\n";
  const { config, diagnostics } = parseConfig(text);
  assert.deepEqual(diagnostics, []);
  const [opt, doorSection] = config.sections;
  assert.equal(cover(text, opt?.span), "[options]");
  assert.equal(cover(text, opt?.nameSpan), "options");
  assert.deepEqual(opt?.span, { line: 1, column: 3, endColumn: 12, offset: 2 });
  const logFile = opt?.directives[0];
  assert.equal(cover(text, logFile?.keySpan), "LogFile");
  assert.equal(cover(text, logFile?.valueSpan), "/var/log/k.log");
  assert.equal(cover(text, logFile?.span), "LogFile\t=\t/var/log/k.log");
  assert.deepEqual(config.options.logFile?.span, { line: 2, column: 13, endColumn: 27, offset: 24 });
  assert.equal(cover(text, doorSection?.nameSpan), "door one");
  const door = config.doors[0];
  assert.ok(door);
  assert.deepEqual(door.sequence.map((s) => cover(text, s.span)), ["7000 ", " 8000:udp", ""]);
  assert.deepEqual(door.sequence[0]?.span, { line: 4, column: 15, endColumn: 20, offset: 67 });
  assert.equal(cover(text, door.tcpFlagsSpans[0]), "syn,!ack");
  assert.equal(cover(text, door.startCommand?.span), "echo %IP%");
});

Deno.test("CRLF: the carriage return is outside every span", () => {
  const text = "[d]\r\nsequence = 1,2\r\ncommand = x\r\n";
  const { config } = parseConfig(text);
  const door = config.doors[0];
  assert.ok(door);
  assert.deepEqual(door.section.span, { line: 1, column: 1, endColumn: 4, offset: 0 });
  assert.equal(cover(text, door.sequence[1]?.span), "2");
  assert.deepEqual(door.startCommand?.span, { line: 3, column: 11, endColumn: 12, offset: 31 });
});

Deno.test("non-ASCII text before a value counts in UTF-16 code units", () => {
  // "é" is one code unit, "😀" is two.
  const text = "[dé😀r]\nsequence = 1\ncommand = é😀 x\n[e]\nsequence = 1:ü\n";
  const { config, diagnostics } = parseConfig(text);
  assert.equal(cover(text, config.sections[0]?.nameSpan), "dé😀r");
  assert.deepEqual(config.sections[0]?.span, { line: 1, column: 1, endColumn: 8, offset: 0 });
  assert.equal(cover(text, config.doors[0]?.startCommand?.span), "é😀 x");
  assert.deepEqual(diagnostics[0]?.span, { line: 5, column: 14, endColumn: 15, offset: 54 });
  assert.equal(cover(text, diagnostics[0]?.span), "ü");
});

Deno.test("error spans point at the offending item, the port part or the protocol", () => {
  const text = "[d]\n  sequence = 1, 70000:udp,2:icmp\n  tcpflags = syn, ack\n  bogus = 1\n";
  const { diagnostics } = parseConfig(text);
  assert.deepEqual(diagnostics.map((d) => cover(text, d.span)), [" 70000", "icmp", " ack", "bogus"]);
});

Deno.test("spans in the tail of a split long line point into that physical line", () => {
  const text = "# " + "é".repeat(2046) + "[x]\nsequence = 1\n";
  const { config, diagnostics } = parseConfig(text);
  // "# " + 2046 × "é" = 4094 bytes: the first chunk ends after one more byte ("["),
  // so knockd sees "x]" as a directive outside any section.
  assert.equal(config.sections.length, 0);
  assert.equal(cover(text, diagnostics[0]?.span), "x]");
  assert.deepEqual(diagnostics[0]?.span, { line: 1, column: 2050, endColumn: 2052, offset: 2049 });
});
