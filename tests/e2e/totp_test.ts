/**
 * TOTP doors end to end (issue 16), in namespaces with Debian's `knock` as the client: the ports
 * `knocktool knock --show --json` prints for the current step open the door; the same sequence again in the
 * same step does not; the previous step's sequence opens within the skew (one step) and not two steps later;
 * a sequence begun just before a step boundary and finished after it opens (the capture filter still passes
 * the old step's ports, the attempt survives the rotation); the used steps are in the state file, and a
 * restarted serve does not open a used step again.
 *
 * Steps are 5 s (lint warns under 10 s; serve runs such a door) so that the waits stay short; every wait is
 * bounded. Root only (skipped with a printed reason otherwise).
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, type Spawned, type Topology, whySkip, withTopology } from "./_netns.ts";
import { startServe } from "./_nft.ts";

const skip = await whySkip(["knock"], "skipping TOTP e2e tests");
const ignore = skip !== undefined;

const STEP_S = 5;
const SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const conf = (secretFile: string, step: number) =>
  `[ssh]
  TOTP_Secret_File = ${secretFile}
  TOTP_Length      = 4
  TOTP_Ports       = 20000-40000
  TOTP_Step        = ${step}
  TOTP_Skew        = 1
  seq_timeout      = 5
  start_command    = /bin/true %IP%
`;

interface Shown {
  readonly step: string;
  readonly secondsLeft: number;
  readonly validUntil: string;
  readonly knocks: readonly { readonly port: number; readonly protocol: "tcp" | "udp" }[];
}

async function show(t: Topology, path: string): Promise<Shown> {
  const out = await t.clients[0]!.ns.exec(
    [...KNOCKTOOL, "knock", "-c", path, "--door", "ssh", "--show", "--json", t.serverV4],
    { timeoutMs: 20_000 },
  );
  return JSON.parse(out.stdout) as Shown;
}

/** Waits until `ms` of the wall clock. */
async function until(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** The next step's start after `shown`, ms. */
const nextStep = (shown: Shown) => Date.parse(shown.validUntil);

/** Shows the ports at the start of a step (at least 3 s left), so that what follows stays in that step. */
async function freshShow(t: Topology, path: string): Promise<Shown> {
  let shown = await show(t, path);
  if (shown.secondsLeft < 4) {
    await until(nextStep(shown) + 100);
    shown = await show(t, path);
  }
  return shown;
}

async function debianKnock(t: Topology, shown: Shown, delayMs = 0): Promise<void> {
  const ports = shown.knocks.map((k) => k.protocol === "udp" ? `${k.port}:udp` : `${k.port}`);
  const delay = delayMs > 0 ? ["-d", String(delayMs)] : [];
  await t.clients[0]!.ns.exec(["knock", ...delay, t.serverV4, ...ports], { timeoutMs: 10_000 });
}

const OPEN = /^ssh: running command: \/bin\/true /;

async function opens(daemon: Spawned, from: number, timeoutMs = 3000): Promise<boolean> {
  return await daemon.findLine(OPEN, timeoutMs, from) !== undefined;
}

async function setUp(dir: string, step = STEP_S): Promise<{ path: string; state: string }> {
  const secret = `${dir}/ssh.totp`;
  await Deno.writeTextFile(secret, `${SECRET}\n`, { mode: 0o600 });
  await Deno.chmod(secret, 0o600);
  const path = `${dir}/knockd.conf`;
  await Deno.writeTextFile(path, conf(secret, step));
  await Deno.mkdir(`${dir}/state`);
  return { path, state: `${dir}/state` };
}

Deno.test({
  name:
    "totp: Debian's knock with the ports --show printed opens; the same sequence in the same step does not",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-totp-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const { path, state } = await setUp(dir);
      await using daemon = await startServe(t, path, state);
      const shown = await freshShow(t, path);
      const before = daemon.lines.length;
      await debianKnock(t, shown);
      assert.ok(await opens(daemon, before), daemon.output());
      assert.equal(Number(shown.step) * STEP_S * 1000 + STEP_S * 1000, nextStep(shown));
      // Replayed at once, within the same step: nothing.
      const replay = daemon.lines.length;
      assert.ok(Date.now() < nextStep(shown) - 500, "still the same step");
      await debianKnock(t, shown);
      assert.ok(!await opens(daemon, replay, 1500), daemon.output());
      // The used step is in the state file, for a restart.
      const files = [...Deno.readDirSync(state)].filter((e) => e.name.endsWith(".totp"));
      assert.equal(files.length, 1);
      const text = await Deno.readTextFile(`${state}/${files[0]!.name}`);
      assert.deepEqual(JSON.parse(text).used.ssh, [shown.step]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "totp: the previous step's sequence opens within the skew (1 step) and not two steps later",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-totp-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const { path, state } = await setUp(dir);
      await using daemon = await startServe(t, path, state);
      // One step old: accepted.
      const old = await show(t, path);
      await until(nextStep(old) + 300);
      let from = daemon.lines.length;
      await debianKnock(t, old);
      assert.ok(await opens(daemon, from), daemon.output());
      // Two steps old: refused.
      const older = await show(t, path);
      await until(nextStep(older) + STEP_S * 1000 + 300);
      from = daemon.lines.length;
      await debianKnock(t, older);
      assert.ok(!await opens(daemon, from, 1500), daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "totp: a sequence sent across a step boundary opens (the filter follows the steps, no knock is lost)",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-totp-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const { path, state } = await setUp(dir);
      await using daemon = await startServe(t, path, state);
      const shown = await freshShow(t, path);
      // Four knocks 200 ms apart, the second one 100 ms before the boundary: two before, two after.
      await until(nextStep(shown) - 300);
      const from = daemon.lines.length;
      const started = Date.now();
      await debianKnock(t, shown, 200);
      assert.ok(
        Date.now() > nextStep(shown),
        `sent from ${started} to ${Date.now()}, boundary ${nextStep(shown)}`,
      );
      assert.ok(await opens(daemon, from), daemon.output());
      // Two steps on, a step that was outside the window (and the filter) when serve started opens: the
      // filter moved with the steps.
      await until(nextStep(shown) + STEP_S * 1000 + 200);
      const next = await show(t, path);
      assert.equal(BigInt(next.step), BigInt(shown.step) + 2n);
      const again = daemon.lines.length;
      await debianKnock(t, next);
      assert.ok(await opens(daemon, again), daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "totp: a restarted serve does not open a step used before the restart (30 s steps)",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-totp-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const { path, state } = await setUp(dir, 30);
      let shown = await show(t, path);
      // Room for a restart within the step (serve starts in a few seconds): else wait for the next step.
      if (shown.secondsLeft < 20) {
        await until(nextStep(shown) + 100);
        shown = await show(t, path);
      }
      {
        await using daemon = await startServe(t, path, state);
        const from = daemon.lines.length;
        await debianKnock(t, shown);
        assert.ok(await opens(daemon, from), daemon.output());
      }
      await using restarted = await startServe(t, path, state);
      assert.ok(Date.now() < nextStep(shown) - 1000, "still the same step after the restart");
      const from = restarted.lines.length;
      await debianKnock(t, shown);
      assert.ok(!await opens(restarted, from, 1500), restarted.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
