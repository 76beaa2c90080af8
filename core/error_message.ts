/**
 * The text of a caught value: `catch (error)` gives `unknown`, and a message needs a string.
 *
 * @module
 */

/**
 * The message of an `Error`, or any other thrown value as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./error_message.ts";
 *
 * assert.equal(errorMessage(new RangeError("port 70000 is invalid")), "port 70000 is invalid");
 * assert.equal(errorMessage("plain text"), "plain text");
 * assert.equal(errorMessage(42), "42");
 * ```
 *
 * @param error What was caught.
 * @returns `error.message` for an `Error`, else `String(error)`.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
