import assert from "node:assert/strict";
import { checkFileSize, countLines } from "../../../tools/check/file_size.ts";

Deno.test("countLines() counts like wc -l, plus an unterminated last line", () => {
  assert.equal(countLines(""), 0);
  assert.equal(countLines("a"), 1);
  assert.equal(countLines("a\n"), 1);
  assert.equal(countLines("a\nb"), 2);
  assert.equal(countLines("\n\n"), 2);
});

Deno.test("checkFileSize() flags source files over the limit outside tests/ and bench/", () => {
  const long = "x\n".repeat(451);
  const exact = "x\n".repeat(450);
  const found = checkFileSize([
    { path: "cli/serve/server.ts", text: long },
    { path: "cli/ok.ts", text: exact },
    { path: ".ci/run", text: long }, // not a source extension
    { path: "tools/x.sh", text: long },
    { path: "tests/cli/serve_test.ts", text: long },
    { path: "bench/latency.ts", text: long },
    { path: "README.md", text: long },
  ]);
  assert.deepEqual(found.map((v) => v.file), ["cli/serve/server.ts", "tools/x.sh"]);
  assert.match(found[0]!.message, /^451 lines, over the limit of 450/);
  assert.deepEqual(checkFileSize([{ path: "a.ts", text: "x\nx\nx\n" }], 2).map((v) => v.file), ["a.ts"]);
});
