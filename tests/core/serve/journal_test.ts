import assert from "node:assert/strict";
import {
  decodeJournal,
  encodeJournal,
  encodeJournalHeader,
  encodeJournalOp,
  JOURNAL_FORMAT,
  type JournalEntry,
  journalFileName,
  partitionDue,
} from "../../../core/serve/journal.ts";
import { createRng } from "../../../core/packet/mod.ts";

const ENTRIES: JournalEntry[] = [
  {
    door: "openSSH",
    src: "192.0.2.7",
    command: "nft delete element inet f ok { 192.0.2.7 }",
    dueMs: 1_764_072_000_000,
  },
  { door: 'web "quoted"', src: "2001:db8::1", command: "echo 'a\nb' \\ \u00e9 %%", dueMs: 5 },
];

Deno.test("journal: encode then decode is the identity, a header then one add per stop", () => {
  const text = encodeJournal(ENTRIES);
  const lines = text.split("\n");
  assert.equal(lines.length, 4); // header, 2 adds, final empty
  assert.equal(lines[0], `{"format":"${JOURNAL_FORMAT}","version":2}`);
  assert.deepEqual(JSON.parse(lines[1]!), { op: "add", id: 1, ...ENTRIES[0] });
  assert.deepEqual(decodeJournal(text), { ok: true, entries: ENTRIES });
  assert.deepEqual(decodeJournal(encodeJournal([])), { ok: true, entries: [] });
  assert.equal(encodeJournal([]), encodeJournalHeader());
});

Deno.test("journal: a log of adds, due-time moves and deletions replays in order; NUL padding ends it", () => {
  const [a, b] = ENTRIES as [JournalEntry, JournalEntry];
  const text = encodeJournalHeader() +
    encodeJournalOp({ op: "add", id: 7, entry: a }) +
    encodeJournalOp({ op: "add", id: 9, entry: b }) +
    encodeJournalOp({ op: "due", id: 7, dueMs: 42 }) +
    encodeJournalOp({ op: "del", id: 9 }) +
    encodeJournalOp({ op: "add", id: 10, entry: b });
  assert.deepEqual(decodeJournal(text), { ok: true, entries: [{ ...a, dueMs: 42 }, b] });
  // The preallocated rest of the file is zeros; anything after the first NUL is not read.
  assert.deepEqual(decodeJournal(text + "\0".repeat(4096)), decodeJournal(text));
  assert.deepEqual(decodeJournal(text + "\0garbage\n{\n"), decodeJournal(text));
  assert.deepEqual(
    decodeJournal(
      text + encodeJournalOp({ op: "del", id: 7 }) + "\0" + encodeJournalOp({ op: "del", id: 10 }),
    ),
    { ok: true, entries: [b] },
  );
});

Deno.test("journal: a write torn by a crash (the last line without its newline) is ignored, at any byte", () => {
  const text = encodeJournal(ENTRIES) + encodeJournalOp({ op: "del", id: 1 });
  const header = encodeJournalHeader().length;
  const ends = [...text.matchAll(/\n/g)].map((m) => m.index! + 1);
  for (let cut = 0; cut <= text.length; cut++) {
    const r = decodeJournal(text.slice(0, cut) + "\0".repeat(16));
    if (cut < header - 1) {
      assert.equal(r.ok, false, `cut at ${cut}`);
      continue;
    }
    assert.ok(r.ok, `cut at ${cut}`);
    // Complete lines only: the adds, then the deletion of the first stop.
    const complete = Math.max(0, ends.filter((e) => e <= cut).length - 1);
    const expected = complete <= 2 ? ENTRIES.slice(0, complete) : ENTRIES.slice(1);
    assert.deepEqual(r.entries, expected, `cut at ${cut}`);
  }
});

