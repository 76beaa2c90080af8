/**
 * nftables doors and the sets they need, end to end with the real kernel and libnftables: serve refuses to
 * start without its sets and prints the nft commands that create them (run as printed, serve then starts);
 * `lint --check-firewall` says the same; a reload to another set name moves new openings there, and a reload
 * to a missing set is refused with the old config kept; with only nftables doors serve runs as an ordinary
 * user with CAP_NET_ADMIN and CAP_NET_RAW and nothing else, and starts no process (no shell).
 *
 * Root only (skipped with a printed reason otherwise).
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, REPO_ROOT, run, type Topology, whySkip, withTopology } from "./_netns.ts";
import { elements, knock, NFT_RULES, nftConfig, SSH, startServe, until } from "./_nft.ts";

const skip = await whySkip(["knock", "nft", "setpriv"], "skipping nftables config e2e tests");
const ignore = skip !== undefined;

Deno.test({
  name: "nft: a missing table refuses to start, printing the nft commands; run as printed, serve starts",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 1 }, async (t) => {
      const conf = `${dir}/knockd.conf`;
      await Deno.writeTextFile(conf, nftConfig());
      const serve = await t.server.exec([
        ...KNOCKTOOL,
        "serve",
        "-c",
        conf,
        "-i",
        t.serverIf,
        "--state-dir",
        `${dir}/s`,
      ], {
        check: false,
        timeoutMs: 30_000,
      });
      assert.equal(serve.code, 1, serve.stdout + serve.stderr);
      assert.equal(serve.stdout, "");
      assert.deepEqual(serve.stderr.split("\n"), [
        `${conf}:5:17: error[KT301]: Door "ssh" adds to nftables set inet kt a4, but table inet kt does not exist`,
        `${conf}:6:17: error[KT301]: Door "ssh" adds to nftables set inet kt a6, but table inet kt does not exist`,
        `${conf}:12:17: error[KT301]: Door "web" adds to nftables set inet kt p4, but table inet kt does not exist`,
        "these nft commands create the sets the doors need:",
        "  nft add table inet kt",
        "  nft add set inet kt a4 '{ type ipv4_addr; flags timeout; }'",
        "  nft add set inet kt a6 '{ type ipv6_addr; flags timeout; }'",
        "  nft add set inet kt p4 '{ type ipv4_addr . inet_service; flags timeout; }'",
        "",
      ]);
      // lint --check-firewall finds the same, with the commands in its messages.
      const lint = await t.server.exec([...KNOCKTOOL, "lint", "--check-firewall", "-f", "json", conf], {
        check: false,
      });
      assert.equal(lint.code, 1, lint.stderr);
      const found = JSON.parse(lint.stdout).diagnostics.filter((d: { code: string }) =>
        d.code.startsWith("KT3")
      );
      assert.deepEqual(found.map((d: { code: string; line: number }) => [d.code, d.line]), [
        ["KT301", 5],
        ["KT301", 6],
        ["KT301", 12],
      ]);
      assert.match(found[0].message, /; create them with: nft add table inet kt; nft add set inet kt a4 /);
      // The commands as printed, through a shell, create what serve needs.
      for (const line of serve.stderr.split("\n").filter((l) => l.startsWith("  nft "))) {
        await t.server.exec(["sh", "-c", line.trim()]);
      }
      const clean = await t.server.exec([...KNOCKTOOL, "lint", "--check-firewall", "-f", "json", conf], {
        check: false,
      });
      assert.deepEqual(
        JSON.parse(clean.stdout).diagnostics.filter((d: { code: string }) => d.code.startsWith("KT3")),
        [],
      );
      await using daemon = await startServe(t, conf, `${dir}/s`);
      await knock(t, 0, SSH);
      assert.ok(await until(t, "a4", t.clients[0]!.v4, true, 5000) !== undefined, daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "nft: a reload with another set name moves openings there; a reload to a missing set keeps the old config",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-nft-" });
  try {
    await withTopology({ clients: 3 }, async (t) => {
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      const conf = `${dir}/knockd.conf`;
      await Deno.writeTextFile(conf, nftConfig("a4"));
      await using daemon = await startServe(t, conf, `${dir}/s`);
      await knock(t, 0, SSH);
      assert.ok(await until(t, "a4", t.clients[0]!.v4, true, 5000) !== undefined, daemon.output());

      await Deno.writeTextFile(conf, nftConfig("b4"));
      let from = daemon.lines.length;
      daemon.signal("SIGHUP");
      await daemon.waitForLine(/^re-reading config file: /, 5000, from);
      await knock(t, 1, SSH);
      await daemon.waitForLine(
        new RegExp(`^ssh: nft: adding ${t.clients[1]!.v4} to inet kt b4, `),
        5000,
        from,
      );
      assert.deepEqual((await elements(t, "b4")).map((e) => e.value), [t.clients[1]!.v4]);
      assert.ok(!(await elements(t, "a4")).some((e) => e.value === t.clients[1]!.v4), "not in the old set");

      await Deno.writeTextFile(conf, nftConfig("c4"));
      from = daemon.lines.length;
      daemon.signal("SIGHUP");
      await daemon.waitForLine(
        /: error\[KT301\]: Door "ssh" adds to nftables set inet kt c4, which does not exist$/,
        5000,
        from,
      );
      await daemon.waitForLine(
        /^ {2}nft add set inet kt c4 '\{ type ipv4_addr; flags timeout; \}'$/,
        5000,
        from,
      );
      await daemon.waitForLine(/: keeping the old configuration$/, 5000, from);
      await knock(t, 2, SSH);
      assert.ok(await until(t, "b4", t.clients[2]!.v4, true, 5000) !== undefined, daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A copy of this deno and the bundled CLI, both readable by anyone (the deno in use may be under /root). */
