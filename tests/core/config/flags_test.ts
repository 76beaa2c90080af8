import assert from "node:assert/strict";
import { flagMask, formatFlagSpec, parseFlagSpec, TCP_FLAG_BITS } from "../../../core/config/flags.ts";
import type { FlagSpec } from "../../../core/config/types.ts";

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

Deno.test("craft dialect knows ECE CWR NS and PUSH, none and all, on knockd's grammar", () => {
  assert.equal(spec("push,!ece,cwr,NS", "craft"), "psh,!ece,cwr,ns");
  assert.equal(spec("none", "craft"), "!fin,!syn,!rst,!psh,!ack,!urg,!ece,!cwr,!ns");
  assert.equal(spec("all,!ns", "craft"), "fin,syn,rst,psh,ack,urg,ece,cwr,!ns");
  assert.equal(spec("none,syn", "craft"), "!fin,syn,!rst,!psh,!ack,!urg,!ece,!cwr,!ns");
  for (
    const text of ["syn,,ack", "sin", "!none", "", "  ", "syn,", "syn, ack", " syn", "! syn", "syn ,ack"]
  ) {
    assert.equal(rejected(text, "craft").length, 1, JSON.stringify(text));
  }
  const r = parseFlagSpec("syn,bogus", { dialect: "craft" });
  assert.equal(r.diagnostics[0]?.knockd, undefined);
  assert.match(r.diagnostics[0]?.message ?? "", /Unrecognized TCP flag "bogus"/);
  assert.match(
    rejected("syn, ack", "craft")[0]!,
    /Unrecognized TCP flag " ack": no spaces around flags.*write "ack"/,
  );
  assert.match(rejected("", "craft")[0]!, /Empty TCP flag .*"none" clears every flag/);
});

Deno.test("one grammar: the same text gets the same answer from TCPFlags and craft/knock --flags", () => {
  // Every text over knockd's names, commas, spaces and '!' up to 3 items: both dialects accept or
  // reject it alike, with the same flags and the same rejected items.
  const atoms = ["syn", "ACK", "!fin", " rst", "psh ", "! urg", "", "!!syn", "s yn"];
  let compared = 0;
  for (const a of atoms) {
    for (const b of ["", ...atoms]) {
      for (const c of ["", ...atoms]) {
        const text = [a, b, c].filter((_, i) => i === 0 || [b, c][i - 1] !== "").join(",");
        const knockd = parseFlagSpec(text, { dialect: "knockd" });
        const craft = parseFlagSpec(text, { dialect: "craft" });
        assert.deepEqual(
          craft.items.map((i) => [i.raw, i.valid]),
          knockd.items.map((i) => [i.raw, i.valid]),
          JSON.stringify(text),
        );
        assert.equal(formatFlagSpec(craft.spec), formatFlagSpec(knockd.spec), JSON.stringify(text));
        compared++;
      }
    }
  }
  assert.ok(compared > 500, `${compared} texts compared`);
});

Deno.test("craft dialect takes hping3's letters: S, SA, FPU, XY, lower case, and '!' before them", () => {
  assert.equal(spec("S", "craft"), "syn");
  assert.equal(spec("SA", "craft"), "syn,ack");
  assert.equal(spec("FPU", "craft"), "fin,psh,urg");
  assert.equal(spec("FSRPAUXY", "craft"), "fin,syn,rst,psh,ack,urg,ece,cwr");
  assert.equal(spec("sa", "craft"), "syn,ack");
  assert.equal(spec("S,!A", "craft"), "syn,!ack");
  assert.equal(spec("!RA,syn", "craft"), "syn,!rst,!ack");
  assert.equal(spec("SA,ns", "craft"), "syn,ack,ns");
  assert.deepEqual(flagMask(parseFlagSpec("SA", { dialect: "craft" }).spec), { set: 0x12, clear: 0 });
  for (const text of ["SAQ", "S A", " SA", "SA ", "N"]) assert.equal(rejected(text, "craft").length, 1, text);
  // The config keeps knockd's names, and says what the letters mean.
  assert.deepEqual(rejected("SA", "knockd"), ['config: line 1: unrecognized flag "SA"']);
  const r = parseFlagSpec("SA", { dialect: "knockd" });
  assert.match(
    r.diagnostics[0]!.message,
    /knockd only knows FIN, SYN, RST, PSH, ACK and URG \(hping3's "SA" is "syn,ack"\)/,
  );
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
