import assert from "node:assert/strict";
import { checkTestSkips } from "../../../tools/check/test_skips.ts";

const lines = (text: string, path = "tests/cli/x_test.ts") =>
  checkTestSkips([{ path, text }]).map((v) => v.line);

Deno.test("checkTestSkips() flags a test body that returns early", () => {
  const text = [
    'Deno.test("a", async () => {',
    "  if (!canRestoreHelpers()) {",
    '    console.log("skipped: needs root");',
    "    return;",
    "  }",
    "  assert.ok(true);",
    "});",
    'Deno.test("b", () => {',
    "  if (Deno.uid() !== 0) return;",
    "});",
    'Deno.test({ name: "c", fn: async function (): Promise<void> {',
    "  const x = await setup();",
    "  if (x === undefined) return",
    "  assert.ok(x);",
    "} });",
    'Deno.test("d", async (t) => {',
    '  await t.step("e", () => {',
    "    if (skip) return;",
    "  });",
    "});",
    'Deno.test({ name: "f", fn() {',
    "  if (!root) { return; }",
    "} });",
  ].join("\n");
  assert.deepEqual(lines(text), [2, 9, 13, 18, 22]);
});

Deno.test("checkTestSkips() allows ignore:, returns that are not early exits, and files that are not tests", () => {
  const text = [
    'Deno.test({ name: "a", ignore: skip !== undefined }, async () => {',
    "  await withTopology({}, async (t) => {",
    "    if (done) return;", // nested callback, not the test body
    "  });",
    "  if (x) {",
    "    assert.ok(y);", // a branch that checks something
    "  }",
    "  if (z) return 3;", // not a bare return (and not a test's business, but not a skip)
    "  const f = () => { if (w) return; };",
    "});",
    'Deno.test("b", () => {',
    '  const s = "if (x) return;";',
    "  // if (x) return;",
    "  assert.ok(s);",
    "});",
  ].join("\n");
  assert.deepEqual(lines(text), []);
  assert.deepEqual(lines('Deno.test("a", () => {\n  if (x) return;\n});', "tests/_helper.ts"), []);
});
