/**
 * The standby shell that runs `serve`'s door commands (cli/serve/standby.ts), with the real `/bin/sh`:
 * commands behave as under `sh -c`, a lone program replaces the shell, a dead or closed shell is never
 * used, the shell never outlives the daemon, and the {@linkcode CommandRunner} runs commands in it.
 */
import assert from "node:assert/strict";
import { createLauncher } from "../../cli/serve/launcher.ts";
import { commandPath } from "./_commands.ts";
import { captureServeLog } from "./_serve_log.ts";
import {
  NO_PLACEMENT,
  SAME_CPU_PLACEMENT,
  type ShellPlacement,
  STANDBY_SPAWN_OPTIONS,
  StandbyShell,
  type StandbySpawn,
} from "../../cli/serve/standby.ts";
import {
  cpuMask,
  type ExitStatus,
  getAffinity,
  kill,
  maskCpus,
  setAffinity,
  SIGNAL,
  spawn,
  type SpawnedProcess,
} from "../../ffi/mod.ts";
import { poll } from "../e2e/_netns.ts";
import { cpusAllowed, group, processes, standbyShellsOf } from "./_proc.ts";
import { withTempDir } from "../_temp.ts";

/** A standby shell whose stderr is /dev/null (the not-found case would print). */
const quietSpawn: StandbySpawn = (path, args) =>
  spawn(path, args, { ...STANDBY_SPAWN_OPTIONS, stderr: "null" });

/** `sh -c command` as serve starts it without a standby shell (stderr quiet). */
function shellC(command: string): SpawnedProcess {
  return spawn("/bin/sh", ["-c", command], {
    argv0: "sh",
    stdin: "null",
    stdout: "null",
    stderr: "null",
    newProcessGroup: true,
  });
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "(none)";
  }
}

/** Runs `command` (with `OUT` replaced by a file) both ways: statuses, outputs and `$$` must agree. */
async function bothWays(command: string): Promise<{ status: ExitStatus; out: string }> {
  return await withTempDir("kt-standby-", async (dir) => {
    const results: { status: ExitStatus; out: string; pid: number }[] = [];
    for (const way of ["sh -c", "standby"] as const) {
      const out = `${dir}/${way === "sh -c" ? "a" : "b"}`;
      const text = command.replaceAll("OUT", out);
      let child: { pid: number; status: Promise<ExitStatus> };
      if (way === "sh -c") {
        child = shellC(text);
      } else {
        const standby = new StandbyShell(quietSpawn);
        standby.fill();
        child = standby.take(text)!;
        assert.ok(child !== undefined);
        await standby.close();
      }
      const status = await child.status;
      results.push({ status, out: (await readOr(out)).replaceAll(String(child.pid), "PID"), pid: child.pid });
    }
    const [a, b] = results;
    assert.deepEqual(b!.status, a!.status, `${command}: status`);
    assert.equal(b!.out, a!.out, `${command}: output`);
    return { status: a!.status, out: a!.out };
  });
}

