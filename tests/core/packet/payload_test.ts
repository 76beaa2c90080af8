import assert from "node:assert/strict";
import { HexSyntaxError, parseHexPayload, textPayload } from "../../../core/packet/payload.ts";
import { hex } from "./_parse.ts";

Deno.test("parseHexPayload: the spellings sendip and packit accept", () => {
  for (
    const text of [
      "0x414243",
      "414243",
      "41 42 43",
      "0x 41 42 43",
      "41:42:43",
      "0X41\n42\t43",
      "  0x41 4243 ",
    ]
  ) {
    assert.equal(hex(parseHexPayload(text)), "414243", JSON.stringify(text));
  }
  assert.equal(parseHexPayload("").length, 0);
  assert.equal(parseHexPayload("0x").length, 0);
  assert.equal(hex(parseHexPayload("DEADbeef")), "deadbeef");
});

Deno.test("parseHexPayload: errors carry the column", () => {
  const cases: [string, RegExp][] = [
    ["41g2", /^HexSyntaxError: Invalid hex digit "g" at column 3$/],
    ["414", /Odd hex digit "4" without a partner at column 3/],
    ["41 4 42", /Odd hex digit "4" without a partner at column 4/],
    ["4z", /Invalid hex digit "z" at column 2/],
    ["0x0x41", /Invalid hex digit "x" at column 4/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseHexPayload(text), (e: unknown) => {
      assert.ok(e instanceof HexSyntaxError);
      assert.match(String(e), message);
      assert.equal(e.input, text);
      return true;
    });
  }
});

Deno.test("textPayload: UTF-8", () => {
  assert.equal(hex(textPayload("knock")), "6b6e6f636b");
  assert.equal(hex(textPayload("é")), "c3a9");
});
