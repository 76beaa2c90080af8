/**
 * Help pages read well at common terminal widths: a synopsis never wraps inside a bracketed term
 * (a `[` at the end of a line, a `]` starting one), and a description never leaves its closing
 * punctuation alone on a line (a lone `.` or `).`).
 */
import assert from "node:assert/strict";
import { runCli } from "./_io.ts";

const PAGES: readonly (readonly string[])[] = [
  ["--help"],
  ["lint", "--help"],
  ["knock", "--help"],
  ["knock", "--spa", "PROFILE", "--help"],
  ["serve", "--help"],
  ["craft", "--help"],
  ["help", "craft"],
  ["help", "completion"],
];

/**
 * The lines of `text` that break a term or a sentence in the wrong place: ending in `[` or `/`
 * (inside `[-v/--verbose]`), or starting with closing punctuation (`]`, `)`, `.`, `,`; an
 * ellipsis may start a line), which includes a lone `.` line.
 */
function badLines(text: string): string[] {
  return text.split("\n").filter((line) => {
    const trimmed = line.trim();
    return /[[/]$/.test(trimmed) || /^(?!\.\.\.)[.,;:)\]]/.test(trimmed);
  });
}

Deno.test("badLines catches the wrapping faults it is meant to catch", () => {
  assert.deepEqual(badLines("Usage: x [--a] [\n  --b]"), ["Usage: x [--a] ["]);
  assert.deepEqual(badLines("  [--urg N\n  ] [--x]"), ["  ] [--x]"]);
  assert.deepEqual(badLines('Options: "a,b"\n   .\n'), ["   ."]);
  assert.deepEqual(badLines('(with "--door"\n  ).'), ["  )."]);
  assert.deepEqual(badLines("[-v/\n --verbose]"), ["[-v/"]);
  assert.deepEqual(badLines('  seconds ("1"\n  ) or microseconds'), ["  ) or microseconds"]);
  assert.deepEqual(badLines("Usage: x [--a] [--b]\n\n  --a   The a. (default 1).\n  ...more"), []);
});

for (const width of [80, 110]) {
  Deno.test(`every help page at ${width} columns: no break inside [...] and no lone punctuation line`, async () => {
    const faults: string[] = [];
    for (const args of PAGES) {
      const r = await runCli(args, { env: { COLUMNS: String(width) } });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stdout.length > 100, `${args.join(" ")}: no help printed`);
      for (const line of badLines(r.stdout)) {
        faults.push(`knocktool ${args.join(" ")}: ${JSON.stringify(line)}`);
      }
    }
    assert.deepEqual(faults, []);
  });
}
