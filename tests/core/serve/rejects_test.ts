/**
 * Refusals reported in aggregate (core/serve/rejects.ts): a refusal's line is read only when it is logged,
 * so a flood of junk does not build a line per datagram.
 */
import assert from "node:assert/strict";
import { type LogEntry, RejectReport } from "../../../core/serve/mod.ts";

function refusal(n: number): { reads: () => number; log: LogEntry } {
  let reads = 0;
  return {
    reads: () => reads,
    get log(): LogEntry {
      reads++;
      return { level: "info", message: `refusal ${n}`, fields: { event: "spa-reject" } };
    },
  };
}

Deno.test("rejects: only the first refusal of a kind in an interval has its line read; the rest are counted", () => {
  const report = new RejectReport();
  const refusals = Array.from({ length: 5 }, (_, i) => refusal(i));
  assert.equal(report.add("spa", "bad-mac", refusals[0]!, 0)?.message, "refusal 0");
  for (let i = 1; i < 4; i++) assert.equal(report.add("spa", "bad-mac", refusals[i]!, 10 * i), undefined);
  assert.deepEqual(refusals.map((r) => r.reads()), [1, 0, 0, 0, 0]);
  assert.equal(
    report.add("spa", "bad-mac", refusals[4]!, 1000)?.message,
    "refusal 4 (and 3 more bad-mac in the last interval)",
  );
  assert.equal(refusals[4]!.reads(), 1);
  // A plain line still works, and another reason is another kind.
  const line: LogEntry = { level: "info", message: "plain", fields: { event: "x" } };
  assert.equal(report.add("spa", "replay", line, 1000), line);
  assert.equal(report.add("other", "bad-mac", line, 1000), line);
});
