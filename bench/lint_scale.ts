/**
 * Lint at scale (issue 19): `lintConfig` on generated configs of 1,000, 10,000 and 100,000 doors, cold (the
 * first call in a fresh process, as the `lint` command makes it) and warm, with the cost per door to show it
 * stays linear; and the whole `lint` command against the same command on a 10-door file, so that the start-up
 * is reported apart. A script, not a `deno bench` file:
 *
 *     deno run -A bench/lint_scale.ts [--runs N] [--doors 1000,10000,100000] [--baseline DIR]
 *
 * `--baseline DIR` measures another checkout side by side (for instance `git archive 27b5207 | tar -x -C
 * DIR`, the commit before issue 19's changes): the same child code (copied into DIR/bench/ for the run)
 * against DIR's core/, the two sides alternating run by run, and the findings checked equal.
 *
 * Two kinds of config per size, both with a 4-knock sequence (one UDP knock), `TCPFlags`, start and stop
 * commands and timeouts per door, every tenth door with a `Target`:
 *
 * - `distinct`: every door has its own sequence (no finding): the cost of the rules themselves;
 * - `colliding`: bench/lint_bench.ts's generator, whose sequences repeat (an LCG's low bits), so that many
 *   doors share sequences and prefixes and KT211 reports thousands of findings: the cost of the pairwise
 *   checks (KT211 duplicate and prefix sequences, KT219 duplicate names go through maps, never a scan of the
 *   other doors) and of sorting many findings.
 *
 * Measures, each the median of `--runs` (default 5) fresh processes (`deno run` of this file as a child):
 * `parse` (`parseConfig` alone, cold), `lint cold` (the first `lintConfig` in a process), `lint warm` (the
 * mean of the calls after it: 20 at 1,000 doors, 2 at 10,000, 1 at 100,000). Time is `performance.now()`
 * around the call and, in parentheses, the main thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), which the
 * load of other jobs on a shared machine inflates much less than the wall time. The command line: `deno run -A
 * cli/main.ts lint FILE` for the 1,000-door files (the `lint` command refuses inputs over 1 MiB, so 10,000
 * doors and more are measured in-process only), minus the same command on a 10-door file.
 *
 * Profile (`deno run --cpu-prof`, 100,000 colliding doors, before the changes of issue 19): 28 % garbage
 * collection, then readLine (tuples, a closure and an object spread per line), asciiUpper (a regular
 * expression replace with a callback per key), the per-step readings (object spreads); no rule scans the
 * other doors, so nothing is quadratic. Cold at 1,000 doors the cost is spread over all 35 rules (each 0.2 to
 * 8 ms, interpreted code and young-generation collections of the config being built), the parse being the
 * largest part.
 *
 * Results, 2026-12-08, `--runs 3 --baseline` the commit before issue 19 (27b5207), 2-core shared AMD EPYC VM
 * with three other jobs running (load average 4-6: the wall times swing with it, read the CPU times), Deno
 * 2.9.6:
 *
 * ```
 * doors   kind       side      findings  parse cold (cpu)       lint cold (cpu)        lint warm  warm µs/door  cold µs/door
 * 1000    distinct   now              0     52.3 ms (   42.9)    104.3 ms (   96.1)     38.4 ms         38.4         104.3
 * 1000    distinct   baseline         0     77.0 ms (   56.9)    233.2 ms (  115.5)     43.2 ms         43.2         233.2
 *         lint cold now / baseline: wall 0.45, cpu 0.83
 * 1000    colliding  now              0     80.7 ms (   43.7)    592.4 ms (  106.4)     92.0 ms         92.0         592.4
 * 1000    colliding  baseline         0    184.2 ms (   63.7)    505.7 ms (  133.1)    116.4 ms        116.4         505.7
 *         lint cold now / baseline: wall 1.17, cpu 0.80
 * 10000   distinct   now              1    455.6 ms (  319.0)    806.9 ms (  613.1)    388.4 ms         38.8          80.7
 * 10000   distinct   baseline         1    813.3 ms (  372.6)   1444.2 ms (  654.2)    894.3 ms         89.4         144.4
 *         lint cold now / baseline: wall 0.56, cpu 0.94
 * 10000   colliding  now           3282    488.6 ms (  285.1)    968.8 ms (  731.9)    706.5 ms         70.6          96.9
 * 10000   colliding  baseline      3282    648.8 ms (  347.8)   1365.9 ms (  735.6)    619.8 ms         62.0         136.6
 *         lint cold now / baseline: wall 0.71, cpu 0.99
 * 100000  distinct   now              8   3567.1 ms ( 1906.8)   6322.2 ms ( 4252.8)   8037.5 ms         80.4          63.2
 * 100000  distinct   baseline         8   5030.7 ms ( 1932.6)  10696.5 ms ( 5185.0)  12262.5 ms        122.6         107.0
 *         lint cold now / baseline: wall 0.59, cpu 0.82
 * 100000  colliding  now          93282   5661.4 ms ( 2027.6)  12182.7 ms ( 4601.6)  11463.1 ms        114.6         121.8
 * 100000  colliding  baseline     93282   3686.0 ms ( 2223.4)   7291.4 ms ( 4547.2)   7448.0 ms         74.5          72.9
 *         lint cold now / baseline: wall 1.67, cpu 1.01
 * linearity (distinct now): warm µs per door at the largest size / at the smallest = 2.09
 * linearity (distinct baseline): warm µs per door at the largest size / at the smallest = 2.84
 * linearity (colliding now): warm µs per door at the largest size / at the smallest = 1.25
 * linearity (colliding baseline): warm µs per door at the largest size / at the smallest = 0.64
 * command (now): lint of 10 doors 247 ms, of 1,000 distinct doors 451 ms: 204 ms of work
 * command (baseline): lint of 10 doors 362 ms, of 1,000 distinct doors 768 ms: 406 ms of work
 * command (now): lint of 10 doors 391 ms, of 1,000 colliding doors 557 ms: 166 ms of work
 * command (baseline): lint of 10 doors 395 ms, of 1,000 colliding doors 708 ms: 313 ms of work
 * ```
 *
 * A second run, 20 minutes later, after e4a0982 (the parser's protocol comparison), load average 4-5:
 *
 * ```
 * doors   kind       side      findings  parse cold (cpu)       lint cold (cpu)        lint warm  warm µs/door  cold µs/door
 * 1000    distinct   now              0    158.6 ms (   45.5)    480.2 ms (  106.1)    205.2 ms        205.2         480.2
 * 1000    distinct   baseline         0    231.1 ms (   58.5)    612.2 ms (  134.3)    247.9 ms        247.9         612.2
 *         lint cold now / baseline: wall 0.78, cpu 0.79
 * 1000    colliding  now              0    139.8 ms (   42.5)    224.7 ms (  103.5)    134.1 ms        134.1         224.7
 * 1000    colliding  baseline         0     82.5 ms (   56.9)    243.3 ms (  113.3)    104.7 ms        104.7         243.3
 *         lint cold now / baseline: wall 0.92, cpu 0.91
 * 10000   distinct   now              1    587.4 ms (  279.0)   1037.4 ms (  602.4)    867.7 ms         86.8         103.7
 * 10000   distinct   baseline         1    975.4 ms (  439.6)   1407.6 ms (  726.0)    781.7 ms         78.2         140.8
 *         lint cold now / baseline: wall 0.74, cpu 0.83
 * 10000   colliding  now           3282    664.3 ms (  300.5)   1180.4 ms (  656.5)    806.6 ms         80.7         118.0
 * 10000   colliding  baseline      3282    915.0 ms (  382.6)   2174.9 ms (  789.7)   1199.6 ms        120.0         217.5
 *         lint cold now / baseline: wall 0.54, cpu 0.83
 * 100000  distinct   now              8   5453.7 ms ( 2013.5)  10940.8 ms ( 4667.6)   8141.1 ms         81.4         109.4
 * 100000  distinct   baseline         8   5196.4 ms ( 2127.3)   9865.9 ms ( 4272.6)  11705.9 ms        117.1          98.7
 *         lint cold now / baseline: wall 1.11, cpu 1.09
 * 100000  colliding  now          93282   2634.3 ms ( 1795.8)   5365.0 ms ( 4359.0)   4504.5 ms         45.0          53.6
 * 100000  colliding  baseline     93282   2597.8 ms ( 1871.9)   5683.1 ms ( 4794.4)   6479.1 ms         64.8          56.8
 *         lint cold now / baseline: wall 0.94, cpu 0.91
 * linearity (distinct now): warm µs per door at the largest size / at the smallest = 0.40
 * linearity (distinct baseline): warm µs per door at the largest size / at the smallest = 0.47
 * linearity (colliding now): warm µs per door at the largest size / at the smallest = 0.34
 * linearity (colliding baseline): warm µs per door at the largest size / at the smallest = 0.62
 * command (now): lint of 10 doors 190 ms, of 1,000 distinct doors 485 ms: 295 ms of work
 * command (baseline): lint of 10 doors 295 ms, of 1,000 distinct doors 421 ms: 125 ms of work
 * command (now): lint of 10 doors 187 ms, of 1,000 colliding doors 379 ms: 192 ms of work
 * command (baseline): lint of 10 doors 277 ms, of 1,000 colliding doors 405 ms: 128 ms of work
 * ```
 *
 * So: the first lint of 1,000 doors costs 96-106 ms of main-thread CPU (0.79-0.91x before in the same run;
 * 43-46 ms of it the parse, 0.75-0.78x), at the target of 100 ms under this load. At a quieter moment of the
 * same VM, best of 10 fresh processes, `parseConfig` of the 1,000 distinct doors took 40 ms of CPU and the
 * rules after it, one by one, 38 ms (lintConfig's own sorting and merging of the findings adds little). Per
 * door it falls from about 100 µs of CPU at 1,000 doors (code still cold) to 43-47 µs at 100,000: linear (at
 * 100,000 doors both sides are within the noise of each other, ±15 % between the two runs: there the garbage
 * collection of the config itself dominates). The command lines subtract two wall times on a loaded machine
 * and are noise. Wall times here are two to three times the CPU times because the machine was shared; the
 * warm columns and "linearity" lines are wall time and follow the load.
 */
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../core/config/mod.ts";
import { lintConfig } from "../core/lint/mod.ts";

