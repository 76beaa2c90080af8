/**
 * Start-up (issue 19): `knocktool --version` and `knocktool lint` of a 10-door file, from the bundle
 * (`deno task bundle`: `deno run -A dist/knocktool.js`) and from the single executable (`deno task package`:
 * `dist/knocktool`), side by side with Debian's `knock -V` and `knockd -h` in the same run, and with Deno's
 * own floor (`deno run` of a file that prints one line). A script, not a `deno bench` file:
 *
 *     deno task bundle && deno task package
 *     deno run -A bench/startup.ts [--runs 30] [--baseline OLD_BUNDLE.js]
 *
 * With hyperfine installed (`apt-get install hyperfine`) each command is run `--runs` times after 3 warm-up
 * runs, without a shell (`-N`), and the mean wall time and the mean CPU time (user + system) are reported;
 * without it, a loop of `Deno.Command` runs gives the mean wall time alone. `--baseline` adds the same two
 * commands with another bundle (an older build, for a before/after in the same run). CPU time is the steadier
 * measure on a shared machine: wall time there grows with the other jobs' load, CPU time much less.
 *
 * What start-up costs (a profile of the bundle's `--version`, `deno run --cpu-prof`): before issue 19 the
 * bundle evaluated every module at load (Optique's parsers of all five subcommands, serve's modules, the
 * libpcap and libnftables binding tables, logtape) and imported `node:fs`, `node:path`, `node:process`
 * (@optique/run) and `node:net` (the wake socket), each of which loads part of Deno's node compatibility
 * layer (about 35 ms of CPU together). Now cli/main.ts loads the parser and each subcommand with `import()`
 * (the bundle keeps them in the same file and evaluates a module on first use), calls Optique's core
 * `runParser` itself, and the wake socket reaches `node:net` on first use; `--version` is answered before
 * any parser is built. What is left: Deno itself (its floor below), V8 compiling the 1.3 MB bundle, and
 * `node:util`, which logtape imports at the top of the bundle whatever the command.
 *
 * Results, 2026-12-08, 2-core shared AMD EPYC VM with three other jobs running (load average 4-6: read the
 * CPU column), Deno 2.9.6, knockd 0.8, 30 runs each; "bundle before" is `deno task bundle` of the commit
 * before issue 19's changes (27b5207):
 *
 * ```
 * knock -V                           wall     8.1 ms   cpu     3.2 ms
 * knockd -h                          wall    12.5 ms   cpu     6.3 ms   wall 1.5× knock -V's, cpu 2.0×
 * deno floor (one console.log)       wall   174.5 ms   cpu    69.3 ms   wall 21.5× knock -V's, cpu 21.5×
 * bundle --version                   wall   451.2 ms   cpu   146.8 ms   wall 55.6× knock -V's, cpu 45.5×
 * bundle lint (10 doors)             wall   508.6 ms   cpu   199.5 ms   wall 62.7× knock -V's, cpu 61.9×
 * bundle before --version            wall   666.5 ms   cpu   307.8 ms   wall 82.2× knock -V's, cpu 95.4×
 * bundle before lint (10 doors)      wall   593.1 ms   cpu   268.1 ms   wall 73.1× knock -V's, cpu 83.1×
 * dist/knocktool --version           wall   497.6 ms   cpu   208.9 ms   wall 61.3× knock -V's, cpu 64.8×
 * dist/knocktool lint (10 doors)     wall   506.4 ms   cpu   263.3 ms   wall 62.4× knock -V's, cpu 81.6×
 * ```
 *
 * The executables (`deno task package` of both commits, hyperfine, 20 runs, the same hour): `dist/knocktool
 * --version` 297 → 190 ms of CPU (521 → 375 ms wall), `lint` of 10 doors 293 → 248 ms (673 → 561 ms wall);
 * the launcher copies the 95 MB runtime into a memory file on every run and runs it with `--no-code-cache`
 * (docs/packaging.md), hence the 40-60 ms over the bundle.
 *
 * So the bundle's `--version` costs half the CPU it did (0.48×), `lint` of a small file 0.74×; both stay
 * 45-60× `knock -V`, a C program of a few kilobytes: most of the rest is Deno's own start (the floor line)
 * and what no lazy loading removes (V8 reading the bundle, `node:util`).
 */

