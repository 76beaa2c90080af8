// One-time-sequences files, as knockd 0.8 reads and marks them.
import assert from "node:assert/strict";
import { markOneTimeSequenceUsed, parseOneTimeSequences } from "../../../core/config/mod.ts";

const fixture = Deno.readTextFileSync(new URL("../../testdata/config/otp_sequences.txt", import.meta.url));

Deno.test("the first valid line is current; comments, empty and invalid lines are skipped", () => {
  const r = parseOneTimeSequences(fixture, { door: "otp" });
  assert.deepEqual(
    r.entries.map((
      e,
    ) => [e.line, e.steps.map((s) => `${s.port}:${s.protocol}`).join(","), e.startsWithNonSpace]),
    [
      [1, "1111:tcp,2222:tcp", false],
      [2, "3333:tcp,4444:udp", true],
      [6, "5555:tcp,6666:udp", false],
    ],
  );
  assert.equal(r.current, r.entries[0]);
  assert.deepEqual(r.entries[0]?.span, { line: 1, column: 2, endColumn: 11, offset: 1 });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.knockd, d.span?.line, d.span?.column]),
    [["KT011", "warning", "config: section otp: port 70000 is invalid", 5, 1]],
  );
});

Deno.test("a file without a valid line has no current sequence", () => {
  const r = parseOneTimeSequences("# all used\n\n#1111,2222\n1:icmp\n");
  assert.equal(r.current, undefined);
  assert.equal(r.entries.length, 0);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["KT011"]);
  assert.deepEqual(parseOneTimeSequences(""), { entries: [], diagnostics: [] });
});

Deno.test("OTP lines use the config's sequence syntax, CRLF and all", () => {
  const r = parseOneTimeSequences("\t7000 , 8000:UDP,\r\n");
  assert.deepEqual(r.current?.steps.map((s) => [s.port, s.protocol, s.raw]), [
    [7000, "tcp", "7000 "],
    [8000, "udp", " 8000:UDP"],
    [0, "tcp", ""],
  ]);
  assert.equal(r.current?.startsWithNonSpace, false);
});

Deno.test("markOneTimeSequenceUsed replaces a leading space, otherwise inserts '#': no digit is lost", () => {
  assert.equal(markOneTimeSequenceUsed(" 1111,2222\n3333,4444:udp\n", 1), "#1111,2222\n3333,4444:udp\n");
  assert.equal(markOneTimeSequenceUsed(" 1111,2222\n3333,4444:udp\n", 2), " 1111,2222\n#3333,4444:udp\n");
  assert.equal(markOneTimeSequenceUsed("\t5,6", 1), "#5,6");
  // CRLF stays CRLF, the last line without a newline stays so.
  assert.equal(markOneTimeSequenceUsed("1,2\r\n3,4\r\n5,6", 2), "1,2\r\n#3,4\r\n5,6");
  assert.equal(markOneTimeSequenceUsed("1,2\r\n3,4\r\n5,6", 3), "1,2\r\n3,4\r\n#5,6");
  // Out of range, empty and already used lines are left alone.
  assert.equal(markOneTimeSequenceUsed("1,2\n", 3), "1,2\n");
  assert.equal(markOneTimeSequenceUsed("1,2\n\n", 2), "1,2\n\n");
  assert.equal(markOneTimeSequenceUsed("#1,2\n", 1), "#1,2\n");
  assert.equal(markOneTimeSequenceUsed("1,2\n", 0), "1,2\n");
  assert.equal(markOneTimeSequenceUsed("1,2\n", 1.5), "1,2\n");
});

Deno.test("marking the current line used makes the next valid line current", () => {
  let text = fixture;
  const seen: number[] = [];
  for (;;) {
    const r = parseOneTimeSequences(text);
    if (r.current === undefined) break;
    seen.push(r.current.steps[0]?.port ?? -1);
    const next = markOneTimeSequenceUsed(text, r.current.line);
    assert.notEqual(next, text);
    assert.equal(next.length - text.length, r.current.startsWithNonSpace ? 1 : 0);
    text = next;
  }
  assert.deepEqual(seen, [1111, 3333, 5555]);
  assert.equal(text, "#1111,2222\n#3333,4444:udp\n# used\n\n70000,1\n#5555:tcp,6666:udp\n");
});
