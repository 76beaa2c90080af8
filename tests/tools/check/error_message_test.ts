import assert from "node:assert/strict";
import { checkErrorMessages } from "../../../tools/check/error_message.ts";

Deno.test("checkErrorMessages() flags inline messages built from a caught value", () => {
  const text = [
    "const a = error instanceof Error ? error.message : String(error);",
    "const b = `x: ${e instanceof Error ? e.message : e}`;",
    "const c = err instanceof Error",
    "  ? err.message.replace(/x/, '')",
    "  : String(err);",
  ].join("\n");
  const found = checkErrorMessages([{ path: "cli/x.ts", text }, { path: "tests/x_test.ts", text }]);
  assert.deepEqual(found.map((v) => `${v.file}:${v.line}`), [
    "cli/x.ts:1",
    "cli/x.ts:2",
    "cli/x.ts:3",
    "tests/x_test.ts:1",
    "tests/x_test.ts:2",
    "tests/x_test.ts:3",
  ]);
});

Deno.test("checkErrorMessages() allows the helper, ffi/, other uses of instanceof, comments and strings", () => {
  const inline = "const a = error instanceof Error ? error.message : String(error);";
  assert.deepEqual(
    checkErrorMessages([
      { path: "core/error_message.ts", text: inline },
      { path: "ffi/x.ts", text: inline },
      { path: "cli/a.ts", text: "if (error instanceof Error && error.name === 'X') throw error;" },
      { path: "cli/b.ts", text: "const s = error instanceof Error ? error.stack : String(error);" },
      { path: "cli/c.ts", text: `// ${inline}\nconst d = "${inline}";` },
      { path: "cli/d.md", text: inline },
    ]),
    [],
  );
});
