import assert from "node:assert/strict";
import { parseDocLint } from "../../../tools/check/doc_lint.ts";

const OUTPUT = `error[missing-jsdoc]: exported symbol is missing JSDoc documentation
  --> /repo/core/span.ts:26:12
   |
26 |   readonly value: T;
   |            ^


error[private-type-ref]: public type 'loadLibpcap' references private type 'Libpcap'
  --> /repo/ffi/_pcap_symbols.ts:73:1
    |
 73 | export function loadLibpcap(): Libpcap {
    | ^

error: Found 2 documentation lint errors.
`;

Deno.test("parseDocLint() gives one violation per problem, with its file relative to the root and its line", () => {
  assert.deepEqual(parseDocLint(OUTPUT, 1, "/repo/"), [
    {
      rule: "doc-lint",
      file: "core/span.ts",
      line: 26,
      message: "missing-jsdoc: exported symbol is missing JSDoc documentation",
    },
    {
      rule: "doc-lint",
      file: "ffi/_pcap_symbols.ts",
      line: 73,
      message: "private-type-ref: public type 'loadLibpcap' references private type 'Libpcap'",
    },
  ]);
});

Deno.test("parseDocLint() is clean for a clean run and fails a failed run that names no problem", () => {
  assert.deepEqual(parseDocLint("", 0, "/repo/"), []);
  const failed = parseDocLint('error: Module not found "file:///repo/mod.ts".\n', 1, "/repo/");
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.message, /deno doc --lint failed:\nerror: Module not found/);
});