function flag(name: string): string | undefined {
  const at = Deno.args.indexOf(name);
  return at === -1 ? undefined : Deno.args[at + 1];
}

const RUNS = Number(flag("--runs") ?? "30");
const BASELINE = flag("--baseline");
const ROOT = new URL("../", import.meta.url).pathname;

async function has(program: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

interface Timing {
  readonly name: string;
  readonly wallMs: number;
  readonly cpuMs?: number;
}

async function hyperfine(commands: readonly (readonly [string, string])[]): Promise<Timing[]> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const args = ["-N", "-i", "-w", "3", "-r", String(RUNS), "--export-json", json, "--style", "none"];
    for (const [name, cmd] of commands) args.push("-n", name, cmd);
    const out = await new Deno.Command("hyperfine", { args, stdout: "null", stderr: "inherit" }).output();
    if (!out.success) throw new Error("hyperfine failed");
    const results = JSON.parse(await Deno.readTextFile(json)).results as {
      command: string;
      mean: number;
      user: number;
      system: number;
    }[];
    return results.map((r) => ({
      name: r.command,
      wallMs: r.mean * 1000,
      cpuMs: (r.user + r.system) * 1000,
    }));
  } finally {
    await Deno.remove(json);
  }
}

async function loop(commands: readonly (readonly [string, string])[]): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const [name, cmd] of commands) {
    const [program, ...args] = cmd.split(" ");
    let total = 0;
    for (let i = 0; i < RUNS + 3; i++) {
      const t = performance.now();
      await new Deno.Command(program!, { args, stdout: "null", stderr: "null" }).output();
      if (i >= 3) total += performance.now() - t;
    }
    out.push({ name, wallMs: total / RUNS });
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "startup_" });
  try {
    const small = `${dir}/small.conf`;
    const doors = Array.from(
      { length: 10 },
      (_, i) =>
        `[door${i}]\n  sequence = ${7000 + i},${8000 + i}:udp,${
          9000 + i
        }\n  tcpflags = syn\n  start_command = /usr/sbin/nft add element inet filter knock { %IP% }\n`,
    );
    await Deno.writeTextFile(small, `[options]\n  UseSyslog\n\n${doors.join("\n")}`, { mode: 0o600 });
    const floor = `${dir}/floor.js`;
    await Deno.writeTextFile(floor, 'console.log("knocktool 0.1.0");\n');
    const deno = Deno.execPath();
    const commands: [string, string][] = [];
    if (await has("knock")) commands.push(["knock -V", "knock -V"]);
    if (await has("knockd")) commands.push(["knockd -h", "knockd -h"]);
    commands.push(["deno floor (one console.log)", `${deno} run -A ${floor}`]);
    const bundle = `${ROOT}dist/knocktool.js`;
    const exe = `${ROOT}dist/knocktool`;
    const targets: [string, string][] = [];
    try {
      await Deno.stat(bundle);
      targets.push(["bundle", `${deno} run -A ${bundle}`]);
    } catch {
      throw new Error(`no ${bundle}: run deno task bundle first`);
    }
    if (BASELINE !== undefined) targets.push(["bundle before", `${deno} run -A ${BASELINE}`]);
    try {
      await Deno.stat(exe);
      targets.push(["dist/knocktool", exe]);
    } catch {
      // deno task package not run: the executable is left out.
    }
    for (const [label, cmd] of targets) {
      commands.push([`${label} --version`, `${cmd} --version`]);
      commands.push([`${label} lint (10 doors)`, `${cmd} lint ${small}`]);
    }
    const timings = await has("hyperfine") ? await hyperfine(commands) : await loop(commands);
    const knock = timings.find((t) => t.name === "knock -V");
    const rows = timings.map((t) =>
      `${t.name.padEnd(34)} wall ${t.wallMs.toFixed(1).padStart(7)} ms${
        t.cpuMs === undefined ? "" : `   cpu ${t.cpuMs.toFixed(1).padStart(7)} ms`
      }${
        knock === undefined || t === knock
          ? ""
          : `   wall ${(t.wallMs / knock.wallMs).toFixed(1)}× knock -V's${
            t.cpuMs === undefined || knock.cpuMs === undefined
              ? ""
              : `, cpu ${(t.cpuMs / knock.cpuMs).toFixed(1)}×`
          }`
      }`
    );
    // deno-lint-ignore no-console
    console.log(rows.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
