/**
 * Paired latency runs: bench/latency.ts for two variants of knocktool, alternated in the same session (A B,
 * then B A, ...), so that what the machine does meanwhile weighs on both alike. A script, not a `deno bench`
 * file; root only, as bench/latency.ts:
 *
 *     sudo deno run -A bench/pairs.ts --pairs 10 --knocks 300 \
 *       --a "on=.|" --b "off=.|--tuning all,-wake" [--form program]
 *
 * Each variant is `NAME=DIR|SERVE ARGS`: DIR is the checkout whose bench/latency.ts (and so whose knocktool)
 * runs (`.` is this one; another worktree compares two commits), SERVE ARGS go to `knocktool serve` through
 * latency.ts's `--serve-args` (leave them empty for a checkout whose latency.ts predates that option). Each
 * run measures knocktool alone (`--only knocktool,<form>`). Printed: every run's exec p50/p90/p99/max, then
 * per variant the median p50, the median p99, how many runs had p99 under 5 ms, and how many pairs each won
 * on p99. It reports; it does not assert.
 *
 * @module
 */

/** One variant: a name, the checkout to run from and the extra serve arguments. */
interface Variant {
  readonly name: string;
  readonly dir: string;
  readonly serveArgs: string;
}

/** One run's exec percentiles (ms). */
interface Run {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly opened: string;
}

function option(name: string, fallback?: string): string {
  const at = Deno.args.indexOf(name);
  const value = at === -1 ? fallback : Deno.args[at + 1];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

function variant(text: string): Variant {
  const eq = text.indexOf("=");
  const bar = text.indexOf("|");
  if (eq < 1 || bar < eq) throw new Error(`a variant is NAME=DIR|SERVE ARGS, not "${text}"`);
  const dir = text.slice(eq + 1, bar);
  return {
    name: text.slice(0, eq),
    dir: dir === "." ? new URL("..", import.meta.url).pathname : dir,
    serveArgs: text.slice(bar + 1),
  };
}

/** The knocktool exec row of latency.ts's output. */
export function parseRun(output: string, form: string): Run | undefined {
  const label = { program: "stamp FILE", redirect: "stamp >> FILE", journaled: "stamp FILE + stop" }[form];
  if (label === undefined) return undefined;
  for (const line of output.split("\n")) {
    if (!line.startsWith(label) || !/\bknocktool\b/.test(line)) continue;
    const m = /(\d+\/\d+)\s+exec\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (m === null) continue;
    if (label === "stamp FILE" && line.startsWith("stamp FILE +")) continue;
    return { opened: m[1]!, p50: Number(m[2]), p90: Number(m[3]), p99: Number(m[4]), max: Number(m[5]) };
  }
  return undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function runOnce(v: Variant, knocks: number, form: string): Promise<Run> {
  const args = [
    "run",
    "-A",
    "--no-prompt",
    "bench/latency.ts",
    "--knocks",
    String(knocks),
    "--only",
    `knocktool,${form}`,
  ];
  if (v.serveArgs !== "") args.push("--serve-args", v.serveArgs);
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: v.dir, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const run = parseRun(text, form);
  if (run === undefined) throw new Error(`no knocktool ${form} row from ${v.name}:\n${text}`);
  return run;
}

function say(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
}

async function main(): Promise<void> {
  const a = variant(option("--a"));
  const b = variant(option("--b"));
  const pairs = Number(option("--pairs", "10"));
  const knocks = Number(option("--knocks", "300"));
  const form = option("--form", "program");
  const runs = new Map<string, Run[]>([[a.name, []], [b.name, []]]);
  let bWins = 0;
  say(
    `pairs: ${pairs} x (${a.name} [${a.serveArgs}] vs ${b.name} [${b.serveArgs}]), ${knocks} knocks, ${form}`,
  );
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    const got = new Map<string, Run>();
    for (const v of order) {
      const run = await runOnce(v, knocks, form);
      got.set(v.name, run);
      runs.get(v.name)!.push(run);
      say(
        `pair ${i + 1} ${v.name.padEnd(10)} ${run.opened.padStart(7)} p50 ${run.p50.toFixed(2)} p90 ${
          run.p90.toFixed(2)
        } p99 ${run.p99.toFixed(2)} max ${run.max.toFixed(2)}`,
      );
    }
    if (got.get(b.name)!.p99 < got.get(a.name)!.p99) bWins++;
  }
  say("");
  say("variant     median p50  median p99  p99 < 5 ms  pairs won (p99)");
  for (const v of [a, b]) {
    const list = runs.get(v.name)!;
    const won = v === b ? bWins : pairs - bWins;
    say(
      `${v.name.padEnd(11)} ${median(list.map((r) => r.p50)).toFixed(2).padStart(10)} ${
        median(list.map((r) => r.p99)).toFixed(2).padStart(11)
      } ${`${list.filter((r) => r.p99 < 5).length}/${list.length}`.padStart(11)} ${String(won).padStart(16)}`,
    );
  }
}

if (import.meta.main) await main();
