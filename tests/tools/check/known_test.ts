import assert from "node:assert/strict";
import { compareWithKnown } from "../../../tools/check/known.ts";
import type { KnownViolation, Violation } from "../../../tools/check/types.ts";

const v = (rule: string, file: string, line?: number): Violation => ({
  rule,
  file,
  ...(line === undefined ? {} : { line }),
  message: "m",
});
const k = (rule: string, file: string): KnownViolation => ({ rule, file, why: "w" });

Deno.test("compareWithKnown() tolerates every violation of a listed rule and file, and nothing else", () => {
  const { unexpected, stale } = compareWithKnown(
    [
      v("file-size", "a.ts"),
      v("error-message", "b.ts", 1),
      v("error-message", "b.ts", 9),
      v("file-size", "c.ts"),
    ],
    [k("file-size", "a.ts"), k("error-message", "b.ts")],
  );
  assert.deepEqual(unexpected, [v("file-size", "c.ts")]);
  assert.deepEqual(stale, []);
});

Deno.test("compareWithKnown() reports an entry that matches nothing as stale, for the rules checked", () => {
  const known = [k("file-size", "fixed.ts"), k("layers", "fixed.ts"), k("file-size", "still.ts")];
  const violations = [v("file-size", "still.ts")];
  assert.deepEqual(compareWithKnown(violations, known).stale, [known[0], known[1]]);
  assert.deepEqual(compareWithKnown(violations, known, ["file-size"]).stale, [known[0]]);
  // The same file under another rule is not tolerated.
  assert.deepEqual(compareWithKnown([v("layers", "still.ts")], known, ["layers"]).unexpected, [
    v("layers", "still.ts"),
  ]);
});
