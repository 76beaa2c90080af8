/**
 * Commands that are one program with plain words start without a shell (cli/serve/program.ts
 * `startProgram`, the `direct-spawn` tweak): the program sees what `sh -c` would have given it (argv,
 * environment, working directory, descriptors, signal state, process group), anything it cannot start goes
 * to the shell, and the launcher uses it when no standby shell waits.
 */
import assert from "node:assert/strict";
import { startProgram } from "../../cli/serve/program.ts";
import { createLauncher } from "../../cli/serve/launcher.ts";
import { commandPath } from "./_commands.ts";
import { captureServeLog } from "./_serve_log.ts";
import { type ExitStatus, kill, SIGNAL, spawn } from "../../ffi/mod.ts";
import { poll } from "../e2e/_netns.ts";
import { group, processes, standbyShellsOf } from "./_proc.ts";
import { withTempDir } from "../_temp.ts";

/**
 * A probe script: writes its argv, its initial environment (as the kernel gave it, not as its own shell
 * rewrote it), working directory, process group against its pid, stdin, descriptors and signal masks.
 */
const PROBE = `#!/bin/sh
out=$1; shift
stdout=$(readlink /proc/$$/fd/1)
{
  printf 'arg:%s\\n' "$0" "$@"
  tr '\\0' '\\n' < /proc/$$/environ | sort | sed 's/^/env:/'
  echo "cwd:$(pwd -P)"
  pgid=$(cut -d' ' -f5 /proc/$$/stat)
  [ "$pgid" = "$$" ] && echo "leads its group" || echo "in group $pgid"
  echo "stdin:$(readlink /proc/$$/fd/0)"
  echo "stdout:$stdout"
  # Builtins only here too: a pipeline's children would see the pipes this shell holds while forking them.
  fds=; for f in /proc/$$/fd/*; do fds="$fds \${f##*/}"; done; echo "fds:$fds"
  # Builtins only: a child reading this shell's masks would race its fork (dash blocks all signals then).
  while IFS= read -r line; do case $line in SigBlk:*|SigIgn:*) echo "$line";; esac; done < /proc/$$/status
} > "$out"
exit 3
`;

/** `sh -c command` as serve starts it without a standby shell. */
function shellC(command: string): { pid: number; status: Promise<ExitStatus> } {
  return spawn("/bin/sh", ["-c", command], {
    argv0: "sh",
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
    newProcessGroup: true,
  });
}

