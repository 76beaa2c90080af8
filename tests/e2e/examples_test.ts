/**
 * The shipped examples work together: `examples/nftables.conf` loaded in a server namespace, `knocktool serve
 * -c examples/knockd.conf -i VETH`, a client knocking the example sequence with Debian's `knock` over IPv4
 * and IPv6 gets SSH (port 22) — and only then; after SIGTERM the pending stop commands have emptied the sets.
 * The same rules with `examples/knocktool.conf` (nftables doors): the address is added with its Nft_Timeout
 * (IPv4, IPv6, and `ADDRESS . 443` for the per-port door), and stays after SIGTERM until the kernel expires it.
 * And `examples/spa.conf` (an SPA door into the same sets), its key files written where it names them (in
 * a temporary directory): `knocktool knock --spa` over IPv4 and IPv6 adds the client, and only it.
 * Root only (skipped with a printed reason otherwise).
 */
import assert from "node:assert/strict";
import {
  formatBundle,
  formatServerKey,
  formatUserKey,
  publicKeyOf,
  toBase64Url,
} from "../../core/spa/mod.ts";
import { KNOCKTOOL, poll, REPO_ROOT, tcpListener, tcpProbe, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["knock", "nft"], "skipping examples e2e test");

Deno.test({
  name:
    "examples: nftables.conf + knockd.conf open SSH for the knocking client (IPv4 and IPv6), closed after SIGTERM",
  ignore: skip !== undefined,
}, async () => {
  const sequence = (await Deno.readTextFile(`${REPO_ROOT}examples/knockd.conf`)).match(
    /^\s*Sequence\s*=\s*(\S+)/m,
  )?.[1];
  assert.ok(sequence !== undefined, "examples/knockd.conf has a Sequence");
  await withTopology({ clients: 2 }, async (t) => {
    const [knocker, other] = [t.clients[0]!, t.clients[1]!];
    await t.server.exec(["nft", "-f", `${REPO_ROOT}examples/nftables.conf`]);
    await using _ssh = await tcpListener(t.server, [22]);
    const daemon = t.server.spawn([
      ...KNOCKTOOL,
      "serve",
      "-c",
      `${REPO_ROOT}examples/knockd.conf`,
      "-i",
      t.serverIf,
      "-v",
    ]);
    try {
      await daemon.waitForLine(/^starting up, listening on /, 20_000);
      for (
        const [server, src, flag] of [[t.serverV4, knocker.v4, "-4"], [t.serverV6, knocker.v6, "-6"]] as const
      ) {
        assert.equal(
          await tcpProbe(knocker.ns, server, 22, { timeoutMs: 700 }),
          "timeout",
          "closed before knocking",
        );
        await knocker.ns.exec(["knock", flag, server, ...sequence.split(",")], { timeoutMs: 10_000 });
        await daemon.waitForLine(new RegExp(`^${src}: openSSH: OPEN SESAME$`), 5000);
        assert.ok(
          await poll(
            async () => (await tcpProbe(knocker.ns, server, 22, { timeoutMs: 700 })) === "open",
            3000,
          ),
          daemon.output(),
        );
        assert.equal(
          await tcpProbe(other.ns, server, 22, { timeoutMs: 700 }),
          "timeout",
          "closed for others",
        );
      }
      daemon.signal("SIGTERM");
      const status = await daemon.waitForExit(15_000);
      assert.equal(status?.code, 0, daemon.output());
      for (const set of ["knock_ssh4", "knock_ssh6"]) {
        const listed = (await t.server.exec(["nft", "list", "set", "inet", "filter", set])).stdout;
        assert.ok(
          !listed.includes(knocker.v4) && !listed.includes(knocker.v6),
          `${set} still open:\n${listed}`,
        );
      }
      assert.equal(
        await tcpProbe(knocker.ns, t.serverV4, 22, { timeoutMs: 700 }),
        "timeout",
        "closed after shutdown",
      );
    } finally {
      await daemon.stop();
    }
  });
});

