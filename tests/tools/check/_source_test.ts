import assert from "node:assert/strict";
import { lineAt, maskSource, matchBracket } from "../../../tools/check/_source.ts";

Deno.test("maskSource() blanks comments and keeps every offset and newline", () => {
  const text = 'const a = 1; // Date.now()\n/* Deno.exit()\n */ const b = "x";\n';
  const masked = maskSource(text, { strings: false });
  assert.equal(masked.length, text.length);
  assert.equal(masked.split("\n").length, text.split("\n").length);
  assert.ok(!masked.includes("Date") && !masked.includes("Deno"), masked);
  assert.ok(masked.includes('const b = "x";'), masked);
  assert.equal(masked.indexOf("const b"), text.indexOf("const b"));
});

Deno.test("maskSource() blanks the contents of strings, templates and regexes, not template expressions", () => {
  const text = 'f(\'Date.now()\', "Deno", `at ${Date.now()} in ${`${x}`}`, /Deno\\/["/]/g, a / b / c);';
  const masked = maskSource(text);
  assert.equal(masked.length, text.length);
  assert.ok(!masked.includes("'Date") && !masked.includes('"Deno"'), masked);
  assert.ok(masked.includes("${Date.now()}"), masked);
  assert.ok(masked.includes("${x}"), masked);
  assert.ok(masked.includes("a / b / c);"), masked); // divisions are not regexes
  assert.ok(!masked.includes("Deno"), masked);
  assert.equal(masked.indexOf("a / b"), text.indexOf("a / b"));
});

Deno.test("maskSource() knows a regex after return or ( and a division after a name or )", () => {
  assert.equal(maskSource("return /'/.test(x)"), "return / /.test(x)");
  assert.equal(maskSource("g(/a'/)"), "g(/  /)");
  assert.equal(maskSource("(x) / 2 + y / 'z'"), "(x) / 2 + y / ' '");
});

Deno.test("matchBracket() and lineAt() over masked text", () => {
  const masked = maskSource('f(a, "(", { b: [1] }) + 1');
  assert.equal(matchBracket(masked, 1), masked.indexOf(" + 1"));
  assert.equal(matchBracket("(((", 0), 3); // never closed: the end
  assert.equal(lineAt("a\nb\nc", 0), 1);
  assert.equal(lineAt("a\nb\nc", 4), 3);
});
