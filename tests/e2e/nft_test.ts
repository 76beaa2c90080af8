/**
 * nftables doors end to end (issue 17), in namespaces with the real kernel, libnftables and Debian's `knock`:
 * a knock adds the client's address to the door's set with the door's timeout (read back from the kernel),
 * the guarded port answers that client and not a third host, and the kernel removes the element on time;
 * a new knock refreshes the timeout; a per-port door adds `ADDRESS . PORT`; IPv6 goes to Nft_Set_6; and with
 * serve killed by SIGKILL while the door is open, the element still disappears on time and the port closes.
 *
 * Root only (skipped with a printed reason otherwise).
 */
import assert from "node:assert/strict";
import { tcpListener, tcpProbe, whySkip, withTopology } from "./_netns.ts";
import { elements, knock, NFT_RULES, nftConfig, SSH, startServe, TIMEOUT_S, until, WEB } from "./_nft.ts";

const skip = await whySkip(["knock", "nft"], "skipping nftables e2e tests");
const ignore = skip !== undefined;

async function setUp(dir: string, text = nftConfig()): Promise<{ conf: string; state: string }> {
  const conf = `${dir}/knockd.conf`;
  await Deno.writeTextFile(conf, text);
  return { conf, state: `${dir}/state` };
}

Deno.test({
  name:
    "nft: a knock adds the address with its timeout; the port opens for it only; the kernel closes it on time",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 2 }, async (t) => {
      const [client, other] = [t.clients[0]!, t.clients[1]!];
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      await using _listener = await tcpListener(t.server, [22, 443]);
      const { conf, state } = await setUp(dir);
      await using daemon = await startServe(t, conf, state);
      assert.equal(await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }), "timeout", "closed before");

      await knock(t, 0, SSH);
      await daemon.waitForLine(
        new RegExp(`^ssh: nft: adding ${client.v4} to inet kt a4, timeout ${TIMEOUT_S} s$`),
        5000,
      );
      const added = Date.now();
      const [element, ...rest] = await elements(t, "a4");
      assert.deepEqual(rest, []);
      assert.equal(element?.value, client.v4);
      assert.equal(element?.timeout, TIMEOUT_S, "the element's timeout, as the kernel holds it");
      assert.ok(
        element!.expires! <= TIMEOUT_S && element!.expires! >= TIMEOUT_S - 1,
        JSON.stringify(element),
      );
      assert.equal(
        await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }),
        "open",
        "open for the client",
      );
      assert.equal(
        await tcpProbe(other.ns, t.serverV4, 22, { timeoutMs: 700 }),
        "timeout",
        "closed for others",
      );

      const gone = await until(t, "a4", client.v4, false, (TIMEOUT_S + 3) * 1000);
      assert.ok(gone !== undefined, "the element expired");
      const after = gone - added;
      assert.ok(
        after >= (TIMEOUT_S - 0.5) * 1000 && after <= (TIMEOUT_S + 1.5) * 1000,
        `expired after ${after} ms`,
      );
      assert.equal(await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }), "timeout", "closed again");
      // serve ran no command for it, and has nothing pending.
      assert.ok(!daemon.lines.some((l) => /running command|command timeout/.test(l)), daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "nft: a knock again refreshes the timeout; a per-port door adds ADDRESS . 443 (Cmd_Timeout as its timeout)",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const client = t.clients[0]!;
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      await using _listener = await tcpListener(t.server, [22, 443]);
      const { conf, state } = await setUp(dir);
      await using daemon = await startServe(t, conf, state);

      await knock(t, 0, SSH);
      assert.ok(await until(t, "a4", client.v4, true, 5000) !== undefined, daemon.output());
      const first = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await knock(t, 0, SSH);
      await daemon.waitForLine(
        /^ssh: nft: adding /,
        5000,
        daemon.lines.findIndex((l) => /^ssh: nft:/.test(l)) + 1,
      );
      const [refreshed] = await elements(t, "a4");
      assert.ok(refreshed !== undefined && refreshed.expires! >= TIMEOUT_S - 1, JSON.stringify(refreshed));
      // Past the first opening's timeout, still there.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, first + TIMEOUT_S * 1000 + 500 - Date.now()))
      );
      assert.ok((await elements(t, "a4")).some((e) => e.value === client.v4), "refreshed, not expired");

      await knock(t, 0, WEB);
      const value = `${client.v4} . 443`;
      assert.ok(await until(t, "p4", value, true, 5000) !== undefined, daemon.output());
      const [perPort] = await elements(t, "p4");
      assert.deepEqual([perPort?.value, perPort?.timeout], [value, TIMEOUT_S]);
      assert.equal(await tcpProbe(client.ns, t.serverV4, 443, { timeoutMs: 700 }), "open");
      assert.ok(await until(t, "p4", value, false, (TIMEOUT_S + 3) * 1000) !== undefined, "expired");
      assert.equal(await tcpProbe(client.ns, t.serverV4, 443, { timeoutMs: 700 }), "timeout");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "nft: IPv6 goes to Nft_Set_6 and opens the port over IPv6",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 2 }, async (t) => {
      const [client, other] = [t.clients[0]!, t.clients[1]!];
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      await using _listener = await tcpListener(t.server, [22]);
      const { conf, state } = await setUp(dir);
      await using daemon = await startServe(t, conf, state);
      assert.equal(await tcpProbe(client.ns, t.serverV6, 22, { timeoutMs: 700 }), "timeout");
      await knock(t, 0, SSH, 6);
      await daemon.waitForLine(
        new RegExp(`^ssh: nft: adding ${client.v6} to inet kt a6, timeout ${TIMEOUT_S} s$`),
        5000,
      );
      const [element] = await elements(t, "a6");
      assert.deepEqual([element?.value, element?.timeout], [client.v6, TIMEOUT_S]);
      assert.deepEqual(await elements(t, "a4"), []);
      assert.equal(await tcpProbe(client.ns, t.serverV6, 22, { timeoutMs: 700 }), "open");
      assert.equal(await tcpProbe(other.ns, t.serverV6, 22, { timeoutMs: 700 }), "timeout");
      assert.ok(await until(t, "a6", client.v6, false, (TIMEOUT_S + 3) * 1000) !== undefined, "expired");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "nft: serve killed with SIGKILL while the door is open: the element still expires on time, the port closes",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const client = t.clients[0]!;
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      await using _listener = await tcpListener(t.server, [22]);
      const { conf, state } = await setUp(dir);
      const daemon = await startServe(t, conf, state);
      try {
        await knock(t, 0, SSH);
        const added = await until(t, "a4", client.v4, true, 5000);
        assert.ok(added !== undefined, daemon.output());
        daemon.signal("SIGKILL");
        const status = await daemon.waitForExit(10_000);
        assert.equal(status?.signal, "SIGKILL", daemon.output());
        assert.equal(
          await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }),
          "open",
          "open after the kill",
        );
        const gone = await until(t, "a4", client.v4, false, (TIMEOUT_S + 3) * 1000);
        assert.ok(gone !== undefined, "the element outlived its timeout without the daemon");
        assert.ok(gone - added <= (TIMEOUT_S + 1.5) * 1000, `expired ${gone - added} ms after the knock`);
        assert.equal(
          await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }),
          "timeout",
          "closed again",
        );
      } finally {
        await daemon.stop();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