Deno.test("a command in a standby shell behaves as under sh -c: status, signal, $0, $$, stdin, descriptors", async () => {
  const ok = { success: true, code: 0, signal: null };
  const table: [string, ExitStatus, string][] = [
    [`printf '%s|%s\\n' "$0" "$#" > OUT`, ok, "sh|0\n"],
    ["exit 7", { success: false, code: 7, signal: null }, "(none)"],
    ["false", { success: false, code: 1, signal: null }, "(none)"],
    ["knocktool-no-such-program-here 192.0.2.7", { success: false, code: 127, signal: null }, "(none)"],
    ["kill -TERM $$", { success: false, code: null, signal: 15 }, "(none)"],
    ["cd / && pwd > OUT", ok, "/\n"],
    ["echo 'a\\tb' > OUT", ok, "a\tb\n"], // dash's echo
    [`read x; echo "[$x] $?" > OUT`, ok, "[] 1\n"], // stdin is /dev/null, not the pipe
    ["cat > OUT", ok, ""], // the same for a program reading it
    ["readlink /proc/self/fd/0 > OUT", ok, "/dev/null\n"],
    ["ls /proc/self/fd > OUT", ok, "0\n1\n2\n3\n"], // ls's directory at 3; no pipe, no shell's saved input
    ["env > /dev/null; ls /proc/self/fd > OUT", ok, "0\n1\n2\n3\n"], // the same from a list's fork
    ["if [ -e /dev/fd/3 ]; then echo open; else echo closed; fi > OUT", ok, "closed\n"],
    ["echo $$ > OUT", ok, "PID\n"], // the shell is the child
    ["env > /dev/null; /bin/sh -c 'echo $PPID' > OUT", ok, "PID\n"], // a list forks
    // (A lone program differs on purpose: it replaces the standby shell, where dash's sh -c forks once more.)
  ];
  for (const [command, status, out] of table) {
    assert.deepEqual(await bothWays(command), { status, out }, command);
  }
});

Deno.test("a lone program becomes the standby shell (exec); a list runs under it; both lead their group", async () => {
  const standby = new StandbyShell(quietSpawn);
  standby.fill();
  const lone = standby.take("sleep 30")!;
  assert.ok(
    await poll(() => group(lone.pid).get(lone.pid) === "sleep", 3000, 10),
    String([...group(lone.pid)]),
  );
  assert.equal(group(lone.pid).size, 1);
  await poll(() => standby.ready, 3000, 5);
  const list = standby.take("sleep 30; true")!;
  assert.notEqual(list.pid, lone.pid);
  assert.ok(await poll(() => group(list.pid).size === 2, 3000, 10));
  const members = group(list.pid);
  assert.equal(members.get(list.pid), "sh");
  assert.deepEqual([...members.values()].sort(), ["sh", "sleep"]);
  kill(-lone.pid, SIGNAL.SIGKILL);
  kill(-list.pid, SIGNAL.SIGKILL);
  assert.equal((await lone.status).signal, 9);
  assert.equal((await list.status).signal, 9);
  await standby.close();
});

Deno.test("a standby shell is taken once; a multi-line command, a dead shell or a closed one is not used", async () => {
  await withTempDir("kt-standby-", async (dir) => {
    const standby = new StandbyShell(quietSpawn);
    assert.equal(standby.take("true"), undefined); // none started yet
    standby.fill();
    assert.ok(standby.ready);
    assert.equal(standby.take(`echo a > ${dir}/x\necho b > ${dir}/y`), undefined);
    assert.ok(standby.ready, "a refused command leaves the shell waiting");
    const first = standby.take(`echo one > ${dir}/one`)!;
    assert.ok(!standby.ready);
    assert.equal(standby.take("true"), undefined, "nothing waits until the refill");
    assert.ok((await first.status).success);
    assert.equal(await readOr(`${dir}/one`), "one\n");
    // The refill comes on its own, off the caller's path.
    assert.ok(await poll(() => standby.ready, 3000, 5));
    // A waiting shell killed by someone else is noticed and not used. (Its command line shows in /proc a
    // moment after posix_spawn has returned: the exec is finishing.)
    assert.ok(await poll(() => standbyShellsOf(Deno.pid).length === 1, 3000, 2), "found the waiting shell");
    const [killed] = standbyShellsOf(Deno.pid);
    assert.ok(killed !== undefined);
    kill(killed, SIGNAL.SIGKILL);
    assert.ok(await poll(() => !standby.ready, 3000, 5));
    assert.equal(standby.take(`echo two > ${dir}/two`), undefined);
    // That take() asked for a new one, which comes on its own.
    assert.ok(await poll(() => standby.ready, 3000, 5), "a new shell after the killed one");
    assert.ok(
      await poll(() => standbyShellsOf(Deno.pid).some((pid) => pid !== killed), 3000, 2),
      "the new shell is another process",
    );
    await standby.close();
    assert.ok(!standby.ready);
    assert.equal(standby.take(`echo three > ${dir}/three`), undefined);
    standby.fill(); // closed: starts nothing
    assert.ok(!standby.ready);
    assert.equal(await readOr(`${dir}/two`), "(none)");
    assert.equal(await readOr(`${dir}/three`), "(none)");
  });
});

