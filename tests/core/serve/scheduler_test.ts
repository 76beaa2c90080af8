import assert from "node:assert/strict";
import { parseConfig } from "../../../core/config/mod.ts";
import type { Door } from "../../../core/config/types.ts";
import { CommandScheduler, type Effect, type SchedulerOptions } from "../../../core/serve/mod.ts";

function doors(text: string): Door[] {
  const parsed = parseConfig(text);
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === "error"), []);
  return [...parsed.config.doors];
}

const [DOOR] = doors(
  "[d]\nsequence = 7000\ncmd_timeout = 10\nstart_command = open %IP%\nstop_command = close %IP%\n",
);
const [START_ONLY] = doors("[s]\nsequence = 7000\nstart_command = only %IP%\n");

/** A scheduler and what it asked for, as short lines: `run 3 open 1.2.3.4`, `log ...@t`, `journal add 1`. */
function scheduler(options: Partial<SchedulerOptions> = {}) {
  const s = new CommandScheduler({ dryRun: false, journal: false, ...options });
  const effects: Effect[] = [];
  const runs: Extract<Effect, { type: "run" }>[] = [];
  const describe = (e: Effect): string => {
    switch (e.type) {
      case "run":
        return `run ${e.id} ${e.command}`;
      case "log":
        return `log ${e.entry.message}@${e.timeMs}`;
      case "journal":
        return `journal ${e.op} ${e.id}${e.op === "due" ? ` ${e.dueMs}` : ""}`;
      default:
        return e.type;
    }
  };
  /** The effects since the last call, described; the runs are kept in `runs`. */
  const take = (): string[] => {
    const taken = effects.splice(0);
    for (const e of taken) if (e.type === "run" && !runs.includes(e)) runs.push(e);
    return taken.map(describe);
  };
  // `runs` must be current when a test reads it before `take()`.
  const out = (): Effect[] => {
    for (const e of effects) if (e.type === "run" && !runs.includes(e)) runs.push(e);
    return effects;
  };
  const sync = () => out();
  return { s, runs: new Proxy(runs, { get: (t, k) => (sync(), Reflect.get(t, k)) }), out, take };
}

Deno.test("scheduler: start now, stop cmd_timeout after the start command finished (knockd's order)", () => {
  const { s, take, runs, out } = scheduler();
  s.open(DOOR!, "10.0.0.2", 4, 1000, out());
  assert.deepEqual(take(), [
    "log d: running command: open 10.0.0.2@1000",
    `run ${runs[0]!.id} open 10.0.0.2`,
  ]);
  assert.equal(runs[0]!.timeoutMs, 60_000);
  assert.equal(s.nextDeadline, Infinity, "no stop is due before the start command has finished");
  s.exited(runs[0]!.id, { kind: "exited", code: 0 }, 1500, out());
  assert.deepEqual(take(), []);
  assert.equal(s.nextDeadline, 11_500);
  s.tick(11_499, out());
  assert.deepEqual(take(), []);
  s.tick(20_000, out());
  assert.deepEqual(take(), [
    "log 10.0.0.2: d: command timeout@11500",
    "log d: running command: close 10.0.0.2@11500",
    `run ${runs[1]!.id} close 10.0.0.2`,
  ]);
  assert.equal(s.idle, false);
  s.exited(runs[1]!.id, { kind: "exited", code: 0 }, 20_010, out());
  assert.equal(s.idle, true);
});

Deno.test("scheduler: a failed, lost or non-zero command is logged; its stop still runs", () => {
  const { s, take, runs, out } = scheduler();
  s.open(DOOR!, "10.0.0.2", 4, 0, out());
  s.exited(runs[0]!.id, { kind: "failed", reason: "no /bin/sh" }, 1, out());
  assert.deepEqual(take().slice(-1), ["log error: command fork failed! (no /bin/sh)@1"]);
  assert.equal(s.nextDeadline, 10_001);
  s.open(START_ONLY!, "10.0.0.3", 4, 2, out());
  s.exited(runs[1]!.id, { kind: "exited", code: 3 }, 3, out());
  assert.deepEqual(take().slice(-1), ["log s: command returned non-zero status code (3)@3"]);
  s.open(START_ONLY!, "10.0.0.4", 4, 4, out());
  s.exited(runs[2]!.id, { kind: "lost", reason: "ECHILD" }, 5, out());
  assert.deepEqual(take().slice(-1), ["log error: command status lost! (ECHILD)@5"]);
});