type Kind = "distinct" | "colliding";

/** A config of `doors` doors; `distinct` gives each door its own sequence. */
export function generateConfig(doors: number, kind: Kind): string {
  const lines = ["[options]", "  UseSyslog", "  LogFile = /var/log/knockd.log", ""];
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 10000 + (seed % 50000);
  };
  for (let i = 0; i < doors; i++) {
    // distinct: the door number in base 50,000 spread over the first two knocks, so no two doors collide.
    const ports = kind === "distinct"
      ? [10000 + (i % 50000), 10000 + Math.floor(i / 50000), next(), next()]
      : [next(), next(), next(), next()];
    lines.push(
      `[door${i}]`,
      `  sequence      = ${ports[0]},${ports[1]}:udp,${ports[2]},${ports[3]}`,
      "  seq_timeout   = 10",
      "  tcpflags      = syn",
      `  start_command = /usr/sbin/nft add element inet filter knock${i} { %IP% }`,
      "  cmd_timeout   = 30",
      `  stop_command  = /usr/sbin/nft delete element inet filter knock${i} { %IP% }`,
      i % 10 === 0 ? "  target = 10.0.0.1" : "",
      "",
    );
  }
  return lines.join("\n");
}

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(name);
  return at === -1 ? fallback : Deno.args[at + 1] ?? fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * CPU time of the calling thread in milliseconds: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through libc (the
 * time the main thread ran, not the time it waited for a CPU the other jobs had; NaN where libc is not there).
 */