Deno.test("a shell whose pipe broke (EPIPE) is dropped and replaced; take() reports no shell", async () => {
  let spawned = 0;
  const ends: (() => void)[] = [];
  const fake: StandbySpawn = () => {
    spawned++;
    let end: () => void = () => {};
    const status = new Promise<ExitStatus>((resolve) =>
      end = () => resolve({ success: false, code: 1, signal: null })
    );
    ends.push(end);
    return {
      pid: 1_000_000 + spawned,
      status,
      input: {
        write: () => {
          throw new Error("write failed: Broken pipe");
        },
        unread: () => 0,
        close: end,
      },
    };
  };
  const standby = new StandbyShell(fake);
  standby.fill();
  assert.equal(spawned, 1);
  assert.equal(standby.take("iptables -L"), undefined);
  assert.ok(await poll(() => spawned === 2 && standby.ready, 2000, 5), "refilled");
  await standby.close(); // closes the second one's pipe; both statuses settle
  assert.equal(ends.length, 2);
});

Deno.test("take() pins the shell, writes its line, then releases it; also when the write fails", async () => {
  const events: string[] = [];
  let unread = 0;
  /** A shell that "ends" when its pipe is closed (so close() has every status it waits for). */
  const fakeSpawn = (fails: boolean): StandbySpawn => () => {
    const ended = Promise.withResolvers<ExitStatus>();
    return {
      pid: 4242,
      status: ended.promise,
      input: {
        write: () => {
          events.push("write");
          if (fails) throw new Error("write failed: Broken pipe");
        },
        unread: () => {
          events.push("unread");
          return unread;
        },
        close: () => {
          events.push("close");
          ended.resolve({ success: true, code: 0, signal: null });
        },
      },
    };
  };
  const recording: ShellPlacement = {
    pin(pid) {
      events.push(`pin ${pid}`);
      return (hasRun) => {
        events.push(`release ${pid}`);
        events.push(`has run: ${hasRun()}`);
      };
    },
  };
  const declining: ShellPlacement = {
    pin(pid) {
      events.push(`pin ${pid}`);
      return undefined;
    },
  };
  // "iptables -L" goes as a 34-byte line (`exec </dev/null; exec iptables -L`): the shell has read from it
  // when fewer are left in the pipe.
  const release = (hasRun: boolean) => ["release 4242", "unread", `has run: ${hasRun}`];
  const cases = [
    { placement: recording, fails: false, left: 34, want: ["pin 4242", "write", ...release(false), "close"] },
    { placement: recording, fails: false, left: 0, want: ["pin 4242", "write", ...release(true), "close"] },
    { placement: recording, fails: true, left: 0, want: ["pin 4242", "write", ...release(true), "close"] },
    { placement: declining, fails: false, left: 34, want: ["pin 4242", "write", "close"] },
    { placement: NO_PLACEMENT, fails: false, left: 34, want: ["write", "close"] },
  ];
  for (const { placement, fails, left, want } of cases) {
    events.length = 0;
    unread = left;
    const standby = new StandbyShell(fakeSpawn(fails), placement);
    standby.fill();
    const child = standby.take("iptables -L");
    assert.equal(child === undefined, fails);
    assert.deepEqual(events, want, JSON.stringify({ fails, left }));
    await standby.close();
  }
});