Deno.test("scheduler: an overrun is logged with the command; an unknown id is ignored", () => {
  const { s, take, runs, out } = scheduler({ commandTimeoutMs: 500 });
  s.open(START_ONLY!, "10.0.0.2", 4, 0, out());
  assert.equal(runs[0]!.timeoutMs, 500);
  assert.equal(runs[0]!.killGraceMs, 2000);
  take();
  s.overdue(runs[0]!.id, 500, out());
  assert.deepEqual(take(), ["log s: command ran longer than 0.5 s, killing it: only 10.0.0.2@500"]);
  s.overdue(9999, 600, out());
  s.exited(9999, { kind: "exited", code: 0 }, 600, out());
  assert.deepEqual(take(), []);
});

Deno.test("scheduler: commands beyond the limit queue in FIFO order, none dropped; one warning per burst", () => {
  const { s, take, runs, out } = scheduler({ maxCommands: 2 });
  for (let i = 1; i <= 5; i++) s.open(START_ONLY!, `10.0.0.${i}`, 4, i, out());
  const first = take();
  assert.deepEqual(first.filter((l) => l.startsWith("run")), ["run 1 only 10.0.0.1", "run 2 only 10.0.0.2"]);
  assert.deepEqual(first.filter((l) => l.includes("limit")), [
    "log command limit reached (2 running): queueing commands@3",
  ]);
  assert.equal(s.queued, 3);
  s.exited(1, { kind: "exited", code: 0 }, 10, out());
  assert.deepEqual(take().filter((l) => l.startsWith("run")), ["run 3 only 10.0.0.3"]);
  s.exited(2, { kind: "exited", code: 0 }, 11, out());
  s.exited(3, { kind: "exited", code: 0 }, 12, out());
  assert.deepEqual(take().filter((l) => l.startsWith("run")), ["run 4 only 10.0.0.4", "run 5 only 10.0.0.5"]);
  s.exited(4, { kind: "exited", code: 0 }, 13, out());
  assert.deepEqual(take(), ["log command queue drained: 3 commands waited for a slot@13"]);
  s.exited(5, { kind: "exited", code: 0 }, 14, out());
  assert.equal(s.idle, true);
  assert.equal(runs.length, 5);
});

Deno.test("scheduler: with a journal the stop is journaled first; the start waits for it to be durable", () => {
  const { s, take, runs, out } = scheduler({ journal: true });
  s.open(DOOR!, "10.0.0.2", 4, 1000, out());
  assert.deepEqual(take(), ["journal add 1"]);
  assert.equal(runs.length, 0);
  assert.equal(s.idle, false);
  s.journalDurable(1, 1001, out());
  assert.deepEqual(take(), ["log d: running command: open 10.0.0.2@1001", "run 2 open 10.0.0.2"]);
  s.exited(2, { kind: "exited", code: 0 }, 1100, out());
  assert.deepEqual(take(), ["journal due 1 11100"]);
  s.tick(11_100, out());
  assert.deepEqual(take(), [
    "log 10.0.0.2: d: command timeout@11100",
    "log d: running command: close 10.0.0.2@11100",
    "run 3 close 10.0.0.2",
  ]);
  s.exited(3, { kind: "exited", code: 1 }, 11_200, out());
  // Whatever its status, a stop that ran leaves the journal.
  assert.deepEqual(take(), [
    "log d: command returned non-zero status code (1)@11200",
    "journal del 1",
    "log 10.0.0.2: d: stop command done, removed from the journal@11200",
  ]);
  assert.equal(s.idle, true);
});

Deno.test("scheduler: resume runs overdue stops at once and schedules the others; new ids follow theirs", () => {
  const { s, take, runs, out } = scheduler({ journal: true });
  s.resume(
    [
      { id: 1, door: "a", src: "10.0.0.1", command: "close-a", dueMs: 500 },
      { id: 7, door: "b", src: "10.0.0.2", command: "close-b", dueMs: 5000 },
    ],
    1000,
    out(),
  );
  assert.deepEqual(take(), [
    "log 10.0.0.1: a: running overdue stop command from the journal@1000",
    "log a: running command: close-a@1000",
    "run 8 close-a",
    "log 10.0.0.2: b: stop command from the journal due in 4.0 s@1000",
  ]);
  assert.equal(s.nextDeadline, 5000);
  s.open(DOOR!, "10.0.0.9", 4, 1000, out());
  assert.deepEqual(take(), ["journal add 9"]);
  s.exited(8, { kind: "exited", code: 0 }, 1001, out());
  assert.deepEqual(take().slice(0, 1), ["journal del 1"]);
  s.tick(5000, out());
  assert.deepEqual(take().slice(0, 1), ["log 10.0.0.2: b: command timeout@5000"]);
  assert.equal(runs.length, 2);
});

