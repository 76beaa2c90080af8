/**
 * The stop-command journal, the command timeout and the command limit of `serve`: in-process through the
 * real daemon core, effect interpreter, {@linkcode StopJournal} and `/bin/sh` (no capture needed), and, as root,
 * the daemon itself on `lo` (restart with a journal, a hung start command not delaying another door).
 */
import assert from "node:assert/strict";
import {
  decodeJournal,
  encodeJournal,
  type JournalEntry,
  journalFileName,
} from "../../core/serve/journal.ts";
import { commandPath } from "./_commands.ts";
import { StopJournal } from "../../cli/serve/journal.ts";
import { captureServeLog } from "./_serve_log.ts";
import { buildPacket, createRng, encodePcap } from "../../core/packet/mod.ts";
import { KNOCKTOOL, poll, Spawned } from "../e2e/_netns.ts";
import { runCli } from "./_io.ts";

let pcapMissing = false;
try {
  const { PcapHandle } = await import("../../ffi/mod.ts");
  PcapHandle.libVersion();
} catch {
  pcapMissing = true;
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

async function journalEntries(path: string): Promise<readonly JournalEntry[] | undefined> {
  const decoded = decodeJournal(await readOr(path));
  return decoded.ok ? decoded.entries : undefined;
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, ms = 10_000) {
  assert.ok(await poll(condition, ms, 20), `timed out waiting for ${what}`);
}

Deno.test("journal: the stop is on disk before the start command runs, and gone once the stop ran", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(`${dir}/state`, `${dir}/knockd.conf`, log);
  assert.ok(opened.ok);
  assert.deepEqual(opened.entries, []);
  const journal = opened.journal;
  assert.equal(journal.path, `${dir}/state/${journalFileName(`${dir}/knockd.conf`)}`);
  assert.equal((await Deno.stat(`${dir}/state`)).mode! & 0o777, 0o700);
  const conf = `[d]\nsequence = 7000\ncmd_timeout = 1\n` +
    `start_command = cat ${journal.path} > ${dir}/seen\nstop_command = echo close %IP% >> ${dir}/out\n`;
  const runner = commandPath(conf, { log, journal, entries: opened.entries });
  const t0 = Date.now();
  runner.open("d", "192.0.2.7");
  await waitFor("the start command", async () => (await readOr(`${dir}/seen`)) !== "");
  // What the start command itself saw in the journal: its own stop, with the substituted command.
  const seen = decodeJournal(await readOr(`${dir}/seen`));
  assert.ok(seen.ok, "the journal the start command read is valid");
  assert.equal(seen.entries.length, 1);
  assert.equal(seen.entries[0]!.door, "d");
  assert.equal(seen.entries[0]!.src, "192.0.2.7");
  assert.equal(seen.entries[0]!.command, `echo close 192.0.2.7 >> ${dir}/out`);
  assert.ok(seen.entries[0]!.dueMs >= t0 + 1000 && seen.entries[0]!.dueMs < t0 + 3000);
  assert.equal((await Deno.stat(journal.path)).mode! & 0o777, 0o600);
  await waitFor("the stop command", async () => (await readOr(`${dir}/out`)) === "close 192.0.2.7\n");
  await waitFor("the empty journal", async () => (await journalEntries(journal.path))?.length === 0);
  await runner.commandsDone();
  await journal.settle();
  assert.equal(journal.size, 0);
  assert.ok(out.includes("192.0.2.7: d: stop command done, removed from the journal"), out.join("\n"));
  // No temporary files left behind.
  assert.deepEqual([...Deno.readDirSync(`${dir}/state`)].map((e) => e.name), [
    journalFileName(`${dir}/knockd.conf`),
  ]);
});

