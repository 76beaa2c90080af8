import assert from "node:assert/strict";
import { checkCycles, findCycles } from "../../../tools/check/cycles.ts";

Deno.test("findCycles() finds every strongly connected component that is a cycle", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["c"]],
    ["c", ["a", "d"]],
    ["d", ["e"]],
    ["e", []],
    ["self", ["self"]],
    ["x", ["y"]],
    ["y", ["x", "b"]],
  ]);
  assert.deepEqual(findCycles(graph), [["a", "b", "c"], ["self"], ["x", "y"]]);
  assert.deepEqual(findCycles(new Map([["a", ["b"]], ["b", ["c"]]])), []);
});

Deno.test("findCycles() walks a long chain without recursion", () => {
  const graph = new Map(Array.from({ length: 50_000 }, (_, i) => [`n${i}`, [`n${(i + 1) % 50_000}`]]));
  const cycles = findCycles(graph);
  assert.equal(cycles.length, 1);
  assert.equal(cycles[0]!.length, 50_000);
});

Deno.test("checkCycles() names a module cycle by its sorted members and says through which imports", () => {
  const found = checkCycles([
    { path: "core/lint/_otp.ts", text: 'import { c } from "./_context.ts";\n' },
    { path: "core/lint/_context.ts", text: 'import type { O } from "./_otp.ts";\n' },
    { path: "core/lint/lint.ts", text: 'import { c } from "./_context.ts";\n' },
  ]);
  assert.deepEqual(found.map((v) => [v.rule, v.file]), [
    ["module-cycle", "core/lint/_context.ts -> core/lint/_otp.ts"],
  ]);
  assert.match(found[0]!.message, /core\/lint\/_context\.ts:1 -> core\/lint\/_otp\.ts/);
});

Deno.test("checkCycles() finds parts of core/ that import each other with no module cycle", () => {
  const found = checkCycles([
    { path: "core/config/codes.ts", text: 'import type { RuleInfo } from "../lint/types.ts";\n' },
    { path: "core/lint/types.ts", text: "export interface RuleInfo {}\n" },
    { path: "core/lint/lint.ts", text: 'import { parseConfig } from "../config/parse.ts";\n' },
    { path: "core/config/parse.ts", text: 'import { span } from "../span.ts";\n' },
    { path: "core/span.ts", text: "export const span = 1;\n" },
    { path: "cli/a.ts", text: 'import "./b.ts";\n' }, // outside core/: a module cycle only
    { path: "cli/b.ts", text: 'import "./c/d.ts";\n' },
    { path: "cli/c/d.ts", text: 'import "../a.ts";\n' },
  ]);
  assert.deepEqual(found.map((v) => [v.rule, v.file]), [
    ["module-cycle", "cli/a.ts -> cli/b.ts -> cli/c/d.ts"],
    ["folder-cycle", "core/config -> core/lint"],
  ]);
  assert.match(
    found[1]!.message,
    /core\/config -> core\/lint \(1 import, e\.g\. core\/config\/codes\.ts:1\)/,
  );
});