Deno.test("a taken shell is woken pinned to the caller's CPU and has its own CPUs back when take() returns", async () => {
  const own = cpusAllowed(Deno.pid)!;
  const ownCpus = maskCpus(getAffinity(0)!);
  const seen: { during: number[] | undefined; after?: string | undefined }[] = [];
  const spy: ShellPlacement = {
    pin(pid) {
      const release = SAME_CPU_PLACEMENT.pin(pid);
      const entry: { during: number[] | undefined; after?: string | undefined } = {
        during: release && maskCpus(getAffinity(pid)!),
      };
      seen.push(entry);
      return release && ((hasRun) => {
        release(hasRun);
        entry.after = cpusAllowed(pid);
      });
    },
  };
  const standby = new StandbyShell(quietSpawn, spy);
  standby.fill();
  const lone = standby.take("sleep 30")!; // the shell becomes sleep
  assert.ok(await poll(() => standby.ready, 3000, 5));
  const list = standby.take("sleep 30; true")!; // the shell forks sleep
  assert.ok(await poll(() => group(lone.pid).get(lone.pid) === "sleep", 3000, 10));
  assert.ok(await poll(() => group(list.pid).size === 2, 3000, 10));
  assert.equal(seen.length, 2);
  for (const { during, after } of seen) {
    if (ownCpus.length < 2) {
      assert.equal(during, undefined, "one CPU: nothing to pin");
      continue;
    }
    assert.equal(during?.length, 1, `pinned to one CPU: ${during}`);
    assert.ok(ownCpus.includes(during![0]!));
    assert.equal(after, own, "its own CPUs back before take() returned");
  }
  for (const pid of [lone.pid, ...group(list.pid).keys()]) {
    assert.equal(cpusAllowed(pid), own, `the command's processes (${pid}) run where the daemon may`);
  }
  kill(-lone.pid, SIGNAL.SIGKILL);
  kill(-list.pid, SIGNAL.SIGKILL);
  await Promise.all([lone.status, list.status]);
  await standby.close();
});

/** This process may run on one CPU only: nothing is pinned then (the placement tests say so, or are ignored). */
const ONE_CPU = maskCpus(getAffinity(0) ?? new Uint8Array(1)).length < 2;

Deno.test({
  name:
    "a shell that ran before its release: its group's processes get their CPUs back, unless they set their own",
  ignore: ONE_CPU, // pinning needs two CPUs
  fn: async () => {
    const ownCpus = maskCpus(getAffinity(0)!);
    const own = cpusAllowed(Deno.pid)!;
    // The spy pins for real and keeps the release for later: the shell runs and forks while pinned (what a
    // shell that ran before its release did).
    let later: ((hasRun: () => boolean) => void) | undefined;
    const spy: ShellPlacement = {
      pin(pid) {
        later = SAME_CPU_PLACEMENT.pin(pid);
        return () => {};
      },
    };
    const standby = new StandbyShell(quietSpawn, spy);
    standby.fill();
    // One child in the shell's group, one in a session of its own (setsid): both inherit the pin.
    const list = standby.take("setsid sleep 30 & sleep 30; true")!;
    let away: number | undefined;
    try {
      assert.ok(later !== undefined);
      const mine = () => processes().filter((p) => p.ppid === list.pid && p.comm === "sleep");
      assert.ok(await poll(() => mine().length === 2, 3000, 10), JSON.stringify(mine()));
      const child = mine().find((p) => p.pgid === list.pid)!.pid;
      away = mine().find((p) => p.pgid !== list.pid)!.pid;
      const pinned = cpusAllowed(list.pid)!;
      assert.match(pinned, /^\d+$/, "pinned to one CPU");
      assert.equal(cpusAllowed(child), pinned, "its fork inherited the pin");
      assert.equal(cpusAllowed(away), pinned, "so did the one in its own session");
      later!(() => true);
      assert.equal(cpusAllowed(list.pid), own);
      assert.equal(cpusAllowed(child), own, "what the shell started is swept when it has run");
      assert.equal(cpusAllowed(away), own, "in another session too");
      // A process that set a mask of its own meanwhile keeps it: pin again by hand, then give the child
      // another CPU, as `taskset` would have.
      later = SAME_CPU_PLACEMENT.pin(list.pid);
      const pinnedAgain = cpusAllowed(list.pid)!;
      const other = ownCpus.find((cpu) => String(cpu) !== pinnedAgain)!;
      assert.equal(setAffinity(child, cpuMask(other)), 0);
      const childOwn = cpusAllowed(child)!;
      assert.notEqual(childOwn, pinnedAgain);
      later!(() => true);
      assert.equal(cpusAllowed(list.pid), own);
      assert.equal(cpusAllowed(child), childOwn, "a mask it set itself is left alone");
    } finally {
      if (away !== undefined) kill(away, SIGNAL.SIGKILL);
      kill(-list.pid, SIGNAL.SIGKILL);
      await list.status;
      await standby.close();
    }
  },
});