Deno.test("journal: corrupt input is an error value naming the problem", () => {
  const [a] = ENTRIES as [JournalEntry];
  const head = encodeJournalHeader();
  const add = (fields: Record<string, unknown>) =>
    `${JSON.stringify({ op: "add", id: 1, ...a, ...fields })}\n`;
  const v1 = { format: JOURNAL_FORMAT, version: 1, stops: ENTRIES };
  const cases: [string, RegExp][] = [
    ["", /^not JSON: /],
    ['{"format":"knocktool-stop-journal","version":1,"stops":[', /^not JSON: /],
    ["[]", /^not a JSON object$/],
    ["null", /^not a JSON object$/],
    ['{"format":"other","version":1,"stops":[]}', /^format is not "knocktool-stop-journal"$/],
    ['{"format":"other","version":2}\n', /^format is not "knocktool-stop-journal"$/],
    [`{"format":"${JOURNAL_FORMAT}","version":3}\n`, /^unsupported version "3"$/],
    // version 2
    [head + "{not json\n" + add({}), /^line 2: not JSON: /],
    [head + "[1]\n", /^line 2: not a JSON object$/],
    [head + add({ id: 0 }), /^line 2: "id" is not a positive integer$/],
    [head + add({ id: 1.5 }), /^line 2: "id" is not a positive integer$/],
    [head + add({}) + add({}), /^line 3: stop 1 added twice$/],
    [head + add({ door: "" }), /^line 2: "door" is not a non-empty string$/],
    [head + add({ command: 3 }), /^line 2: "command" is not a non-empty string$/],
    [head + add({ dueMs: -1 }), /^line 2: "dueMs" is not a time$/],
    [head + add({}) + '{"op":"due","id":1,"dueMs":"soon"}\n', /^line 3: "dueMs" is not a time$/],
    [head + '{"op":"due","id":4,"dueMs":5}\n', /^line 2: no stop 4$/],
    [head + add({}) + '{"op":"del","id":2}\n', /^line 3: no stop 2$/],
    [head + '{"op":"move","id":1}\n', /^line 2: "op" is not add, due or del$/],
    // version 1 (written by earlier releases)
    [JSON.stringify({ ...v1, stops: {} }), /^"stops" is not an array$/],
    [JSON.stringify({ ...v1, stops: [1] }), /^stop 0 is not an object$/],
    [JSON.stringify({ ...v1, stops: [ENTRIES[0], { ...ENTRIES[1], door: 3 }] }), /^stop 1: "door" /],
    [JSON.stringify({ ...v1, stops: [{ ...a, src: "" }] }), /^stop 0: "src" /],
    [JSON.stringify({ ...v1, stops: [{ ...a, command: null }] }), /^stop 0: "command" /],
    [JSON.stringify({ ...v1, stops: [{ ...a, dueMs: "1" }] }), /^stop 0: "dueMs" is not a time$/],
    [JSON.stringify({ ...v1, stops: [{ ...a, dueMs: -1 }] }), /^stop 0: "dueMs" is not a time$/],
    [JSON.stringify({ ...v1, version: 4 }), /^unsupported version "4"$/],
  ];
  for (const [text, pattern] of cases) {
    const r = decodeJournal(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.error, pattern, text);
  }
  // A version 1 journal of an earlier release is read.
  assert.deepEqual(decodeJournal(JSON.stringify(v1) + "\n"), { ok: true, entries: ENTRIES });
});

Deno.test("journal: random and mutated input never throws", () => {
  const rng = createRng(42);
  const text = encodeJournal(ENTRIES) + encodeJournalOp({ op: "due", id: 2, dueMs: 9 });
  const alphabet =
    '{}[]":,0123456789.-eE truenfalsnul\\u"formatversionstopsdoorsrccommanddueMsopaddeldueid\n\0';
  let valid = 0;
  for (let i = 0; i < 5000; i++) {
    const chars = Array.from(
      { length: 1 + rng.int(0, 59) },
      () => alphabet[rng.int(0, alphabet.length - 1)],
    );
    const mutated = text.split("");
    for (let k = 0; k < 3; k++) {
      mutated[rng.int(0, mutated.length - 1)] = alphabet[rng.int(0, alphabet.length - 1)]!;
    }
    for (const input of [chars.join(""), mutated.join("")]) {
      const r = decodeJournal(input);
      assert.equal(typeof r.ok, "boolean");
      if (r.ok) valid++;
    }
  }
  assert.ok(valid < 10000, "random input is not all valid");
});

Deno.test("journal: file name keyed by the config path", () => {
  const a = journalFileName("/etc/knockd.conf");
  assert.match(a, /^knockd\.conf-[0-9a-f]{16}\.journal$/);
  assert.equal(journalFileName("/etc/knockd.conf"), a);
  assert.notEqual(journalFileName("/srv/knockd.conf"), a);
  assert.match(journalFileName("/x/my conf;rm -rf"), /^my_conf_rm_-rf-[0-9a-f]{16}\.journal$/);
  assert.match(journalFileName("/"), /^config-[0-9a-f]{16}\.journal$/);
});

Deno.test("journal: partitionDue splits at now, each part in due order", () => {
  const e = (door: string, dueMs: number): JournalEntry => ({ door, src: "1.2.3.4", command: "x", dueMs });
  const { overdue, future } = partitionDue(
    [e("c", 300), e("a", 100), e("b", 200), e("a2", 100), e("d", 201)],
    200,
  );
  assert.deepEqual(overdue.map((x) => x.door), ["a", "a2", "b"]);
  assert.deepEqual(future.map((x) => x.door), ["d", "c"]);
});
