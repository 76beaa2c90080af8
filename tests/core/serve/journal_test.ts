import assert from "node:assert/strict";
import {
  decodeJournal,
  encodeJournal,
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

Deno.test("journal: encode then decode is the identity, one stop per line", () => {
  const text = encodeJournal(ENTRIES);
  assert.equal(text.split("\n").length, 5); // head, 2 stops, tail, final empty
  assert.ok(text.endsWith("]}\n"));
  const decoded = decodeJournal(text);
  assert.deepEqual(decoded, { ok: true, entries: ENTRIES });
  assert.deepEqual(decodeJournal(encodeJournal([])), { ok: true, entries: [] });
  assert.equal(encodeJournal([]), `{"format":"${JOURNAL_FORMAT}","version":1,"stops":[]}\n`);
});

Deno.test("journal: corrupt input is an error value naming the problem", () => {
  const good = JSON.parse(encodeJournal(ENTRIES));
  const cases: [string, RegExp][] = [
    ["", /^not JSON: /],
    ['{"format":"knocktool-stop-journal","version":1,"stops":[', /^not JSON: /],
    ["[]", /^not a JSON object$/],
    ["null", /^not a JSON object$/],
    ['{"format":"other","version":1,"stops":[]}', /^format is not "knocktool-stop-journal"$/],
    [JSON.stringify({ ...good, version: 2 }), /^unsupported version "2"$/],
    [JSON.stringify({ ...good, stops: {} }), /^"stops" is not an array$/],
    [JSON.stringify({ ...good, stops: [1] }), /^stop 0 is not an object$/],
    [JSON.stringify({ ...good, stops: [good.stops[0], { ...good.stops[1], door: 3 }] }), /^stop 1: "door" /],
    [JSON.stringify({ ...good, stops: [{ ...good.stops[0], src: "" }] }), /^stop 0: "src" /],
    [JSON.stringify({ ...good, stops: [{ ...good.stops[0], command: null }] }), /^stop 0: "command" /],
    [
      JSON.stringify({ ...good, stops: [{ ...good.stops[0], dueMs: "1" }] }),
      /^stop 0: "dueMs" is not a time$/,
    ],
    [
      JSON.stringify({ ...good, stops: [{ ...good.stops[0], dueMs: -1 }] }),
      /^stop 0: "dueMs" is not a time$/,
    ],
    [JSON.stringify({ ...good, stops: [{ ...good.stops[0], dueMs: undefined }] }), /^stop 0: "dueMs" /],
  ];
  for (const [text, pattern] of cases) {
    const r = decodeJournal(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.error, pattern, text);
  }
});

Deno.test("journal: random and truncated input never throws", () => {
  const rng = createRng(42);
  const text = encodeJournal(ENTRIES);
  for (let cut = 0; cut < text.length; cut++) {
    const r = decodeJournal(text.slice(0, cut));
    // Only the complete text (or the one without its newline) is valid.
    assert.equal(r.ok, cut >= text.length - 1, `cut at ${cut}`);
  }
  const alphabet = '{}[]":,0123456789.-eE truenfalsnul\\u"formatversionstopsdoorsrccommanddueMs';
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
