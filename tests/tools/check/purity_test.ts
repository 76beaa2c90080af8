import assert from "node:assert/strict";
import { checkCorePurity, checkServePlatform } from "../../../tools/check/purity.ts";

const lines = (path: string, text: string) =>
  checkCorePurity([{ path, text }]).map((v) => `${v.file}:${v.line} ${v.message}`);

Deno.test("checkCorePurity() finds the runtime, the clock, timers and randomness in core/", () => {
  const text = [
    "const a = Deno.readTextFileSync(p);",
    "const b = Date.now();",
    "const c = new Date();",
    "const d = performance.now();",
    "setTimeout(f, 1); setInterval(f, 1); queueMicrotask(f);",
    "const e = Math.random();",
    "const g = globalThis.Deno;",
  ].join("\n");
  const found = checkCorePurity([{ path: "core/x/y.ts", text }]);
  assert.deepEqual(found.map((v) => v.line), [1, 2, 3, 4, 5, 5, 5, 6]);
  assert.ok(found.every((v) => v.rule === "core-purity" && v.file === "core/x/y.ts"));
  assert.match(found[0]!.message, /Deno/);
});

Deno.test("checkCorePurity() ignores comments, strings, new Date(ms), lookalike names and files outside core/", () => {
  const text = [
    "/** setTimeout(() => engine.tick(Date.now()), 5) */",
    "// Deno.exit()",
    'const s = "Date.now() and Deno";',
    "const t = new Date(timeMs).toISOString();",
    "const u = myDeno.x + o.setTimeout + obj.Date.now;",
  ].join("\n");
  assert.deepEqual(lines("core/a.ts", text), []);
  assert.deepEqual(lines("cli/a.ts", "Date.now(); Deno.exit(1);"), []);
  assert.deepEqual(lines("core/a.md", "Date.now()"), []);
});

Deno.test("checkServePlatform() finds the runtime, the clock and timers in serve's interpreter files only", () => {
  const text = "const n = Date.now();\nsetTimeout(f, 1);\nDeno.exit(1);\nconst r = Math.random();\n";
  const found = checkServePlatform([
    { path: "cli/serve/live.ts", text },
    { path: "cli/serve/platform.ts", text },
  ]);
  assert.deepEqual(found.map((v) => v.line).sort(), [1, 2, 3]);
  assert.ok(found.every((v) => v.rule === "serve-platform" && v.file === "cli/serve/live.ts"));
});