Deno.test({
  name:
    "examples: nftables.conf + knocktool.conf: the knocking client's address is added with Nft_Timeout (IPv4, IPv6, per port); a stop closes nothing early",
  ignore: skip !== undefined,
}, async () => {
  const text = await Deno.readTextFile(`${REPO_ROOT}examples/knocktool.conf`);
  const sequences = [...text.matchAll(/^\s*Sequence\s*=\s*(\S+)/gm)].map((m) => m[1]!.split(","));
  const timeout = Number(text.match(/^\s*Nft_Timeout\s*=\s*(\d+)\s*$/m)?.[1]);
  assert.equal(sequences.length, 2, "examples/knocktool.conf has two doors");
  assert.ok(timeout > 0, "openSSH has Nft_Timeout in seconds");
  const [ssh, web] = sequences as [string[], string[]];
  await withTopology({ clients: 2 }, async (t) => {
    const [knocker, other] = [t.clients[0]!, t.clients[1]!];
    await t.server.exec(["nft", "-f", `${REPO_ROOT}examples/nftables.conf`]);
    await using _listeners = await tcpListener(t.server, [22, 443]);
    const state = await Deno.makeTempDir({ prefix: "knocktool-examples-" });
    const daemon = t.server.spawn([
      ...KNOCKTOOL,
      "serve",
      "-c",
      `${REPO_ROOT}examples/knocktool.conf`,
      "-i",
      t.serverIf,
      "-v",
      "--state-dir",
      state,
    ]);
    const listed = async (set: string) =>
      (await t.server.exec(["nft", "-j", "list", "set", "inet", "filter", set])).stdout;
    try {
      await daemon.waitForLine(/^starting up, listening on /, 20_000);
      for (
        const [server, src, flag, set] of [
          [t.serverV4, knocker.v4, "-4", "knock_ssh4"],
          [t.serverV6, knocker.v6, "-6", "knock_ssh6"],
        ] as const
      ) {
        assert.equal(await tcpProbe(knocker.ns, server, 22, { timeoutMs: 700 }), "timeout", "closed before");
        await knocker.ns.exec(["knock", flag, server, ...ssh], { timeoutMs: 10_000 });
        await daemon.waitForLine(new RegExp(`^openSSH: nft: adding ${src} to inet filter ${set}, `), 5000);
        assert.match(await listed(set), new RegExp(`"val": "${src}", "timeout": ${timeout},`));
        assert.equal(await tcpProbe(knocker.ns, server, 22, { timeoutMs: 700 }), "open");
        assert.equal(
          await tcpProbe(other.ns, server, 22, { timeoutMs: 700 }),
          "timeout",
          "closed for others",
        );
      }
      assert.equal(await tcpProbe(knocker.ns, t.serverV4, 443, { timeoutMs: 700 }), "timeout");
      await knocker.ns.exec(["knock", "-4", t.serverV4, ...web], { timeoutMs: 10_000 });
      await daemon.waitForLine(
        new RegExp(`^openWeb: nft: adding ${knocker.v4} \\. 443 to inet filter knock_web4, `),
        5000,
      );
      assert.equal(await tcpProbe(knocker.ns, t.serverV4, 443, { timeoutMs: 700 }), "open");
      assert.equal(await tcpProbe(other.ns, t.serverV4, 443, { timeoutMs: 700 }), "timeout");
      daemon.signal("SIGTERM");
      assert.equal((await daemon.waitForExit(15_000))?.code, 0, daemon.output());
      // The kernel keeps each opening until its timeout, whatever happens to the daemon.
      assert.match(await listed("knock_ssh4"), new RegExp(`"val": "${knocker.v4}"`));
      assert.equal(await tcpProbe(knocker.ns, t.serverV4, 22, { timeoutMs: 700 }), "open");
    } finally {
      await daemon.stop();
      await Deno.remove(state, { recursive: true });
    }
  });
});