Deno.test("scheduler: shutdown runs every stop now, or once its start has finished; queued commands still run", () => {
  const { s, take, runs, out } = scheduler({ maxCommands: 1 });
  s.open(DOOR!, "10.0.0.1", 4, 0, out());
  s.exited(runs[0]!.id, { kind: "exited", code: 0 }, 10, out());
  s.open(DOOR!, "10.0.0.2", 4, 20, out()); // its start runs
  s.open(DOOR!, "10.0.0.3", 4, 30, out()); // queued
  take();
  s.shutdown(40, out());
  // The first stop fires now, and waits in line behind the running and the queued start.
  assert.deepEqual(take(), [
    "log 10.0.0.1: d: shutting down before cmd_timeout, running the stop command now@40",
  ]);
  s.exited(runs[1]!.id, { kind: "exited", code: 0 }, 50, out());
  assert.deepEqual(take(), [
    "log 10.0.0.2: d: shutting down before cmd_timeout, running the stop command now@50",
    "log d: running command: open 10.0.0.3@50",
    `run ${runs[2]!.id} open 10.0.0.3`,
  ]);
  for (let i = 2; i < 6; i++) {
    assert.equal(s.idle, false);
    s.exited(runs[i]!.id, { kind: "exited", code: 0 }, 60 + i, out());
  }
  assert.deepEqual(runs.map((r) => r.command), [
    "open 10.0.0.1",
    "open 10.0.0.2",
    "open 10.0.0.3",
    "close 10.0.0.1",
    "close 10.0.0.2",
    "close 10.0.0.3",
  ]);
  assert.equal(s.idle, true);
});

Deno.test("scheduler: the end of a capture runs every stop at its own due time, in due order", () => {
  const { s, take, out } = scheduler({ dryRun: true });
  s.open(DOOR!, "10.0.0.2", 4, 2000, out());
  s.open(DOOR!, "10.0.0.1", 4, 1000, out());
  take();
  s.endOfCapture(out());
  assert.deepEqual(take(), [
    "log 10.0.0.1: d: command timeout@11000",
    "log d: running command: close 10.0.0.1@11000",
    "log 10.0.0.2: d: command timeout@12000",
    "log d: running command: close 10.0.0.2@12000",
  ]);
  assert.equal(s.idle, true);
});

Deno.test("scheduler: a dry run logs every command and runs none; an empty start command means neither runs", () => {
  const { s, take, runs, out } = scheduler({ dryRun: true, journal: true });
  s.open(DOOR!, "fd00::2", 6, 0, out());
  assert.deepEqual(take(), ["log d: running command: open fd00::2@0"]);
  s.tick(10_000, out());
  assert.deepEqual(take(), [
    "log fd00::2: d: command timeout@10000",
    "log d: running command: close fd00::2@10000",
  ]);
  const [none] = doors("[n]\nsequence = 1\nstart_command =  \nstop_command = x\n");
  s.open(none!, "10.0.0.1", 4, 0, out());
  assert.deepEqual(take(), []);
  assert.equal(runs.length, 0);
  assert.equal(s.idle, true);
});

Deno.test("scheduler: a command over knockd's 4096-byte limit is an error and runs nothing", () => {
  const { s, take, out } = scheduler();
  // 4,000 characters in the file, 8,000 bytes once every %IP% is replaced.
  const [long] = doors(`[l]\nsequence = 1\nstart_command = ${"%IP%".repeat(1000)}\n`);
  s.open(long!, "10.0.0.1", 4, 0, out());
  assert.deepEqual(take(), ["log error: parsed start command has been truncated! --> won't execute it@0"]);
});

Deno.test("scheduler: a negative cmd_timeout runs the stop right after the start (knockd: never)", () => {
  const { s, take, runs, out } = scheduler();
  const [negative] = doors(
    "[n]\nsequence = 7000\ncmd_timeout = -5\nstart_command = open\nstop_command = close\n",
  );
  s.open(negative!, "10.0.0.2", 4, 1000, out());
  s.exited(runs[0]!.id, { kind: "exited", code: 0 }, 1200, out());
  assert.equal(s.nextDeadline, 1200, "due the moment the start command finished");
  s.tick(1200, out());
  assert.deepEqual(take().slice(-1), [`run ${runs[1]!.id} close`]);
});
