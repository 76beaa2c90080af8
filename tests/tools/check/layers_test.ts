import assert from "node:assert/strict";
import { checkLayers } from "../../../tools/check/layers.ts";

const found = (path: string, text: string) =>
  checkLayers([{ path, text }]).map((v) => `${v.file}:${v.line} ${v.message}`);

Deno.test("checkLayers() rejects core/ importing cli/ or ffi/, and ffi/ importing cli/ or core/", () => {
  assert.deepEqual(found("core/engine/x.ts", 'import { a } from "../../cli/runtime.ts";'), [
    'core/engine/x.ts:1 core/ must not import cli/, but imports "../../cli/runtime.ts"',
  ]);
  assert.equal(found("core/x.ts", 'import type { P } from "../ffi/pcap.ts";').length, 1);
  assert.equal(found("ffi/x.ts", 'export { K } from "../core/knock.ts";').length, 1);
  assert.equal(found("ffi/x.ts", 'const m = await import("../cli/main.ts");').length, 1);
});

Deno.test("checkLayers() rejects code outside tests/ importing tests/, and imports leaving the repository", () => {
  assert.equal(found("bench/flood.ts", 'import { run } from "../tests/e2e/_netns.ts";').length, 1);
  assert.equal(found("tools/demo.ts", 'import { run } from "../tests/e2e/_netns.ts";').length, 1);
  assert.deepEqual(found("cli/a.ts", 'import { x } from "../../elsewhere/x.ts";'), [
    'cli/a.ts:1 imports "../../elsewhere/x.ts", outside the repository',
  ]);
});

Deno.test("checkLayers() allows the imports the layers are made for", () => {
  const allowed: [string, string][] = [
    [
      "cli/serve/x.ts",
      'import { a } from "../../core/engine/mod.ts";\nimport { b } from "../../ffi/mod.ts";',
    ],
    ["core/lint/x.ts", 'import { a } from "../config/mod.ts";'],
    ["tests/e2e/x_test.ts", 'import { a } from "../../tools/netns/mod.ts";\nimport "../../cli/main.ts";'],
    ["bench/x.ts", 'import { a } from "../tools/netns/mod.ts";'],
    ["mod.ts", 'export { a } from "./core/config/mod.ts";'],
  ];
  for (const [path, text] of allowed) assert.deepEqual(found(path, text), [], path);
});