Deno.test({
  name:
    "examples: nftables.conf + spa.conf: knock --spa adds the client's address with Nft_Timeout (IPv4, IPv6), no one else's",
  ignore: skip !== undefined,
}, async () => {
  const example = await Deno.readTextFile(`${REPO_ROOT}examples/spa.conf`);
  const port = Number(example.match(/^\s*SPA_Port\s*=\s*(\d+)\s*$/m)?.[1]);
  const door = example.match(/^\[(\w+)\]\s*\n\s*SPA_Port/m)?.[1];
  const timeout = Number(example.match(/^\s*Nft_Timeout\s*=\s*(\d+)\s*$/m)?.[1]);
  assert.ok(
    port > 0 && door !== undefined && timeout > 0,
    "examples/spa.conf has an SPA door with Nft_Timeout",
  );
  const dir = await Deno.makeTempDir({ prefix: "knocktool-examples-spa-" });
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const server = { privateKey: random(32), mac1: random(32) };
  const alice = random(32);
  await Deno.writeTextFile(`${dir}/server.key`, formatServerKey(server));
  await Deno.chmod(`${dir}/server.key`, 0o600);
  await Deno.writeTextFile(`${dir}/users`, `alice ${toBase64Url(publicKeyOf("ed25519", alice))}\n`);
  await Deno.writeTextFile(`${dir}/alice.key`, formatUserKey({ name: "alice", privateKey: alice }));
  await Deno.chmod(`${dir}/alice.key`, 0o600);
  await Deno.writeTextFile(
    `${dir}/spa.conf`,
    example.replaceAll("/etc/knocktool/", `${dir}/`).replaceAll("/var/lib/knocktool/", `${dir}/`),
  );
  await withTopology({ clients: 2 }, async (t) => {
    const [knocker, other] = [t.clients[0]!, t.clients[1]!];
    await t.server.exec(["nft", "-f", `${REPO_ROOT}examples/nftables.conf`]);
    await using _ssh = await tcpListener(t.server, [22]);
    const daemon = t.server.spawn([...KNOCKTOOL, "serve", "-c", `${dir}/spa.conf`, "-i", t.serverIf, "-v"]);
    const listed = async (set: string) =>
      (await t.server.exec(["nft", "-j", "list", "set", "inet", "filter", set])).stdout;
    try {
      await daemon.waitForLine(/^starting up, listening on /, 20_000);
      for (
        const [host, src, set] of [
          [t.serverV4, knocker.v4, "knock_ssh4"],
          [t.serverV6, knocker.v6, "knock_ssh6"],
        ] as const
      ) {
        assert.equal(await tcpProbe(knocker.ns, host, 22, { timeoutMs: 700 }), "timeout", "closed before");
        const uri = formatBundle({
          host,
          port,
          door,
          serverPublic: publicKeyOf("x25519", server.privateKey),
          mac1: server.mac1,
        });
        const sent = await knocker.ns.exec(
          [...KNOCKTOOL, "knock", "--spa", "-", "--uri", uri, "--user-key", `${dir}/alice.key`],
          { timeoutMs: 30_000 },
        );
        assert.equal(sent.code, 0, sent.stderr);
        await daemon.waitForLine(new RegExp(`^${door}: nft: adding ${src} to inet filter ${set}, `), 5000);
        assert.match(await listed(set), new RegExp(`"val": "${src}", "timeout": ${timeout},`));
        assert.equal(await tcpProbe(knocker.ns, host, 22, { timeoutMs: 700 }), "open");
        assert.equal(await tcpProbe(other.ns, host, 22, { timeoutMs: 700 }), "timeout", "closed for others");
      }
      daemon.signal("SIGTERM");
      assert.equal((await daemon.waitForExit(15_000))?.code, 0, daemon.output());
    } finally {
      await daemon.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
});
