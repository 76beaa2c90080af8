import assert from "node:assert/strict";
import { type Effect, ServeDaemon, type TotpLoad } from "../../../core/serve/mod.ts";
import { derivedSequence, totpCandidates } from "../../../core/totp/mod.ts";
import { config, describe, knock } from "./_daemon.ts";

const KEY = new TextEncoder().encode("12345678901234567890");
const STEP = 30;
const params = {
  key: KEY,
  length: 3,
  protocols: ["tcp"] as const,
  candidates: totpCandidates(20000, 40000, []),
};
const CONF = "[ssh]\nTOTP_Secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\nTOTP_Length = 3\n" +
  "TOTP_Ports = 20000-40000\nstart_command = open %IP%\n";
const T0 = 1_765_000_020_000; // inside step 58833334 (a 30 s step starts at 1_765_000_020_000)
const C0 = BigInt(Math.floor(T0 / 30_000));

function start(load: Partial<TotpLoad> = {}, now = T0) {
  const d = new ServeDaemon({
    onlyIPv4: false,
    debug: false,
    verbose: true,
    dryRun: true,
    journal: false,
    announce: false,
  });
  const totp: TotpLoad = {
    doors: [{ index: 0, params, stepSeconds: STEP, skew: 1 }],
    statePath: "/state/knockd.totp",
    ...load,
  };
  const effects: Effect[] = [...d.start({
    config: config(CONF),
    otp: new Map(),
    totp,
    captures: [{ name: "eth0", linktype: 1, addresses: { v4: ["10.0.0.1"], v6: [] } }],
  }, now)];
  return {
    d,
    effects,
    /** Sends a step's sequence from `src` at `at` (100 ms apart); the effects, described. */
    send(src: string, counter: bigint, at: number): string[] {
      const out: Effect[] = [];
      derivedSequence(params, counter).forEach((k, i) => {
        out.push(...d.tick(at + 100 * i));
        out.push(...d.knock(knock(src, k.port, at + 100 * i), at + 100 * i));
      });
      return out.map(describe);
    },
  };
}

const opened = (lines: string[]) => lines.filter((l) => l.includes(": running command: open ")).length;

Deno.test("TOTP door: the current step's sequence opens, its state is written before the command", () => {
  const t = start();
  const lines = t.send("10.0.0.2", C0, T0 + 1000);
  assert.equal(opened(lines), 1, lines.join("\n"));
  const state = lines.findIndex((l) => l.startsWith("state /state/knockd.totp"));
  assert.ok(state >= 0 && state < lines.findIndex((l) => l.includes("running command")), lines.join("\n"));
});

Deno.test("TOTP door: a sequence replayed in the same step does not open, from any source", () => {
  const t = start();
  assert.equal(opened(t.send("10.0.0.2", C0, T0 + 1000)), 1);
  assert.equal(opened(t.send("10.0.0.2", C0, T0 + 5000)), 0);
  assert.equal(opened(t.send("10.0.0.3", C0, T0 + 9000)), 0);
  // The next step's sequence (within the skew) still opens.
  assert.equal(opened(t.send("10.0.0.3", C0 + 1n, T0 + 12000)), 1);
});

Deno.test("TOTP door: the previous step opens within the skew and not after", () => {
  assert.equal(opened(start().send("10.0.0.2", C0 - 1n, T0 + 1000)), 1);
  assert.equal(opened(start().send("10.0.0.2", C0 - 2n, T0 + 1000)), 0);
  // Sent one step later, the same sequence is two steps old.
  const t = start();
  assert.equal(opened(t.send("10.0.0.2", C0 - 1n, T0 + 30_000)), 0);
  assert.equal(opened(t.send("10.0.0.2", C0 + 1n, T0 + 30_000)), 1);
  // Skew 0: only the current step.
  const strict = start({ doors: [{ index: 0, params, stepSeconds: STEP, skew: 0 }] });
  assert.equal(opened(strict.send("10.0.0.2", C0 - 1n, T0 + 1000)), 0);
  assert.equal(opened(strict.send("10.0.0.2", C0, T0 + 1000)), 1);
});

Deno.test("TOTP door: the filter follows the steps, and an attempt across a boundary completes", () => {
  const t = start();
  const first = t.effects.map(describe).filter((l) => l.startsWith("filter"));
  assert.equal(first.length, 1);
  for (const c of [C0 - 1n, C0, C0 + 1n]) {
    for (const k of derivedSequence(params, c)) assert.ok(first[0]!.includes(`${k.port}`), `${c} ${k.port}`);
  }
  const boundary = Number(C0 + 1n) * 30_000;
  assert.equal(t.d.nextDeadline(), boundary);
  const rotated = t.d.tick(boundary).map(describe).filter((l) => l.startsWith("filter"));
  assert.equal(rotated.length, 1);
  for (const k of derivedSequence(params, C0 + 2n)) assert.ok(rotated[0]!.includes(`${k.port}`));
  // Two knocks before the next boundary, the last after it: the step is still accepted, the attempt survives.
  const seq = derivedSequence(params, C0 + 1n);
  const next = boundary + 30_000;
  const lines = [
    ...t.d.knock(knock("10.0.0.2", seq[0]!.port, next - 200), next - 200),
    ...t.d.knock(knock("10.0.0.2", seq[1]!.port, next - 100), next - 100),
    ...t.d.tick(next),
    ...t.d.knock(knock("10.0.0.2", seq[2]!.port, next + 100), next + 100),
  ].map(describe);
  assert.equal(opened(lines), 1, lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("filter")), "the filter moved at the boundary");
});

Deno.test("TOTP door: a used step stays used after a restart (state file), older steps are forgotten", () => {
  const t = start();
  const seq = derivedSequence(params, C0);
  const effects = seq.flatMap((k, i) => t.d.knock(knock("10.0.0.2", k.port, T0 + 1000 + i), T0 + 1000 + i));
  const state = effects.find((e) => e.type === "state");
  assert.ok(state?.type === "state");
  assert.deepEqual(JSON.parse(state.text), { version: 1, used: { ssh: [String(C0)] } });
  // The restarted daemon reads what the first one wrote: the step does not open again, the next one does.
  const again = start({ stateText: state.text });
  assert.equal(opened(again.send("10.0.0.2", C0, T0 + 2000)), 0);
  assert.equal(opened(again.send("10.0.0.2", C0 + 1n, T0 + 3000)), 1);
  // Steps older than the window are dropped from the state the next time it is written.
  const old = start({ stateText: JSON.stringify({ version: 1, used: { ssh: [String(C0 - 5n)] } }) });
  const more = derivedSequence(params, C0).flatMap((k, i) =>
    old.d.knock(knock("10.0.0.2", k.port, T0 + 1000 + i), T0 + 1000 + i)
  );
  const written = more.find((e) => e.type === "state");
  assert.ok(written?.type === "state");
  assert.deepEqual(JSON.parse(written.text).used, { ssh: [String(C0)] });
});

Deno.test("TOTP door: a clock set back moves the window back (the current step opens, not the old future)", () => {
  const t = start();
  const later = T0 + 3_600_000; // an hour ahead, then the clock is set back to T0 + 1 s
  assert.equal(opened(t.send("10.0.0.2", C0 + 120n, later)), 1);
  assert.equal(opened(t.send("10.0.0.3", C0, T0 + 1000)), 1);
  assert.equal(opened(t.send("10.0.0.4", C0 + 121n, T0 + 2000)), 0);
});
