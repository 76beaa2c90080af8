import assert from "node:assert/strict";
import { checkSharedPaths, SHARED_PREFIX } from "../../../tools/check/shared_paths.ts";

Deno.test("checkSharedPaths() flags every line that points into the shared folder, in any file", () => {
  const found = checkSharedPaths([
    { path: "README.md", text: `# x\nsee (${SHARED_PREFIX}docs/knockd-reference.md)\nok\n` },
    { path: "core/a.ts", text: `// from ${SHARED_PREFIX}docs/a.md\nconst b = "${SHARED_PREFIX}b";\n` },
    { path: "docs/ok.md", text: "see docs/knockd.md and ../docs/x.md and shared/ alone\n" },
  ]);
  assert.deepEqual(found.map((v) => `${v.file}:${v.line}`), ["README.md:2", "core/a.ts:1", "core/a.ts:2"]);
  assert.equal(SHARED_PREFIX.length, 10);
});