const threadCpuMs: () => number = (() => {
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const time = new BigInt64Array(2);
    const bytes = new Uint8Array(time.buffer);
    const CLOCK_THREAD_CPUTIME_ID = 3;
    return () => {
      if (libc.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, bytes) !== 0) return Number.NaN;
      return Number(time[0]!) * 1000 + Number(time[1]!) / 1e6;
    };
  } catch {
    return () => Number.NaN;
  }
})();

/** The child: one cold parse or lint, then warm lints; prints JSON. */
function child(path: string, what: "parse" | "lint"): void {
  const text = Deno.readTextFileSync(path);
  let c = threadCpuMs();
  let t = performance.now();
  if (what === "parse") {
    parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
    const cold = performance.now() - t;
    // deno-lint-ignore no-console
    console.log(JSON.stringify({ cold, coldCpu: threadCpuMs() - c }));
    return;
  }
  c = threadCpuMs();
  t = performance.now();
  const first = lintConfig(text, { file: path, mode: 0o600 });
  const cold = performance.now() - t;
  const coldCpu = threadCpuMs() - c;
  // Warm: the mean of the calls after the first (20 at 1,000 doors, 2 at 10,000, 1 at 100,000).
  const calls = Math.max(1, Math.round(20_000 / Math.max(1, first.config.doors.length)));
  t = performance.now();
  for (let i = 0; i < calls; i++) lintConfig(text, { file: path, mode: 0o600 });
  const warm = (performance.now() - t) / calls;
  // deno-lint-ignore no-console
  console.log(
    JSON.stringify({ cold, coldCpu, warm, findings: first.diagnostics.length, errors: first.errorCount }),
  );
}

