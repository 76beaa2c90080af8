/** Target canonical-form detection (`core/lint/_ip.ts`, on `core/address.ts`) against glibc's `inet_ntop` output. */
import assert from "node:assert/strict";
import { formatIPv6, tryParseIPv6 } from "../../../core/address.ts";
import { judgeTarget } from "../../../core/lint/_ip.ts";

Deno.test("formatIPv6() prints like glibc inet_ntop", () => {
  const cases: [string, string][] = [
    ["FD77:0:0::1", "fd77::1"],
    ["fd77:0000:0000:0000:0000:0000:0000:0001", "fd77::1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], // longest run
    ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"], // first run on a tie
    ["1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"], // a single zero group is not compressed
    ["1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"],
    ["1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["::ffff:a00:1", "::ffff:10.0.0.1"],
    ["::10.0.0.1", "::10.0.0.1"],
    ["::2", "::2"],
  ];
  for (const [input, want] of cases) {
    const bytes = tryParseIPv6(input);
    assert.ok(bytes, input);
    assert.equal(formatIPv6(bytes), want, input);
  }
});

Deno.test("tryParseIPv6() rejects malformed addresses", () => {
  for (
    const bad of [
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::1",
      "::1.2.3",
      "1:2:3:4:5:6:7::8",
    ]
  ) {
    assert.equal(tryParseIPv6(bad), undefined, bad);
  }
});

Deno.test("judgeTarget() accepts only canonical text and says what the canonical form is", () => {
  assert.deepEqual(judgeTarget("10.0.0.1"), { kind: "canonical" });
  assert.deepEqual(judgeTarget("fd77::1"), { kind: "canonical" });
  assert.deepEqual(judgeTarget("::ffff:10.0.0.1"), { kind: "canonical" });
  assert.equal((judgeTarget("010.0.0.1") as { canonical: string }).canonical, "10.0.0.1");
  assert.deepEqual(judgeTarget("::ffff:010.0.0.1"), {
    kind: "non-canonical",
    canonical: "::ffff:10.0.0.1",
    detail: "not in compressed lowercase form",
  });
  assert.equal((judgeTarget("FD77::1") as { canonical: string }).canonical, "fd77::1");
  assert.equal((judgeTarget("fe80::1%eth0") as { canonical: string }).canonical, "fe80::1");
  assert.equal((judgeTarget("10.0.0.1 #x") as { canonical: string }).canonical, "10.0.0.1");
  assert.equal(judgeTarget("gate.example.org").kind, "hostname");
  assert.equal(judgeTarget("256.0.0.1").kind, "invalid");
  assert.equal(judgeTarget("").kind, "invalid");
  assert.equal(judgeTarget("10.1").kind, "invalid");
});
