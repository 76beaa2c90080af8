import assert from "node:assert/strict";
import { renderPrometheus } from "../../../core/serve/mod.ts";
import { daemon } from "./_daemon.ts";

const DOOR =
  "[openSSH]\nsequence = 7000,8000,9000\nseq_timeout = 5\nstart_command = open %IP%\ncmd_timeout = 10\n" +
  "stop_command = close %IP%\n[quiet]\nsequence = 1111\n";

function sample(page: string, name: string): number | undefined {
  const line = page.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("metrics: knocks, openings, failures by reason, commands by result and their durations", () => {
  const t = daemon(DOOR, { dryRun: false, verbose: false });
  const before = renderPrometheus(t.d.metrics(), "0.1.0");
  // Every door has its series from the start, at zero.
  assert.equal(sample(before, 'knocktool_knocks_total{door="quiet"}'), 0);
  assert.equal(sample(before, 'knocktool_openings_total{door="openSSH"}'), 0);
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  t.knocks("10.0.0.3", [7000, 9000], 2000); // fails at stage 1
  const run = t.effects.find((e) => e.type === "run");
  assert.ok(run?.type === "run");
  t.effects.push(...t.d.commandExited(run.id, { kind: "exited", code: 3 }, 1200 + 30));
  t.effects.push(...t.d.captureStats(0, { received: 42, dropped: 2 }, 3000));
  const page = renderPrometheus(t.d.metrics(), "0.1.0");
  assert.equal(sample(page, 'knocktool_build_info{version="0.1.0"}'), 1);
  assert.equal(sample(page, 'knocktool_knocks_total{door="openSSH"}'), 4);
  assert.equal(sample(page, 'knocktool_openings_total{door="openSSH"}'), 1);
  assert.equal(sample(page, 'knocktool_failures_total{door="openSSH",reason="wrong-port"}'), 1);
  assert.equal(sample(page, 'knocktool_commands_total{door="openSSH",result="nonzero"}'), 1);
  // 30 ms: in the 0.05 bucket and above, not in 0.025.
  assert.equal(sample(page, 'knocktool_command_duration_seconds_bucket{door="openSSH",le="0.025"}'), 0);
  assert.equal(sample(page, 'knocktool_command_duration_seconds_bucket{door="openSSH",le="0.05"}'), 1);
  assert.equal(sample(page, 'knocktool_command_duration_seconds_bucket{door="openSSH",le="+Inf"}'), 1);
  assert.equal(sample(page, 'knocktool_command_duration_seconds_count{door="openSSH"}'), 1);
  assert.equal(sample(page, 'knocktool_capture_packets_total{interface="eth0"}'), 42);
  assert.equal(sample(page, 'knocktool_capture_drops_total{interface="eth0"}'), 2);
  assert.equal(sample(page, "knocktool_stop_commands_pending"), 1);
  assert.equal(sample(page, "knocktool_packets_total"), 5);
  // Every family has HELP and TYPE lines, counters end in _total.
  for (const line of page.split("\n").filter((l) => l.startsWith("# TYPE "))) {
    const [, , name, type] = line.split(" ");
    if (type === "counter") assert.match(name!, /_total$/, line);
  }
});

Deno.test("metrics: label values are escaped (a door name with a quote, a backslash, a newline)", () => {
  const t = daemon('[we"ird\\door]\nsequence = 7000\n');
  const page = renderPrometheus(t.d.metrics(), "0.1.0");
  assert.ok(page.includes('knocktool_knocks_total{door="we\\"ird\\\\door"} 0'), page);
});

Deno.test("status: the doors open now, with when each closes (undefined while the start command runs)", () => {
  const t = daemon(DOOR, { dryRun: false });
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.deepEqual(t.d.status().open, [{ door: "openSSH", src: "10.0.0.2", dueMs: undefined }]);
  const run = t.effects.find((e) => e.type === "run");
  assert.ok(run?.type === "run");
  t.d.commandExited(run.id, { kind: "exited", code: 0 }, 1300);
  assert.deepEqual(t.d.status().open, [{ door: "openSSH", src: "10.0.0.2", dueMs: 11_300 }]);
  t.d.tick(11_300);
  assert.deepEqual(t.d.status().open, []);
});
