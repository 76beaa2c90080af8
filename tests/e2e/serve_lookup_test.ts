/**
 * serve -l (issue 12 item 12): knocking hosts show with their names, resolved through libc's resolver (the
 * namespace's hosts file here, as `ip netns exec` mounts /etc/netns/NAME/hosts over /etc/hosts), in the
 * background: the knock is detected and its command runs whether or not the name has arrived.
 */
import assert from "node:assert/strict";
import { type Spawned, startServe, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["knock"], "skipping serve -l e2e tests");

const start = (t: Topology, args: readonly string[]): Promise<Spawned> => startServe(t.server, args);

Deno.test({
  name: "serve -l: the source's name from the hosts file shows in the lines logged once it is known",
  ignore: skip !== undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-lookup-" });
  try {
    await Deno.writeTextFile(
      `${dir}/k.conf`,
      `[d]\nsequence = 7000,8000,9000\nseq_timeout = 10\ntcpflags = syn\nstart_command = echo %IP% >> ${dir}/out\n`,
    );
    await withTopology({}, async (t) => {
      const c = t.clients[0]!;
      const etc = `/etc/netns/${t.server.name}`;
      await Deno.mkdir(etc, { recursive: true });
      try {
        await Deno.writeTextFile(`${etc}/hosts`, `127.0.0.1 localhost\n${c.v4} laptop.knock.test\n`);
        await using daemon = await start(t, ["-c", `${dir}/k.conf`, "-i", t.serverIf, "-l"]);
        // 300 ms between knocks: time for the name, asked for at Stage 1, to arrive.
        await c.ns.exec(["knock", "-4", "-d", "300", t.serverV4, "7000", "8000", "9000"], {
          timeoutMs: 10_000,
        });
        const opened = await daemon.waitForLine(/: d: OPEN SESAME$/, 5000);
        assert.equal(opened.line, `${c.v4} (laptop.knock.test): d: OPEN SESAME`, daemon.output());
        assert.ok(
          daemon.lines.includes(`${c.v4}: d: Stage 1`),
          "the first line, before the name, has the address alone",
        );
        // The command gets the address, not the name.
        assert.ok(await waitForFile(`${dir}/out`, `${c.v4}\n`), daemon.output());
      } finally {
        await Deno.remove(etc, { recursive: true });
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function waitForFile(path: string, text: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      if (await Deno.readTextFile(path) === text) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