Deno.test("a plain command started without a shell sees what sh -c gives it", async () => {
  await withTempDir("kt-program-", async (dir) => {
    await Deno.writeTextFile(`${dir}/probe`, PROBE, { mode: 0o755 });
    const commands = [
      `${dir}/probe OUT -s 192.0.2.7 --dport=22 { 192.0.2.7 } 50%,+1@x:y`,
      `  ${dir}/probe\tOUT   a  `,
    ];
    for (const command of commands) {
      const direct = startProgram(command.replace("OUT", `${dir}/direct`));
      assert.ok(direct !== undefined, command);
      const viaShell = shellC(command.replace("OUT", `${dir}/shell`));
      assert.deepEqual(await direct.status, { success: false, code: 3, signal: null });
      assert.deepEqual(await viaShell.status, { success: false, code: 3, signal: null });
      const a = await Deno.readTextFile(`${dir}/direct`);
      const b = await Deno.readTextFile(`${dir}/shell`);
      // The one difference: dash forks for the command, so the program is in the shell's group; started
      // directly it leads its own, as when the standby shell execs it (a timeout kills the group either way).
      assert.match(b, new RegExp(`\\nin group ${viaShell.pid}\\n`));
      assert.equal(
        a.replaceAll(`${dir}/direct`, "OUT"),
        b.replaceAll(`${dir}/shell`, "OUT").replace(`in group ${viaShell.pid}`, "leads its group"),
        command,
      );
      // The probe really ran, with its words, a PWD and a fresh signal state.
      assert.match(a, /^arg:\/.*\/probe\narg:(-s|a)\n/);
      assert.match(a, /\nenv:PWD=\//);
      assert.match(a, /\nleads its group\n/);
      assert.match(a, /\nstdin:\/dev\/null\nstdout:\/dev\/null\n/);
      assert.match(a, /\nSigBlk:\s+0+\n/);
      // No descriptor of this process: the standard ones, dash's own 10 and 11 (the script, the saved stdout)
      // and 3 (the directory its glob is reading).
      assert.match(a, /\nfds: 0 1 10 11 2 3\n/);
    }
  });
});

Deno.test("startProgram() searches PATH and is the program itself, leading its group", async () => {
  const child = startProgram("sleep 30")!;
  assert.ok(child !== undefined);
  try {
    assert.equal(Deno.readLinkSync(`/proc/${child.pid}/exe`), "/usr/bin/sleep");
    const stat = Deno.readTextFileSync(`/proc/${child.pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    assert.equal(Number(fields[1]), Deno.pid, "a child of the daemon, no shell in between");
    assert.equal(Number(fields[2]), child.pid, "leads its process group");
  } finally {
    kill(-child.pid, SIGNAL.SIGKILL);
  }
  assert.equal((await child.status).signal, 9);
});

Deno.test("startProgram() leaves shell syntax, missing programs and scripts without #! to the shell", async () => {
  await withTempDir("kt-program-", async (dir) => {
    await Deno.writeTextFile(`${dir}/nobang`, `echo ran > ${dir}/nobang.out\n`, { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/noexec`, "#!/bin/sh\ntrue\n", { mode: 0o644 });
    for (
      const command of [
        `echo x > ${dir}/x`, // shell syntax
        "knocktool-no-such-program-7 a", // not found in PATH
        `${dir}/missing a`,
        `${dir}/noexec`, // not executable
        `${dir}/nobang`, // ENOEXEC: sh runs it as a script
      ]
    ) {
      assert.equal(startProgram(command), undefined, command);
    }
    // What the shell then does with them, as knockd's system() would.
    assert.deepEqual(await shellC(`${dir}/nobang`).status, { success: true, code: 0, signal: null });
    assert.equal(await Deno.readTextFile(`${dir}/nobang.out`), "ran\n");
    assert.equal((await shellC("exec 2>/dev/null; knocktool-no-such-program-7 a").status).code, 127);
  });
});

Deno.test("launcher: the standby shell takes the first command, the next plain one in the same tick starts directly", async () => {
  const { log, out } = captureServeLog();
  const launcher = createLauncher({ standby: true, pinShell: true, directSpawn: true });
  const runner = commandPath(
    `[d]\nsequence = 7000\ncmd_timeout = 0\nstart_command = sleep 29.%IP%\n` +
      `stop_command = knocktool-no-such-program-7 %IP%\n`,
    { log, launcher },
  );
  // (Shells of earlier tests that are still ending are not this runner's.)
  const earlier = new Set(standbyShellsOf(Deno.pid));
  launcher.warm();
  const waiting = () => standbyShellsOf(Deno.pid).filter((pid) => !earlier.has(pid));
  // (Its command line shows in /proc a moment after posix_spawn has returned: the exec is finishing.)
  assert.ok(await poll(() => waiting().length === 1, 3000, 2), "a shell waits");
  const [shell] = waiting();
  assert.ok(shell !== undefined);
  runner.open("d", "5");
  runner.open("d", "6");
  assert.ok(out.some((l) => l.includes("d: running command: sleep 29.6")), "handed over synchronously");
  const sleep = (arg: string) =>
    processes().find((p) => p.cmdline === `sleep\x00${arg}\x00` && p.ppid === Deno.pid)?.pid;
  // The first one is the standby shell, which exec'd sleep; the second a new process, sleep itself.
  assert.ok(await poll(() => sleep("29.5") === shell, 3000, 5), "the standby shell became sleep 29.5");
  const second = sleep("29.6");
  assert.ok(second !== undefined && second !== shell);
  assert.equal(group(second).get(second), "sleep", "leads its own group, no shell");
  // The start commands end (killed); the stop commands cannot start directly: the shell runs them and
  // reports "not found" as status 127.
  kill(-shell, SIGNAL.SIGKILL);
  kill(-second, SIGNAL.SIGKILL);
  await runner.shutdown(5000);
  assert.equal(out.filter((l) => l.includes("d: command returned non-zero status code (137)")).length, 2);
  assert.equal(out.filter((l) => l.includes("d: command returned non-zero status code (127)")).length, 2);
  assert.ok(out.some((l) => l.includes("d: running command: knocktool-no-such-program-7 6")));
});
