/**
 * Lint at scale (issue 19): `lintConfig` on generated configs of 1,000, 10,000 and 100,000 doors, cold (the
 * first call in a fresh process, as the `lint` command makes it) and warm, with the cost per door to show it
 * stays linear; and the whole `lint` command against the same command on a 10-door file, so that the start-up
 * is reported apart. A script, not a `deno bench` file:
 *
 *     deno run -A bench/lint_scale.ts [--runs N] [--doors 1000,10000,100000]
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
 * mean of 3 calls after it). Time is `performance.now()` around the call. The command line: `deno run -A
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
 * Results, 2026-12-08, 2-core shared AMD EPYC VM with three other jobs running (load average 2-4), Deno
 * 2.9.6; see the header of the commit for the numbers before the changes:
 *
 * ```
 * RESULTS_PLACEHOLDER
 * ```
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

/** The child: one cold parse or lint, then warm lints; prints JSON. */
function child(path: string, what: "parse" | "lint"): void {
  const text = Deno.readTextFileSync(path);
  let t = performance.now();
  if (what === "parse") {
    parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
    // deno-lint-ignore no-console
    console.log(JSON.stringify({ cold: performance.now() - t }));
    return;
  }
  const first = lintConfig(text, { file: path, mode: 0o600 });
  const cold = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 3; i++) lintConfig(text, { file: path, mode: 0o600 });
  const warm = (performance.now() - t) / 3;
  // deno-lint-ignore no-console
  console.log(JSON.stringify({ cold, warm, findings: first.diagnostics.length, errors: first.errorCount }));
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

async function main(): Promise<void> {
  const runs = Number(flag("--runs", "5"));
  const sizes = flag("--doors", "1000,10000,100000").split(",").map(Number);
  const dir = await Deno.makeTempDir({ prefix: "lint_scale_" });
  const self = new URL(import.meta.url).pathname;
  const mainTs = new URL("../cli/main.ts", import.meta.url).pathname;
  try {
    const rows: string[] = [
      "doors   kind       findings  parse cold  lint cold  lint warm  warm µs/door  cold µs/door",
    ];
    const perDoor = new Map<Kind, number[]>();
    for (const doors of sizes) {
      for (const kind of ["distinct", "colliding"] as const) {
        const path = `${dir}/${kind}-${doors}.conf`;
        await Deno.writeTextFile(path, generateConfig(doors, kind), { mode: 0o600 });
        const parse: number[] = [];
        const cold: number[] = [];
        const warm: number[] = [];
        let findings = 0;
        for (let r = 0; r < runs; r++) {
          parse.push(JSON.parse((await run(["run", "-A", self, "--child", path, "parse"])).stdout).cold);
          const l = JSON.parse((await run(["run", "-A", self, "--child", path, "lint"])).stdout);
          cold.push(l.cold);
          warm.push(l.warm);
          findings = l.findings;
          if (l.errors !== 0) throw new Error(`${path}: ${l.errors} errors`);
        }
        const w = median(warm);
        (perDoor.get(kind) ?? perDoor.set(kind, []).get(kind)!).push((w * 1000) / doors);
        rows.push(
          `${String(doors).padEnd(7)} ${kind.padEnd(10)} ${String(findings).padStart(8)}  ${
            median(parse).toFixed(1).padStart(7)
          } ms ${median(cold).toFixed(1).padStart(7)} ms ${w.toFixed(1).padStart(7)} ms ${
            ((w * 1000) / doors).toFixed(1).padStart(12)
          } ${((median(cold) * 1000) / doors).toFixed(1).padStart(13)}`,
        );
      }
    }
    for (const [kind, values] of perDoor) {
      rows.push(
        `linearity (${kind}): warm µs per door at the largest size / at the smallest = ${
          (values[values.length - 1]! / values[0]!).toFixed(2)
        }`,
      );
    }
    // The command line, for the sizes the command accepts (at most 1 MiB).
    const small = `${dir}/small.conf`;
    await Deno.writeTextFile(small, generateConfig(10, "distinct"), { mode: 0o600 });
    const smallMs: number[] = [];
    for (let r = 0; r < runs; r++) smallMs.push((await run(["run", "-A", mainTs, "lint", small])).ms);
    rows.push(`command: lint of 10 doors (start-up) ${median(smallMs).toFixed(0)} ms`);
    for (const kind of ["distinct", "colliding"] as const) {
      const path = `${dir}/${kind}-1000.conf`;
      if (!sizes.includes(1000)) break;
      const ms: number[] = [];
      for (let r = 0; r < runs; r++) ms.push((await run(["run", "-A", mainTs, "lint", path])).ms);
      rows.push(
        `command: lint of 1,000 ${kind} doors ${median(ms).toFixed(0)} ms, minus start-up ${
          (median(ms) - median(smallMs)).toFixed(0)
        } ms`,
      );
    }
    // deno-lint-ignore no-console
    console.log(rows.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--child");
  if (at !== -1) child(Deno.args[at + 1]!, Deno.args[at + 2] === "parse" ? "parse" : "lint");
  else await main();
}