async function run(args: string[]): Promise<{ ms: number; stdout: string }> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" }).output();
  const ms = performance.now() - t;
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success && out.code !== 1) {
    throw new Error(`${args.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
  }
  return { ms, stdout };
}

interface Side {
  readonly label: string;
  /** This file, or its copy in the baseline checkout. */
  readonly child: string;
  readonly mainTs: string;
}

async function main(): Promise<void> {
  const runs = Number(flag("--runs", "5"));
  const sizes = flag("--doors", "1000,10000,100000").split(",").map(Number);
  const baseline = flag("--baseline", "");
  const dir = await Deno.makeTempDir({ prefix: "lint_scale_" });
  const self = new URL(import.meta.url).pathname;
  const sides: Side[] = [{
    label: "now",
    child: self,
    mainTs: new URL("../cli/main.ts", import.meta.url).pathname,
  }];
  if (baseline !== "") {
    // The same child code against the baseline checkout's core/ (a copy of this file in its bench/).
    const child = `${baseline}/bench/.lint_scale_child.ts`;
    await Deno.copyFile(self, child);
    sides.push({ label: "baseline", child, mainTs: `${baseline}/cli/main.ts` });
  }
  try {
    const rows: string[] = [
      "doors   kind       side      findings  parse cold (cpu)       lint cold (cpu)        lint warm  warm µs/door  cold µs/door",
    ];
    const perDoor = new Map<string, number[]>();
    const coldAt = new Map<string, number>();
    for (const doors of sizes) {
      for (const kind of ["distinct", "colliding"] as const) {
        const path = `${dir}/${kind}-${doors}.conf`;
        await Deno.writeTextFile(path, generateConfig(doors, kind), { mode: 0o600 });
        const samples = sides.map(() => ({
          parse: [] as number[],
          parseCpu: [] as number[],
          cold: [] as number[],
          coldCpu: [] as number[],
          warm: [] as number[],
        }));
        let findings = 0;
        // The sides alternate run by run, so that the load of the machine falls on both alike.
        for (let r = 0; r < runs; r++) {
          for (const [i, side] of sides.entries()) {
            const s = samples[i]!;
            const p = JSON.parse((await run(["run", "-A", side.child, "--child", path, "parse"])).stdout);
            s.parse.push(p.cold);
            s.parseCpu.push(p.coldCpu);
            const l = JSON.parse((await run(["run", "-A", side.child, "--child", path, "lint"])).stdout);
            s.cold.push(l.cold);
            s.coldCpu.push(l.coldCpu);
            s.warm.push(l.warm);
            if (i === 0) findings = l.findings;
            else if (l.findings !== findings) {
              throw new Error(`${path}: ${l.findings} findings, not ${findings}`);
            }
            if (l.errors !== 0) throw new Error(`${path}: ${l.errors} errors`);
          }
        }
        for (const [i, side] of sides.entries()) {
          const s = samples[i]!;
          const w = median(s.warm);
          const c = median(s.cold);
          const key = `${kind} ${side.label}`;
          (perDoor.get(key) ?? perDoor.set(key, []).get(key)!).push((w * 1000) / doors);
          coldAt.set(`${doors} ${key}`, c);
          coldAt.set(`${doors} ${key} cpu`, median(s.coldCpu));
          const ms = (v: number, width = 7) => v.toFixed(1).padStart(width);
          rows.push(
            [
              String(doors).padEnd(7),
              kind.padEnd(10),
              side.label.padEnd(9),
              String(findings).padStart(8),
              ` ${ms(median(s.parse))} ms (${ms(median(s.parseCpu))})`,
              ` ${ms(c)} ms (${ms(median(s.coldCpu))})`,
              ` ${ms(w)} ms`,
              ms((w * 1000) / doors, 12),
              ms((c * 1000) / doors, 13),
            ].join(" "),
          );
        }
        if (sides.length === 2) {
          const now = coldAt.get(`${doors} ${kind} now`)!;
          const before = coldAt.get(`${doors} ${kind} baseline`)!;
          const cpu = coldAt.get(`${doors} ${kind} now cpu`)! / coldAt.get(`${doors} ${kind} baseline cpu`)!;
          rows.push(
            `        lint cold now / baseline: wall ${(now / before).toFixed(2)}, cpu ${cpu.toFixed(2)}`,
          );
        }
      }
    }
    for (const [key, values] of perDoor) {
      rows.push(
        `linearity (${key}): warm µs per door at the largest size / at the smallest = ${
          (values[values.length - 1]! / values[0]!).toFixed(2)
        }`,
      );
    }
    // The command line, for the size the command accepts (at most 1 MiB): 1,000 doors minus 10 doors.
    if (sizes.includes(1000)) {
      const small = `${dir}/small.conf`;
      await Deno.writeTextFile(small, generateConfig(10, "distinct"), { mode: 0o600 });
      for (const kind of ["distinct", "colliding"] as const) {
        const path = `${dir}/${kind}-1000.conf`;
        const times = sides.map(() => ({ small: [] as number[], big: [] as number[] }));
        for (let r = 0; r < runs; r++) {
          for (const [i, side] of sides.entries()) {
            times[i]!.small.push((await run(["run", "-A", side.mainTs, "lint", small])).ms);
            times[i]!.big.push((await run(["run", "-A", side.mainTs, "lint", path])).ms);
          }
        }
        for (const [i, side] of sides.entries()) {
          const a = median(times[i]!.small);
          const b = median(times[i]!.big);
          rows.push(
            `command (${side.label}): lint of 10 doors ${a.toFixed(0)} ms, of 1,000 ${kind} doors ${
              b.toFixed(0)
            } ms: ${(b - a).toFixed(0)} ms of work`,
          );
        }
      }
    }
    // deno-lint-ignore no-console
    console.log(rows.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
    if (sides[1] !== undefined) await Deno.remove(sides[1].child).catch(() => {});
  }
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--child");
  if (at !== -1) child(Deno.args[at + 1]!, Deno.args[at + 2] === "parse" ? "parse" : "lint");
  else await main();
}
