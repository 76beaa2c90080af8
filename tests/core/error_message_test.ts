import assert from "node:assert/strict";
import { errorMessage } from "../../core/error_message.ts";

Deno.test("errorMessage() gives an Error's message, and any other thrown value as text", () => {
  assert.equal(errorMessage(new Error("boom")), "boom");
  assert.equal(errorMessage(new TypeError("")), "");
  assert.equal(errorMessage(new DOMException("aborted", "AbortError")), "aborted");
  assert.equal(errorMessage("text"), "text");
  assert.equal(errorMessage(undefined), "undefined");
  assert.equal(errorMessage(null), "null");
  assert.equal(errorMessage({ message: "not an Error" }), "[object Object]");
});