Deno.test("a waiting standby shell ends with the daemon, even one killed with SIGKILL", async () => {
  const url = new URL("../../cli/serve/standby.ts", import.meta.url).href;
  const program = `import { StandbyShell } from ${JSON.stringify(url)};
    const s = new StandbyShell(); s.fill();
    console.log(Deno.pid);
    await new Promise((r) => setTimeout(r, 60_000));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", program],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const daemon = Number(new TextDecoder().decode(value).trim());
  assert.equal(daemon, child.pid);
  // Its standby shell is a child running the standby script.
  let shell = 0;
  assert.ok(await poll(() => (shell = standbyShellsOf(daemon)[0] ?? 0) > 0, 10_000, 20));
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  // The pipe's write end died with the daemon: the shell read end-of-file and exited (reaped by init).
  assert.ok(
    await poll(
      () => {
        try {
          return Deno.readTextFileSync(`/proc/${shell}/stat`).includes(") Z");
        } catch {
          return true;
        }
      },
      5000,
      20,
    ),
    `standby shell ${shell} outlived its daemon`,
  );
});

Deno.test("serve with a standby shell: the command runs in the shell started ahead; shutdown ends the next one", async () => {
  await withTempDir("kt-standby-", async (dir) => {
    const { log, out } = captureServeLog();
    const launcher = createLauncher({ standby: true, pinShell: true, directSpawn: false });
    const runner = commandPath(
      `[d]\nsequence = 7000\ncmd_timeout = 0\nstart_command = /bin/sh -c 'echo $$ > ${dir}/start'\n` +
        `stop_command = echo stop %IP% > ${dir}/stop\n`,
      { log, launcher },
    );
    // (Shells of earlier tests that are still ending are not this runner's.)
    const earlier = new Set(standbyShellsOf(Deno.pid));
    const waiting = () => standbyShellsOf(Deno.pid).filter((pid) => !earlier.has(pid));
    assert.deepEqual(waiting(), []);
    launcher.warm();
    // (Its command line shows in /proc a moment after posix_spawn has returned: the exec is finishing.)
    assert.ok(await poll(() => waiting().length === 1, 3000, 2), "a shell waits");
    const [shell] = waiting();
    assert.ok(shell !== undefined);
    runner.open("d", "192.0.2.9");
    // With a free slot the command is handed over before open() returns (no await in between: a long frame
    // batch under a flood does not delay it).
    assert.ok(out.some((l) => l.includes("d: running command: /bin/sh -c")), "handed over synchronously");
    assert.ok(await poll(async () => (await readOr(`${dir}/stop`)) === "stop 192.0.2.9\n", 5000, 10));
    // The start command was the shell that waited (it exec'd /bin/sh, which printed its own pid).
    assert.equal((await readOr(`${dir}/start`)).trim(), String(shell));
    assert.ok(out.some((l) => l.includes(`d: running command: /bin/sh -c 'echo $$ > ${dir}/start'`)));
    assert.ok(await poll(() => waiting().length === 1 && waiting()[0] !== shell, 3000, 10), "refilled");
    await runner.shutdown(5000);
    assert.ok(await poll(() => waiting().length === 0, 3000, 10), "shutdown ended the waiting shell");
  });
});
