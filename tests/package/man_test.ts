/**
 * The man pages (tools/man/) cannot drift from the program: every option of every command's `--help`, every
 * rule of the lint registry and every directive of the extension registry is in them, and Debian's
 * `mandoc -Tlint` finds nothing to say about any of them.
 */
import assert from "node:assert/strict";
import { getDocPage } from "@optique/core/parser";
import type { DocPage } from "@optique/core/doc";
import { COMMANDS } from "../../cli/commands.ts";
import { KNOCKTOOL_EXTENSIONS } from "../../core/config/mod.ts";
import { RULES } from "../../core/lint/mod.ts";
import { type ManPage, manPages } from "../../tools/man/mod.ts";
import { knockSpaDoc } from "../../tools/man/knocktool_1.ts";
import { escape, fold, plainText } from "../../tools/man/roff.ts";
import { hasCommand } from "../e2e/_netns.ts";

const pages = manPages({ date: "2026-01-02", version: "9.8.7" });
const page = (file: string): ManPage => pages.find((p) => p.file === file)!;

/** The page as a reader sees it: font escapes gone, `\-` a minus again. */
function plain(text: string): string {
  return text.replace(/\\f[BIRP]/g, "").replace(/\\-/g, "-").replace(/\\e/g, "\\").replace(/\\&/g, "");
}

function optionNames(name: string): string[] {
  const parser = (COMMANDS as Record<string, Parameters<typeof getDocPage>[0]>)[name]!;
  const doc = getDocPage(parser, [name]) as DocPage;
  return doc.sections.flatMap((s) => s.entries).flatMap((e) => e.term.type === "option" ? e.term.names : []);
}

Deno.test("manPages: three pages with their titles, date and version", () => {
  assert.deepEqual(pages.map((p) => [p.file, p.section]), [
    ["knocktool.1", 1],
    ["knocktool-serve.8", 8],
    ["knocktool.conf.5", 5],
  ]);
  assert.match(page("knocktool.1").text, /^\.TH KNOCKTOOL 1 2026-01-02 "knocktool 9\.8\.7"$/m);
  assert.match(page("knocktool-serve.8").text, /^\.TH KNOCKTOOL\\-SERVE 8 2026-01-02 "knocktool 9\.8\.7"$/m);
  assert.match(page("knocktool.conf.5").text, /^\.TH KNOCKTOOL\.CONF 5 2026-01-02 /m);
  assert.deepEqual(
    manPages({ date: "2026-01-02", version: "9.8.7" }),
    pages,
    "the same sources, the same pages",
  );
});

Deno.test("knocktool(1) has every option of every command but serve, knocktool-serve(8) serve's", () => {
  const program = plain(page("knocktool.1").text);
  const serve = plain(page("knocktool-serve.8").text);
  assert.ok(Object.keys(COMMANDS).length >= 4);
  for (const name of Object.keys(COMMANDS)) {
    const text = name === "serve" ? serve : program;
    assert.ok(program.includes(`knocktool ${name}`), `knocktool(1) names the command ${name}`);
    const names = optionNames(name);
    assert.ok(names.length > 0, `${name} has options`);
    for (const option of names) {
      assert.match(text, new RegExp(`^${option}\\b|, ${option}\\b`, "m"), `${name} ${option} is documented`);
    }
  }
  assert.match(serve, /^Config file \(default "\/etc\/knockd\.conf"\)\.$/m, "the help text itself");
});

Deno.test("knocktool(1) has knock --spa (a parser of its own) with every one of its options", () => {
  const program = plain(page("knocktool.1").text);
  assert.match(program, /^knocktool knock --spa PROFILE \[OPTIONS\]$/m, "in the synopsis");
  assert.match(program, /^knocktool knock --spa PROFILE\nSend one SPA datagram/m, "a subsection of its own");
  const names = knockSpaDoc().sections.flatMap((s) => s.entries).flatMap((e) =>
    e.term.type === "option" ? e.term.names : []
  );
  assert.ok(names.length >= 10, names.join(" "));
  const section = program.slice(program.indexOf("knocktool knock --spa PROFILE\n"));
  for (const option of names) {
    assert.match(
      section,
      new RegExp(`^${option}\\b|, ${option}\\b`, "m"),
      `knock --spa ${option} is documented`,
    );
  }
});

Deno.test("knocktool.conf(5) has every rule of the registry and every knocktool directive", () => {
  const conf = plain(page("knocktool.conf.5").text);
  assert.ok(RULES.length > 30);
  for (const rule of RULES) {
    assert.ok(conf.includes(`\n${rule.code} ${rule.name} (${rule.severity})\n`), `${rule.code} is listed`);
  }
  assert.ok(KNOCKTOOL_EXTENSIONS.length >= 2);
  for (const ext of KNOCKTOOL_EXTENSIONS) {
    assert.match(conf, new RegExp(`^${ext.key} \\(in (a door|\\[options\\])\\)$`, "m"), ext.key);
  }
  // The knockd dialect's own keys.
  for (const key of ["UseSyslog", "Sequence", "One_Time_Sequences", "TCPFlags", "Stop_Command_6", "Target"]) {
    assert.match(conf, new RegExp(`^${key}\\b`, "m"), key);
  }
});

Deno.test("roff: text is escaped, examples are kept, long lines are folded", () => {
  assert.equal(escape(".start\n'quote\\back"), "\\&.start\n\\&'quote\\eback");
  assert.deepEqual(plainText("Prose on\ntwo lines.\n\nExample:\n  [door]\n      sequence = 1\n\nFix: it."), [
    ".PP",
    "Prose on two lines.",
    ".PP",
    "Example:",
    ".PP",
    ".EX",
    "  [door]",
    "      sequence = 1",
    ".EE",
    ".PP",
    "Fix: it.",
  ]);
  const long = `${"abcdefghi ".repeat(8)}.dot`; // 79 bytes, then a word that must go to the next line
  const folded = fold(`.TH X 1\n${long}\n.EX\n${"x".repeat(100)}\n.EE`).split("\n");
  assert.deepEqual(folded.slice(0, 3), [".TH X 1", "abcdefghi ".repeat(8).trim(), "\\&.dot"]);
  assert.equal(folded.at(-2), "x".repeat(100), "no-fill blocks are kept");
});

const noMandoc = !(await hasCommand("mandoc"));
Deno.test({
  name: "mandoc -Tlint finds nothing in any page",
  ignore: noMandoc, // tests/setup.sh installs mandoc (as root)
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-man-" });
  try {
    for (const p of pages) {
      const file = `${dir}/${p.file}`;
      await Deno.writeTextFile(file, p.text);
      const out = await new Deno.Command("mandoc", {
        args: ["-Tlint", file],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(said, "", `mandoc -Tlint ${p.file}:\n${said}`);
      assert.equal(out.code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
