import assert from "node:assert/strict";
import { controlSocketName, decodeStatus, encodeStatus, formatStatus } from "../../../core/serve/mod.ts";

Deno.test("control: the status answer round-trips; anything else is an error value", () => {
  const snapshot = {
    attempts: 3,
    open: [{ door: "ssh", src: "10.0.0.2", dueMs: 5000 }, { door: "ssh", src: "fd00::2", dueMs: undefined }],
  };
  const line = encodeStatus(snapshot, 77);
  assert.ok(line.endsWith("\n"));
  assert.deepEqual(decodeStatus(line), { ok: true, pid: 77, snapshot });
  assert.deepEqual(decodeStatus("nope"), { ok: false, error: "not JSON" });
  assert.equal(decodeStatus('{"format":"other"}').ok, false);
  assert.equal(
    decodeStatus('{"format":"knocktool-status","pid":1,"attempts":0,"open":[{"src":"x"}]}').ok,
    false,
  );
});

Deno.test("control: one short socket name per config path", () => {
  const a = controlSocketName("/etc/knockd.conf");
  assert.match(a, /^control-[0-9a-f]{16}\.sock$/);
  assert.equal(controlSocketName("/etc/knockd.conf"), a);
  assert.notEqual(controlSocketName("/etc/knockd2.conf"), a);
});

Deno.test("formatStatus: a line per open door with when it closes; none open; from the journal", () => {
  const clock = (ms: number) => `T${ms}`;
  assert.equal(
    formatStatus(
      {
        source: "daemon",
        attempts: 2,
        open: [{ door: "ssh", src: "10.0.0.2", dueMs: 61_000 }, {
          door: "web",
          src: "fd00::2",
          dueMs: undefined,
        }],
      },
      1000,
      clock,
    ),
    "knocktool serve is running, 2 knock attempts in progress\n" +
      "door  source    closes\n" +
      "ssh   10.0.0.2  closes at T61000 (in 60 s)\n" +
      "web   fd00::2   closes after its start command\n",
  );
  assert.equal(
    formatStatus({ source: "daemon", attempts: 0, open: [] }, 0, clock),
    "knocktool serve is running, 0 knock attempts in progress\nno door is open\n",
  );
  assert.match(
    formatStatus({ source: "journal", open: [{ door: "ssh", src: "10.0.0.2", dueMs: 500 }] }, 1000, clock),
    /not running; from its journal\n.*closing now \(overdue\)/s,
  );
});
