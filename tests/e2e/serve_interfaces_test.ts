/**
 * serve's interfaces (issue 12 items 1 and 2): an empty interface name is refused with a message instead of
 * a capture that never sees a packet, and an interface named twice is one capture (a knock is counted once,
 * its command runs once). In-process for the refusals; the real daemon in a namespace (root) for the rest.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli/_io.ts";
import { type Spawned, startServe, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["knock"], "skipping serve interface e2e tests");

async function withConf<T>(text: string, body: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "kt-ifaces-" });
  try {
    await Deno.writeTextFile(`${dir}/k.conf`, text.replaceAll("$DIR", dir));
    return await body(`${dir}/k.conf`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("serve -i '' (or -i 'eth0,') is refused with a message and exit 1, not a deaf daemon", async () => {
  await withConf("[d]\nsequence = 7000\n", async (conf) => {
    for (const [value, says] of [["", "-i is empty"], ["lo,", `-i has an empty name in "lo,"`]] as const) {
      const r = await runCli(["serve", "-c", conf, "-i", value]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `knocktool: ${says}: name an interface (e.g. eth0) or any\n`);
      assert.doesNotMatch(r.stdout, /starting up/);
    }
  });
});

Deno.test("serve refuses `Interface =` (empty) in [options], as lint's KT108 error", async () => {
  await withConf("[options]\nInterface =\n[d]\nsequence = 7000\n", async (conf) => {
    const r = await runCli(["serve", "-c", conf]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /KT108/);
  });
});

const start = (t: Topology, args: readonly string[]): Promise<Spawned> => startServe(t.server, args);

Deno.test({
  name: "serve -i X,X: one capture, warned once; the knock opens once and its command runs once",
  ignore: skip !== undefined,
}, async () => {
  await withConf(
    "[d]\nsequence = 7000,8000\nseq_timeout = 5\ntcpflags = syn\nstart_command = echo %IP% >> $DIR/out\n",
    async (conf, dir) => {
      await withTopology({}, async (t) => {
        const ifaces = `${t.serverIf},${t.serverIf}`;
        await using daemon = await start(t, ["-c", conf, "-i", ifaces]);
        assert.equal(
          daemon.lines.filter((l) => l.includes("named more than once")).length,
          1,
          daemon.output(),
        );
        assert.ok(daemon.lines.includes(`starting up, listening on ${t.serverIf}`), daemon.output());
        const c = t.clients[0]!;
        await c.ns.exec(["knock", "-4", t.serverV4, "7000", "8000"], { timeoutMs: 10_000 });
        await daemon.waitForLine(/OPEN SESAME/, 5000);
        // Give a second capture's copy of the packets every chance to arrive.
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(daemon.lines.filter((l) => l.endsWith(": d: OPEN SESAME")).length, 1, daemon.output());
        assert.equal(daemon.lines.filter((l) => l.endsWith(": d: Stage 1")).length, 1, daemon.output());
        assert.equal(await Deno.readTextFile(`${dir}/out`), `${c.v4}\n`);
      });
    },
  );
});
