// deno bench -A bench/parse_bench.ts
import { parseConfig, parseOneTimeSequences } from "../core/config/mod.ts";
import { parseFlagSpec } from "../core/config/flags.ts";

function generate(doors: number): string {
  const parts = ["[options]\n  UseSyslog\n  LogFile = /var/log/knockd.log\n  Interface = eth0\n"];
  for (let i = 0; i < doors; i++) {
    const a = 1024 + ((i * 7919) % 60000);
    parts.push(
      `\n[door${i}]\n  sequence = ${a},${a + 11}:udp,${a + 23},${
        a + 37
      }\n  seq_timeout = 5\n  tcpflags = syn,!ack\n` +
        `  start_command = /usr/sbin/nft add element inet filter allowed { %IP% }\n  cmd_timeout = 10\n` +
        `  stop_command = /usr/sbin/nft delete element inet filter allowed { %IP% }\n`,
    );
  }
  return parts.join("");
}

const config1000 = generate(1000);
const otp = Array.from({ length: 1000 }, (_, i) => ` ${1000 + i},${2000 + i}:udp,${3000 + i}\n`).join("");

Deno.bench("parseConfig: 1,000 doors", { group: "config", baseline: true }, () => {
  const r = parseConfig(config1000);
  if (r.config.doors.length !== 1000 || !r.ok) throw new Error("unexpected parse result");
});

Deno.bench("parseConfig: upstream-sized config (3 doors)", { group: "config" }, () => {
  parseConfig(generate(3));
});

Deno.bench("parseOneTimeSequences: 1,000 lines", () => {
  parseOneTimeSequences(otp);
});

Deno.bench("parseFlagSpec: syn,!ack", () => {
  parseFlagSpec("syn,!ack", { dialect: "knockd" });
});
