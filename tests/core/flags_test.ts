import assert from "node:assert/strict";
import { flagMask, formatFlagSpec, parseFlagSpec, TCP_FLAG_BITS } from "../../core/flags.ts";
import type { FlagSpec } from "../../core/config/types.ts";

function spec(text: string, dialect: "knockd" | "craft"): string {
  const r = parseFlagSpec(text, { dialect });
  assert.deepEqual(r.diagnostics.map((d) => d.message), [], `no errors for ${JSON.stringify(text)}`);
  return formatFlagSpec(r.spec);
}

function rejected(text: string, dialect: "knockd" | "craft"): string[] {
  const r = parseFlagSpec(text, { dialect });
  for (const d of r.diagnostics) {
    assert.equal(d.code, "KT005");
    assert.equal(d.severity, "error");
  }
  return r.diagnostics.map((d) => (dialect === "knockd" ? d.knockd ?? "" : d.message));
}

Deno.test("knockd dialect accepts exactly the six flags, case-insensitively, with '!'", () => {
  const cases: [string, string][] = [
    ["syn", "syn"],
    ["SYN,!ack", "syn,!ack"],
    ["fin,syn,rst,psh,ack,urg", "fin,syn,rst,psh,ack,urg"],
    ["!FIN,!Syn,!rst,!PSH,!ack,!URG", "!fin,!syn,!rst,!psh,!ack,!urg"],
    ["ack,syn", "syn,ack"],
    ["syn,!syn", "!syn"],
    ["!syn,syn", "syn"],
  ];
  for (const [text, canonical] of cases) assert.equal(spec(text, "knockd"), canonical, text);
});

Deno.test("knockd dialect rejects spaces, empty items, PUSH/ECE/CWR/NS, none/all, double '!'", () => {
  const cases: [string, string[]][] = [
    ["syn, ack", ['config: line 1: unrecognized flag " ACK"']],
    ["", ['config: line 1: unrecognized flag ""']],
    ["syn,", ['config: line 1: unrecognized flag ""']],
    [" syn", ['config: line 1: unrecognized flag " SYN"']],
    ["! syn", ['config: line 1: unrecognized flag "! SYN"']],
    ["push,ece,cwr,ns", [
      'config: line 1: unrecognized flag "PUSH"',
      'config: line 1: unrecognized flag "ECE"',
      'config: line 1: unrecognized flag "CWR"',
      'config: line 1: unrecognized flag "NS"',
    ]],
    ["none,all,!!syn", [
      'config: line 1: unrecognized flag "NONE"',
      'config: line 1: unrecognized flag "ALL"',
      'config: line 1: unrecognized flag "!!SYN"',
    ]],
    ["ſyn", ['config: line 1: unrecognized flag "ſYN"']], // only ASCII is upper-cased, like C toupper()
  ];
  for (const [text, messages] of cases) assert.deepEqual(rejected(text, "knockd"), messages, text);
});

Deno.test("knockd dialect: valid items still apply when another item fails; spans per item", () => {
  const r = parseFlagSpec("syn, ack,!urg", {
    dialect: "knockd",
    span: { line: 7, column: 12, endColumn: 25, offset: 100 },
    knockdLine: 9,
  });
  assert.equal(formatFlagSpec(r.spec), "syn,!urg");
  assert.deepEqual(r.items.map((i) => [i.raw, i.valid, i.span.column, i.span.endColumn, i.span.offset]), [
    ["syn", true, 12, 15, 100],
    [" ack", false, 16, 20, 104],
    ["!urg", true, 21, 25, 109],
  ]);
  assert.equal(r.diagnostics[0]?.knockd, 'config: line 9: unrecognized flag " ACK"');
  assert.deepEqual(r.diagnostics[0]?.span, { line: 7, column: 16, endColumn: 20, offset: 104 });
  assert.match(r.diagnostics[0]?.message ?? "", /does not trim spaces/);
});

Deno.test("craft dialect trims, knows ECE CWR NS and PUSH, none and all, and an empty text", () => {
  assert.equal(spec("syn, ack", "craft"), "syn,ack");
  assert.equal(spec(" push , ! ece,cwr,NS", "craft"), "psh,!ece,cwr,ns");
  assert.equal(spec("", "craft"), "");
  assert.equal(spec("  ", "craft"), "");
  assert.equal(spec("none", "craft"), "!fin,!syn,!rst,!psh,!ack,!urg,!ece,!cwr,!ns");
  assert.equal(spec("all,!ns", "craft"), "fin,syn,rst,psh,ack,urg,ece,cwr,!ns");
  assert.equal(spec("none,syn", "craft"), "!fin,syn,!rst,!psh,!ack,!urg,!ece,!cwr,!ns");
  assert.deepEqual(rejected("syn,,ack", "craft").length, 1);
  assert.deepEqual(rejected("sin", "craft").length, 1);
  assert.deepEqual(rejected("!none", "craft").length, 1);
  const r = parseFlagSpec("syn,bogus", { dialect: "craft" });
  assert.equal(r.diagnostics[0]?.knockd, undefined);
  assert.match(r.diagnostics[0]?.message ?? "", /Unrecognized TCP flag "bogus"/);
});

Deno.test("flagMask uses the standard TCP bit values", () => {
  assert.deepEqual(TCP_FLAG_BITS, {
    fin: 0x01,
    syn: 0x02,
    rst: 0x04,
    psh: 0x08,
    ack: 0x10,
    urg: 0x20,
    ece: 0x40,
    cwr: 0x80,
    ns: 0x100,
  });
  assert.deepEqual(flagMask(parseFlagSpec("syn,!ack", { dialect: "knockd" }).spec), {
    set: 0x02,
    clear: 0x10,
  });
  assert.deepEqual(flagMask(parseFlagSpec("all", { dialect: "craft" }).spec), { set: 0x1ff, clear: 0 });
  assert.deepEqual(flagMask(parseFlagSpec("none", { dialect: "craft" }).spec), { set: 0, clear: 0x1ff });
  assert.deepEqual(flagMask(new Map()), { set: 0, clear: 0 });
});

Deno.test("formatFlagSpec is canonical: header bit order, round-trips through both dialects", () => {
  const s: FlagSpec = new Map([["ack", "clear"], ["fin", "set"], ["ns", "set"]]);
  assert.equal(formatFlagSpec(s), "fin,!ack,ns");
  assert.equal(formatFlagSpec(new Map()), "");
  for (const text of ["fin,!ack", "syn", "!rst,psh,urg"]) {
    assert.equal(spec(text, "knockd"), text);
    assert.equal(spec(text, "craft"), text);
  }
});