async function portableKnocktool(dir: string): Promise<string[]> {
  const deno = `${dir}/deno`;
  await Deno.copyFile(Deno.execPath(), deno);
  await Deno.chmod(deno, 0o755);
  const bundle = `${dir}/knocktool.js`;
  await run([Deno.execPath(), "run", "-A", `${REPO_ROOT}tools/bundle.ts`, bundle], { timeoutMs: 120_000 });
  await Deno.chmod(bundle, 0o644);
  return [deno, "run", "-A", "--no-prompt", "--no-config", bundle];
}

/** The capability sets and uid of a process, from /proc. */
async function credentials(t: Topology, pid: string): Promise<Record<string, string>> {
  const status = (await t.server.exec(["cat", `/proc/${pid}/status`])).stdout;
  const fields: Record<string, string> = {};
  for (const m of status.matchAll(/^(Uid|Cap\w+):\s+(.*)$/gm)) fields[m[1]!] = m[2]!.trim();
  return fields;
}

Deno.test({
  name:
    "nft: serve as nobody with only CAP_NET_ADMIN + CAP_NET_RAW opens an nftables door and starts no process",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-caps-" });
  try {
    await Deno.chmod(dir, 0o755);
    const cli = await portableKnocktool(dir);
    await withTopology({ clients: 1 }, async (t) => {
      await t.server.exec(["nft", "-f", "-"], { stdin: NFT_RULES });
      const conf = `${dir}/knockd.conf`;
      await Deno.writeTextFile(conf, nftConfig());
      await Deno.chmod(conf, 0o644);
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.chown(home, 65534, 65534);
      const prefix = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all,+net_admin,+net_raw",
        "--ambient-caps=-all,+net_admin,+net_raw",
        "--bounding-set=-all,+net_admin,+net_raw",
        "env",
        `HOME=${home}`,
        `DENO_DIR=${home}/deno`,
        ...cli,
      ];
      await using daemon = await startServe(t, conf, `${home}/state`, prefix);
      const pid = String(daemon.child.pid);
      const creds = await credentials(t, pid);
      assert.match(creds.Uid ?? "", /^65534\s+65534\s+65534\s+65534$/, JSON.stringify(creds));
      // CAP_NET_ADMIN is 12, CAP_NET_RAW 13: exactly those two, effective and bounding.
      assert.equal(creds.CapEff, "0000000000003000", JSON.stringify(creds));
      assert.equal(creds.CapBnd, "0000000000003000", JSON.stringify(creds));
      await knock(t, 0, SSH);
      assert.ok(await until(t, "a4", t.clients[0]!.v4, true, 5000) !== undefined, daemon.output());
      const children = await t.server.exec(["sh", "-c", `cat /proc/${pid}/task/*/children`]);
      assert.equal(children.stdout.trim(), "", "serve started a process");
      assert.ok(!/error/i.test(daemon.errLines.join("\n")), daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
