/**
 * The namespace helper itself: addresses work at once over IPv4 and IPv6 (DAD disabled), a bridged
 * topology connects every client, spawned output is captured line by line, and every namespace is gone
 * afterwards, also when the body throws.
 */
import assert from "node:assert/strict";
import { poll, run, tcpListener, tcpProbe, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip([], "skipping netns helper tests");

async function namespaces(): Promise<string> {
  return (await run(["ip", "netns", "list"])).stdout;
}

Deno.test({
  name: "netns: a pair reaches each other over IPv4 and IPv6 and is deleted",
  ignore: skip !== undefined,
}, async () => {
  let id = "";
  await withTopology({}, async (t) => {
    id = t.id;
    assert.match(await namespaces(), new RegExp(`kt-e-${t.id}-s`));
    const c = t.clients[0]!;
    await using listener = await tcpListener(t.server, [2222]);
    assert.equal(await tcpProbe(c.ns, t.serverV4, 2222), "open");
    assert.equal(await tcpProbe(c.ns, t.serverV6, 2222), "open");
    assert.equal(await tcpProbe(c.ns, t.serverV4, 2223), "refused");
    await listener.stop();
    assert.equal(await tcpProbe(c.ns, t.serverV6, 2222), "refused");
  });
  assert.doesNotMatch(await namespaces(), new RegExp(`kt-e-${id}`));
});

Deno.test({
  name: "netns: bridged clients reach the server; cleanup runs when the body throws",
  ignore: skip !== undefined,
}, async () => {
  let id = "";
  await assert.rejects(
    withTopology({ clients: 2 }, async (t) => {
      id = t.id;
      assert.equal(t.clients.length, 2);
      await using _listener = await tcpListener(t.server, [2222]);
      for (const c of t.clients) {
        assert.equal(await tcpProbe(c.ns, t.serverV4, 2222), "open");
        assert.equal(await tcpProbe(c.ns, t.serverV6, 2222), "open");
      }
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.notEqual(id, "");
  assert.doesNotMatch(await namespaces(), new RegExp(`kt-e-${id}`));
});

Deno.test({
  name: "netns: spawn captures lines, waitForLine/findLine/poll are bounded",
  ignore: skip !== undefined,
}, async () => {
  await withTopology({}, async (t) => {
    await using p = t.server.spawn(["sh", "-c", "echo one; sleep 0.2; echo two; echo err >&2; sleep 30"]);
    assert.equal((await p.waitForLine(/^two$/, 5000)).index, 1);
    assert.equal(await p.findLine(/^three$/, 200), undefined);
    assert.ok(await poll(() => p.errLines.includes("err"), 2000));
    assert.equal(await poll(() => false, 100), false);
    const status = await p.stop(2000);
    assert.equal(status.success, false);
    await assert.rejects(p.waitForLine(/^never$/, 100), /No stdout line matching/);
  });
});