Deno.test("journal: a burst of openings in one tick is one write, on disk before every start command", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log } = captureServeLog();
  const opened = StopJournal.open(dir, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  const path = opened.journal.path;
  const conf = `[d]\nsequence = 7000\ncmd_timeout = 60\nstart_command = cat ${path} > ${dir}/seen-%IP%\n` +
    `stop_command = echo close %IP%\n`;
  const runner = commandPath(conf, { log, journal: opened.journal });
  const sources = Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}`);
  for (const src of sources) runner.open("d", src);
  await waitFor("every start command", async () => {
    for (const src of sources) if ((await readOr(`${dir}/seen-${src}`)) === "") return false;
    return true;
  });
  await runner.commandsDone();
  for (const src of sources) {
    // Every start command, the first one included, saw all 20 stops: they went to disk in one write.
    const seen = decodeJournal(await readOr(`${dir}/seen-${src}`));
    assert.ok(seen.ok, src);
    assert.deepEqual(seen.entries.map((e) => e.src), sources, src);
  }
  await runner.shutdown(5000);
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
});

Deno.test("journal: a failed write is logged once and the start command still runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(`${dir}/state`, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  await Deno.remove(`${dir}/state`, { recursive: true }); // every write fails from now on
  const conf = `[d]\nsequence = 7000\ncmd_timeout = 0\nstart_command = echo open %IP% >> ${dir}/out\n` +
    `stop_command = echo close %IP% >> ${dir}/out\n`;
  const runner = commandPath(conf, { log, journal: opened.journal });
  runner.open("d", "192.0.2.1");
  runner.open("d", "192.0.2.2");
  await waitFor("both doors' commands", async () => (await readOr(`${dir}/out`)).split("\n").length === 5);
  await runner.commandsDone();
  await opened.journal.settle();
  const errors = out.filter((l) => l.startsWith("could not write stop journal"));
  assert.deepEqual(errors, [
    `could not write stop journal ${opened.journal.path}: No such file or directory`,
  ]);
});

Deno.test("journal: a failed stop command leaves the journal too (status logged)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(dir, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  const conf = `[d]\nsequence = 7000\ncmd_timeout = 0\nstart_command = true\nstop_command = exit 3\n`;
  const runner = commandPath(conf, { log, journal: opened.journal });
  runner.open("d", "192.0.2.8");
  await waitFor("the stop", () => out.some((l) => l.includes("removed from the journal")));
  await opened.journal.settle();
  assert.deepEqual(await journalEntries(opened.journal.path), []);
  assert.ok(out.includes("d: command returned non-zero status code (3)"), out.join("\n"));
});

Deno.test("journal: at start, overdue stops run at once and the others at their time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const conf = `${dir}/knockd.conf`;
  const path = `${dir}/${journalFileName(conf)}`;
  const now = Date.now();
  await Deno.writeTextFile(
    path,
    encodeJournal([
      { door: "late", src: "192.0.2.1", command: `echo late >> ${dir}/out`, dueMs: now + 1500 },
      { door: "old", src: "192.0.2.2", command: `echo old >> ${dir}/out`, dueMs: now - 60_000 },
      { door: "gone", src: "2001:db8::3", command: `echo gone >> ${dir}/out`, dueMs: now - 1 },
    ]),
  );
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(dir, conf, log);
  assert.ok(opened.ok);
  assert.equal(opened.entries.length, 3);
  const t0 = Date.now();
  const runner = commandPath("", { log, journal: opened.journal, entries: opened.entries });
  assert.equal(runner.pending, 1);
  const [first, second, third] = out.filter((l) => !l.includes(": running command: "));
  assert.deepEqual([first, second], [
    "192.0.2.2: old: running overdue stop command from the journal",
    "2001:db8::3: gone: running overdue stop command from the journal",
  ]);
  // Due 1.5 s after the journal was written (a loaded machine may take a little of that to start).
  assert.match(third ?? "", /^192\.0\.2\.1: late: stop command from the journal due in 1\.[2-5] s$/);
  await waitFor("the overdue stops", async () => (await readOr(`${dir}/out`)).split("\n").length === 3, 2000);
  assert.ok(Date.now() - t0 < 1000, "overdue stops ran at once");
  assert.deepEqual((await readOr(`${dir}/out`)).split("\n").sort(), ["", "gone", "old"]);
  await waitFor("the remaining entry", async () => (await journalEntries(path))?.length === 1);
  assert.equal((await journalEntries(path))![0]!.door, "late");
  await waitFor("the scheduled stop", async () => (await readOr(`${dir}/out`)).includes("late"), 5000);
  const at = Date.now() - t0;
  assert.ok(at >= 1400 && at < 2500, `scheduled stop ran after ${at} ms, due after 1500 ms`);
  assert.ok(out.includes("192.0.2.1: late: command timeout"));
  await runner.commandsDone();
  await opened.journal.settle();
  assert.deepEqual(await journalEntries(path), []);
});

Deno.test("journal: a pending stop from the journal runs early at shutdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const conf = `${dir}/knockd.conf`;
  const path = `${dir}/${journalFileName(conf)}`;
  await Deno.writeTextFile(
    path,
    encodeJournal([{
      door: "d",
      src: "192.0.2.1",
      command: `echo x >> ${dir}/out`,
      dueMs: Date.now() + 60_000,
    }]),
  );
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(dir, conf, log);
  assert.ok(opened.ok);
  const runner = commandPath("", { log, journal: opened.journal, entries: opened.entries });
  await runner.shutdown(5000);
  assert.equal(await readOr(`${dir}/out`), "x\n");
  assert.ok(out.includes("192.0.2.1: d: shutting down before cmd_timeout, running the stop command now"));
  // Nothing pending after a clean shutdown: the file is gone.
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
});

Deno.test("journal: temporary files of writes cut by a crash are removed at start, only this journal's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const name = journalFileName(`${dir}/k.conf`);
  const other = journalFileName(`${dir}/other.conf`);
  await Deno.writeTextFile(`${dir}/.${name}.abc123.tmp`, "{");
  await Deno.writeTextFile(`${dir}/.${other}.def456.tmp`, "{");
  const { log } = captureServeLog();
  const opened = StopJournal.open(dir, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  // The journal itself is (re)written at start, compacted and preallocated.
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    [`.${other}.def456.tmp`, name].sort(),
  );
  await opened.journal.close();
});

Deno.test("journal: a corrupt journal is logged and moved aside, never a crash", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const conf = `${dir}/knockd.conf`;
  const path = `${dir}/${journalFileName(conf)}`;
  for (const garbage of ['{"format":"knocktool-stop-journal","version":1,"stops":[{"door"', "\u0000\u00ff"]) {
    await Deno.writeTextFile(path, garbage);
    const { log, out } = captureServeLog();
    const opened = StopJournal.open(dir, conf, log, Date.UTC(2026, 10, 25, 18, 30, 5));
    assert.ok(opened.ok);
    assert.deepEqual(opened.entries, []);
    const aside = `${path}.corrupt-20261125T183005Z`;
    assert.equal(await Deno.readTextFile(aside), garbage);
    // A fresh, empty journal took its place.
    assert.deepEqual(decodeJournal(await Deno.readTextFile(path)), { ok: true, entries: [] });
    assert.match(
      out.join("\n"),
      /^stop journal .* is corrupt \(not JSON: .*\): moved aside to .*\.corrupt-20261125T183005Z$/,
    );
    await opened.journal.close();
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound); // empty at a clean close: removed
    await Deno.remove(aside);
  }
});

Deno.test("journal: an unusable state directory is an error value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  await Deno.writeTextFile(`${dir}/file`, "");
  const { log } = captureServeLog();
  const notDir = StopJournal.open(`${dir}/file/state`, `${dir}/k.conf`, log);
  assert.equal(notDir.ok, false);
  if (!notDir.ok) {
    assert.equal(
      notDir.error,
      `cannot use state directory ${dir}/file/state: Not a directory (choose another with --state-dir)`,
    );
  }
  const file = StopJournal.open(`${dir}/file`, `${dir}/k.conf`, log);
  assert.equal(file.ok, false);
  if (Deno.uid() !== 0) {
    await Deno.mkdir(`${dir}/ro`, { mode: 0o500 });
    const ro = StopJournal.open(`${dir}/ro`, `${dir}/k.conf`, log);
    assert.equal(ro.ok, false);
  }
});

Deno.test("command timeout: a hung command and its children are killed (SIGTERM, then SIGKILL)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-timeout-" });
  const { log, out } = captureServeLog();
  const runner = commandPath(
    `[polite]\nsequence = 7000\nstart_command = sleep 60 & echo $! > ${dir}/child; wait\n` +
      `[stubborn]\nsequence = 7001\nstart_command = trap '' TERM; echo $$ > ${dir}/sh; sleep 60\n`,
    { log, commandTimeoutMs: 500 },
  );
  const t0 = Date.now();
  runner.open("polite", "192.0.2.1");
  runner.open("stubborn", "192.0.2.2");
  await waitFor(
    "the polite kill",
    () => out.includes("polite: command returned non-zero status code (143)"),
    5000,
  );
  const politeMs = Date.now() - t0;
  assert.ok(politeMs >= 450 && politeMs < 2000, `killed after ${politeMs} ms`);
  await runner.commandsDone();
  const stubbornMs = Date.now() - t0;
  assert.ok(stubbornMs >= 2400 && stubbornMs < 4500, `SIGKILL after ${stubbornMs} ms`);
  const text = out.join("\n");
  assert.ok(
    text.includes(
      `polite: command ran longer than 0.5 s, killing it: sleep 60 & echo $! > ${dir}/child; wait`,
    ),
  );
  assert.ok(text.includes("stubborn: command ran longer than 0.5 s, killing it:"));
  assert.ok(text.includes("stubborn: command returned non-zero status code (137)"), text);
  // The background `sleep 60` of the polite command was killed with its process group.
  const child = Number((await readOr(`${dir}/child`)).trim());
  assert.ok(child > 0);
  await waitFor("the child's end", () => {
    try {
      Deno.kill(child, "SIGCONT");
      return false;
    } catch {
      return true;
    }
  }, 3000);
});

Deno.test("command limit: commands beyond it queue in order, all run, stops never dropped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-limit-" });
  const { log, out } = captureServeLog();
  const opened = StopJournal.open(`${dir}/state`, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  const runner = commandPath(
    `[d]\nsequence = 7000\ncmd_timeout = 0\n` +
      `start_command = echo +%IP% >> ${dir}/trace; sleep 0.2; echo -%IP% >> ${dir}/trace\n` +
      `stop_command = echo +stop%IP% >> ${dir}/trace; sleep 0.1; echo -stop%IP% >> ${dir}/trace\n`,
    { log, journal: opened.journal, maxCommands: 2 },
  );
  const sources = Array.from({ length: 6 }, (_, i) => `192.0.2.${i + 1}`);
  for (const src of sources) runner.open("d", src);
  await waitFor("every stop", async () => {
    await runner.commandsDone();
    return runner.pending === 0 && (await readOr(`${dir}/trace`)).split("\n").length === 25;
  }, 15_000);
  await runner.commandsDone();
  const trace = (await readOr(`${dir}/trace`)).split("\n").filter((l) => l !== "");
  let running = 0, most = 0;
  for (const line of trace) {
    running += line.startsWith("+") ? 1 : -1;
    most = Math.max(most, running);
  }
  assert.equal(most, 2, trace.join(" "));
  for (const src of sources) {
    assert.ok(trace.includes(`-${src}`) && trace.includes(`-stop${src}`), src);
  }
  // FIFO: the start commands got their slots in opening order. (The shells' own `echo +IP` lines may
  // interleave: two commands that get slots at the same moment race to write the trace.)
  const starts = out.flatMap((l) => /^d: running command: echo \+([\d.]+) /.exec(l)?.[1] ?? []);
  assert.deepEqual(starts, sources);
  const warnings = out.filter((l) => l.includes("command limit reached"));
  assert.deepEqual(warnings, ["command limit reached (2 running): queueing commands"]);
  assert.ok(
    out.some((l) => /^command queue drained: \d+ commands waited for a slot$/.test(l)),
    out.join("\n"),
  );
  await opened.journal.settle();
  assert.deepEqual(await journalEntries(opened.journal.path), []);
});

Deno.test({
  name: "serve --read never touches the journal (not even --state-dir)",
  ignore: pcapMissing,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-replay-" });
    await Deno.writeTextFile(
      `${dir}/knockd.conf`,
      `[d]\nsequence = 7000\ncmd_timeout = 5\nstart_command = echo open >> ${dir}/out\n` +
        `stop_command = echo close >> ${dir}/out\n`,
    );
    const rng = createRng(1);
    const packet = (timeMs: number, dport: number) => ({
      timeMs,
      data: buildPacket({
        src: "10.77.0.2",
        dst: "10.77.0.1",
        transport: { protocol: "tcp", dport, sport: 40000, seq: timeMs, flags: 0x02 },
      }, rng),
    });
    await Deno.writeFile(
      `${dir}/in.pcap`,
      encodePcap([packet(1000, 7000), packet(9000, 7001)], { linkType: 101 }),
    );
    const r = await runCli([
      "serve",
      "-c",
      `${dir}/knockd.conf`,
      "--read",
      `${dir}/in.pcap`,
      "--state-dir",
      `${dir}/state`,
    ]);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.equal(await readOr(`${dir}/out`), "open\nclose\n");
    await assert.rejects(Deno.stat(`${dir}/state`), Deno.errors.NotFound);
  },
});

// ---- the daemon on lo (root: live capture) --------------------------------------------------------------

const isRoot = Deno.build.os === "linux" && Deno.uid() === 0;
const live = !isRoot || pcapMissing;

async function tcpKnock(port: number): Promise<void> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
  } catch {
    // refused: the SYN was sent, that is the knock
  }
}

Deno.test({
  name: "serve on lo: an unusable --state-dir is a clean error and exit 1",
  ignore: live,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-state-" });
    await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 47301\n");
    await Deno.writeTextFile(`${dir}/file`, "");
    const out = await new Deno.Command(KNOCKTOOL[0]!, {
      args: [
        ...KNOCKTOOL.slice(1),
        "serve",
        "-c",
        `${dir}/knockd.conf`,
        "-i",
        "lo",
        "--state-dir",
        `${dir}/file`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.equal(
      new TextDecoder().decode(out.stderr),
      `knocktool: cannot use state directory ${dir}/file: File exists (choose another with --state-dir)\n`,
    );
  },
});

Deno.test({
  name:
    "serve on lo: restart with a journal runs overdue stops and schedules the rest; hung start does not delay another door",
  ignore: live,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-live-" });
    const conf = `${dir}/knockd.conf`;
    await Deno.writeTextFile(
      conf,
      `[hung]\nsequence = 47311,47312\ntcpflags = syn\nstart_command = sleep 60\n` +
        `[quick]\nsequence = 47321,47322\ntcpflags = syn\ncmd_timeout = 1\n` +
        `start_command = echo open %IP% >> ${dir}/out\nstop_command = echo close %IP% >> ${dir}/out\n`,
    );
    const state = `${dir}/state`;
    await Deno.mkdir(state);
    const path = `${state}/${journalFileName(await Deno.realPath(conf))}`;
    const now = Date.now();
    await Deno.writeTextFile(
      path,
      encodeJournal([
        {
          door: "quick",
          src: "192.0.2.50",
          command: `echo overdue >> ${dir}/journal-out`,
          dueMs: now - 5000,
        },
        { door: "quick", src: "192.0.2.51", command: `echo future >> ${dir}/journal-out`, dueMs: now + 4000 },
      ]),
    );
    await using daemon = new Spawned([
      ...KNOCKTOOL,
      "serve",
      "-c",
      conf,
      "-i",
      "lo",
      "-v",
      "--state-dir",
      state,
      "--command-timeout",
      "5",
    ]);
    await daemon.waitForLine(/^starting up, listening on lo$/, 20_000);
    await daemon.waitForLine(/^192\.0\.2\.50: quick: running overdue stop command from the journal$/, 2000);
    await daemon.waitForLine(/^192\.0\.2\.51: quick: stop command from the journal due in \d\.\d s$/, 2000);
    await waitFor("the overdue stop", async () => (await readOr(`${dir}/journal-out`)) === "overdue\n", 2000);
    // Door "hung": its start command sleeps; door "quick" must open at once all the same.
    await tcpKnock(47311);
    await tcpKnock(47312);
    await daemon.waitForLine(/^hung: running command: sleep 60$/, 5000);
    const t0 = Date.now();
    await tcpKnock(47321);
    await tcpKnock(47322);
    await waitFor("door quick", async () => (await readOr(`${dir}/out`)) === "open 127.0.0.1\n", 3000);
    const openMs = Date.now() - t0;
    assert.ok(openMs < 1000, `door quick opened after ${openMs} ms with a hung command running`);
    await waitFor("door quick's stop", async () => (await readOr(`${dir}/out`)).includes("close"), 4000);
    // The journaled future stop ran at its time (4 s after the journal was written).
    await waitFor(
      "the future stop",
      async () => (await readOr(`${dir}/journal-out`)) === "overdue\nfuture\n",
      8000,
    );
    assert.ok(Date.now() - now >= 3900, "the future stop did not run early");
    // The hung start command is killed at --command-timeout.
    await daemon.waitForLine(/^hung: command ran longer than 5 s, killing it: sleep 60$/, 8000);
    await poll(async () => (await journalEntries(path))?.length === 0, 3000);
    assert.deepEqual(await journalEntries(path), []);
    const status = await daemon.stop();
    assert.equal(status.code, 0, daemon.output());
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound, "an empty journal is removed at shutdown");
  },
});

Deno.test({
  name: "serve -d passes --state-dir (made absolute), --command-timeout, --max-commands and -B to the daemon",
  ignore: live,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-daemon-state-" });
    await Deno.writeTextFile(`${dir}/knockd.conf`, "[d]\nsequence = 47331\n");
    const out = await new Deno.Command(KNOCKTOOL[0]!, {
      args: [
        ...KNOCKTOOL.slice(1),
        "serve",
        "-c",
        "knockd.conf",
        "-i",
        "lo",
        "-d",
        "-p",
        "kt.pid",
        "--state-dir",
        "st",
        "--command-timeout",
        "7",
        "--max-commands",
        "3",
        "-B",
        "2048",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const pid = Number((await Deno.readTextFile(`${dir}/kt.pid`)).trim());
    try {
      const args = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
      const after = (name: string) => args[args.indexOf(name) + 1];
      assert.equal(after("--state-dir"), `${dir}/st`);
      assert.equal(after("--command-timeout"), "7");
      assert.equal(after("--max-commands"), "3");
      assert.equal(after("--buffer-size"), "2048");
      assert.equal((await Deno.stat(`${dir}/st`)).mode! & 0o777, 0o700);
    } finally {
      Deno.kill(pid, "SIGTERM");
    }
    await waitFor("the daemon's exit", async () => (await readOr(`${dir}/kt.pid`)) === "");
  },
});

Deno.test("serve -B/--buffer-size takes KiB from 64 to 1 GiB; out of range is a usage error (exit 2)", async () => {
  for (const value of ["10", "0", "-5", "lots", "1048577"]) {
    const r = await runCli(["serve", "-B", value, "-c", "/nonexistent/knockd.conf"]);
    assert.equal(r.code, 2, `${value}: ${r.stderr}`);
    assert.match(r.stderr, /--buffer-size|-B/, value);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  }
});

Deno.test("journal log: changes are appended in place (same file, same size) and each batch is readable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log } = captureServeLog();
  const opened = StopJournal.open(dir, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  const journal = opened.journal;
  const before = await Deno.stat(journal.path);
  assert.equal(before.size, 1 << 20, "preallocated");
  const entry = (i: number) => ({
    door: "d",
    src: `192.0.2.${i}`,
    command: `echo close ${i}`,
    dueMs: 1000 + i,
  });
  const a = journal.add(entry(1));
  const b = journal.add(entry(2));
  await journal.durable();
  assert.deepEqual(await journalEntries(journal.path), [entry(1), entry(2)]);
  journal.update(a, 5000);
  journal.remove(b);
  const c = journal.add(entry(3));
  await journal.durable();
  assert.deepEqual(await journalEntries(journal.path), [{ ...entry(1), dueMs: 5000 }, entry(3)]);
  journal.remove(a);
  journal.remove(c);
  await journal.durable();
  assert.deepEqual(await journalEntries(journal.path), []);
  const after = await Deno.stat(journal.path);
  assert.equal(after.ino, before.ino, "no rename: written in place");
  assert.equal(after.size, before.size, "no growth");
  // The log holds every change, one line each.
  const text = (await Deno.readTextFile(journal.path)).split("\0")[0]!;
  assert.deepEqual(text.trimEnd().split("\n").slice(1).map((l) => JSON.parse(l).op), [
    "add",
    "add",
    "due",
    "del",
    "add",
    "del",
    "del",
  ]);
  await journal.close();
  await assert.rejects(Deno.stat(journal.path), Deno.errors.NotFound);
});

Deno.test("journal log: a full log is compacted into a new, larger file holding exactly the pending stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const { log } = captureServeLog();
  const opened = StopJournal.open(dir, `${dir}/k.conf`, log);
  assert.ok(opened.ok);
  const journal = opened.journal;
  const first = await Deno.stat(journal.path);
  const long = "x".repeat(2000);
  const entry = (i: number) => ({
    door: "d",
    src: `10.0.${i >> 8}.${i & 255}`,
    command: `${long} ${i}`,
    dueMs: i,
  });
  // 1,500 adds of about 2 KB: three times the first file; half of them removed along the way.
  const records = [];
  for (let i = 0; i < 1500; i++) {
    records.push(journal.add(entry(i)));
    if (i % 2 === 1) journal.remove(records[i - 1]!);
    if (i % 100 === 99) await journal.durable();
  }
  await journal.durable();
  const expected = Array.from({ length: 750 }, (_, k) => entry(2 * k + 1));
  assert.deepEqual(await journalEntries(journal.path), expected);
  const now = await Deno.stat(journal.path);
  // (ext4 may give the new file the inode number of an old one: the size tells.)
  assert.ok(now.size > first.size, `compacted into a larger file: ${now.size} bytes`);
  assert.equal((now.mode ?? 0) & 0o777, 0o600);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [journalFileName(`${dir}/k.conf`)]);
  // A new daemon reads the same stops.
  await journal.settle();
  const again = StopJournal.open(dir, `${dir}/k.conf`, captureServeLog().log);
  assert.ok(again.ok);
  assert.deepEqual(again.entries.map((e) => ({ ...e })), expected);
  await again.journal.close();
  await journal.close();
});

Deno.test("journal log: a torn last write is ignored at start; a journal removed while running is recreated", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-journal-" });
  const conf = `${dir}/k.conf`;
  const opened = StopJournal.open(dir, conf, captureServeLog().log);
  assert.ok(opened.ok);
  const journal = opened.journal;
  const entry = { door: "d", src: "192.0.2.1", command: "echo close", dueMs: 7 };
  journal.add(entry);
  await journal.durable();
  // A crash in the middle of the next append: a line without its newline, then the preallocated zeros.
  const text = (await Deno.readTextFile(journal.path)).split("\0")[0]!;
  const file = await Deno.open(journal.path, { write: true });
  await file.seek(new TextEncoder().encode(text).length, Deno.SeekMode.Start);
  await file.write(new TextEncoder().encode('{"op":"del","id":1'));
  file.close();
  const { log, out } = captureServeLog();
  const reopened = StopJournal.open(dir, conf, log);
  assert.ok(reopened.ok);
  assert.deepEqual(reopened.entries.map((e) => ({ ...e })), [entry]);
  assert.deepEqual(out.filter((l) => l.includes("corrupt")), []);
  // Someone deletes the journal file while the daemon runs: the next change writes a new one.
  await Deno.remove(reopened.journal.path);
  const second = { ...entry, src: "192.0.2.2" };
  reopened.journal.add(second);
  await reopened.journal.durable();
  assert.deepEqual(await journalEntries(reopened.journal.path), [entry, second]);
  assert.deepEqual(out.filter((l) => l.includes("could not write")), []);
  await reopened.journal.close();
  await journal.close();
});
