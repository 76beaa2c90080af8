/**
 * Golden-file assertions: compare output with `tests/testdata/golden/<name>.golden`;
 * run with `UPDATE_GOLDEN=1` to (re)write the files instead, then review the diff.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Directory that holds the golden files. */
export const GOLDEN_DIR: string = new URL("./testdata/golden/", import.meta.url).pathname;

/** Asserts that `actual` equals the golden file `<name>.golden` (rewrites it when `UPDATE_GOLDEN=1`). */
export async function assertGolden(name: string, actual: string): Promise<void> {
  const path = `${GOLDEN_DIR}${name}.golden`;
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.mkdir(GOLDEN_DIR, { recursive: true });
    await Deno.writeTextFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Golden file "${path}" is missing; run with UPDATE_GOLDEN=1 to create it`);
    }
    throw error;
  }
  assert.equal(actual, expected, `Output differs from golden file "${path}" (UPDATE_GOLDEN=1 rewrites it)`);
}
