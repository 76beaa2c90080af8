/**
 * Lint speed: a generated 1,000-door config (target: well under 100 ms per lint).
 *
 * Run with `deno bench -A bench/lint_bench.ts`.
 *
 * Measured on 2026-11-25 (2-core shared AMD EPYC VM, Deno 2.9.6; the number the README's performance table
 * carried until it moved here): 20-50 ms per lint of the 1,000-door config.
 */
import { lintConfig } from "../core/lint/mod.ts";
import { parseConfig } from "../core/config/mod.ts";

/** A deterministic config with `doors` doors, each with a 4-knock sequence, flags, commands and timeouts. */
function generateConfig(doors: number): string {
  const lines = ["[options]", "  UseSyslog", "  LogFile = /var/log/knockd.log", ""];
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 10000 + (seed % 50000);
  };
  for (let i = 0; i < doors; i++) {
    const ports = [next(), next(), next(), next()];
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

const config = generateConfig(1000);

// Sanity check outside the timed loop: the generated config parses without errors.
const check = lintConfig(config, { file: "bench.conf", mode: 0o600 });
if (check.errorCount !== 0) throw new Error(`generated config has ${check.errorCount} errors`);

Deno.bench("parseConfig only: 1,000 doors", { group: "1000-doors", baseline: true }, () => {
  parseConfig(config);
});

Deno.bench("lintConfig: 1,000 doors", { group: "1000-doors" }, () => {
  lintConfig(config, { file: "bench.conf", mode: 0o600 });
});
