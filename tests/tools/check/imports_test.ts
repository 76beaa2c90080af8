import assert from "node:assert/strict";
import { importEdges, parseImports, resolveImport } from "../../../tools/check/imports.ts";

Deno.test("parseImports() finds static, type-only, re-export, side-effect and dynamic imports", () => {
  const text = [
    'import assert from "node:assert/strict";',
    "import type {",
    "  A,",
    "  B,",
    '} from "./a.ts";',
    "export * from './b.ts';",
    'export { c, type D } from "../c.ts";',
    'import "./side.ts";',
    'const m = await import("./dyn.ts");',
  ].join("\n");
  assert.deepEqual(parseImports(text), [
    { specifier: "node:assert/strict", line: 1 },
    { specifier: "./a.ts", line: 5 },
    { specifier: "./b.ts", line: 6 },
    { specifier: "../c.ts", line: 7 },
    { specifier: "./side.ts", line: 8 },
    { specifier: "./dyn.ts", line: 9 },
  ]);
});

Deno.test("parseImports() ignores imports in comments and strings", () => {
  const text = [
    '// import x from "./comment.ts";',
    '/** ```ts\n * import { y } from "./doc.ts";\n * ``` */',
    "const program = 'import { z } from \"./string.ts\"';",
    'const u = new URL("./not_an_import.ts", import.meta.url);',
  ].join("\n");
  assert.deepEqual(parseImports(text), []);
});

Deno.test("resolveImport() resolves relative specifiers from the importing file", () => {
  assert.equal(resolveImport("core/lint/rules/a.ts", "../_context.ts"), "core/lint/_context.ts");
  assert.equal(resolveImport("mod.ts", "./core/config/mod.ts"), "core/config/mod.ts");
  assert.equal(resolveImport("tests/e2e/x_test.ts", "../../cli/main.ts?x=1"), "cli/main.ts");
  assert.equal(resolveImport("cli/a.ts", "../../outside/b.ts"), "../outside/b.ts");
  assert.equal(resolveImport("cli/a.ts", "npm:@optique/core"), undefined);
  assert.equal(resolveImport("cli/a.ts", "@optique/core/parser"), undefined);
});

Deno.test("importEdges() reads only TypeScript files and only relative imports", () => {
  const edges = importEdges([
    { path: "cli/a.ts", text: 'import { b } from "./b.ts";\nimport "node:fs";\n' },
    { path: "README.md", text: 'import { c } from "./c.ts";\n' },
  ]);
  assert.deepEqual(edges, [{ from: "cli/a.ts", to: "cli/b.ts", specifier: "./b.ts", line: 1 }]);
});
