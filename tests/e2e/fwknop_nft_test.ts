/**
 * The fwknop door in nftables end to end (issue 15: a stanza without CMD_CYCLE_OPEN, as most fwknopd
 * access.conf files are), in namespaces with Debian's real `fwknop` client, the real kernel and libnftables:
 * `serve --fwknop-access access.conf --fwknop-nft-set 'inet kt f4'` adds the allow address to the set with
 * the stanza's FW_ACCESS_TIMEOUT as element timeout (read back with `nft -j list set`), the guarded port
 * answers the client and not another host, and with serve killed by SIGKILL the kernel still removes the
 * element on time. Per port (`--fwknop-nft-per-port`) the element is `ADDRESS . PORT` with the client's -f
 * timeout capped by MAX_FW_TIMEOUT; a missing set refuses the start with the `nft` command that creates it,
 * and on SIGHUP keeps the old access.conf until the set exists.
 *
 * Root only (skipped with a printed reason otherwise). Namespaces are deleted even on failure; every wait is
 * bounded.
 */
import assert from "node:assert/strict";
import { testKeys } from "../core/fwknop/_capture.ts";
import { KNOCKTOOL, type Netns, startServe, tcpListener, tcpProbe, whySkip, withTopology } from "./_netns.ts";
import { elements, until } from "./_nft.ts";

const skip = await whySkip(["fwknop", "nft"], "skipping fwknop nftables e2e tests");
const ignore = skip !== undefined;
const keys = testKeys();
const TIMEOUT_S = 3;
const KEY_ARGS = ["--key-base64-rijndael", keys.keyBase64, "--key-base64-hmac", keys.hmacKeyBase64];

/** The server's ruleset: tcp/22 for the addresses in `f4`, tcp/443 for `ADDRESS . 443` in `fp4`. */
const RULES = `
table inet kt {
  set f4 { type ipv4_addr; flags timeout; }
  set fp4 { type ipv4_addr . inet_service; flags timeout; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 ip saddr @f4 accept
    tcp dport 22 drop
    ip saddr . tcp dport @fp4 accept
    tcp dport 443 drop
  }
}
`;

/** A stanza as fwknopd users write it: no CMD_CYCLE_OPEN, fwknopd adds a firewall rule. */
function accessConf(extra = ""): string {
  return `SOURCE ANY
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22, tcp/443
FW_ACCESS_TIMEOUT ${TIMEOUT_S}
${extra}`;
}

async function fwknop(ns: Netns, home: string, server: string, args: readonly string[]): Promise<string> {
  const r = await ns.exec([
    "env",
    `HOME=${home}`,
    "fwknop",
    "--rc-file",
    `${home}/fwknoprc`,
    "--no-save-args",
    "--use-hmac",
    "-D",
    server,
    ...KEY_ARGS,
    ...args,
  ], { timeoutMs: 10_000 });
  return r.stdout + r.stderr;
}

async function setUp(dir: string, extra = ""): Promise<{ access: string; digests: string; home: string }> {
  const access = `${dir}/access.conf`;
  await Deno.writeTextFile(access, accessConf(extra));
  const home = `${dir}/home`;
  await Deno.mkdir(home, { recursive: true });
  return { access, digests: `${dir}/digests`, home };
}

Deno.test({
  name:
    "fwknop nft e2e: a stanza without CMD_CYCLE_OPEN opens in the set with FW_ACCESS_TIMEOUT, for the client only; after kill -9 it still expires",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-nft-" });
  try {
    const { access, digests, home } = await setUp(dir);
    await withTopology({ clients: 2 }, async (t) => {
      const [client, other] = [t.clients[0]!, t.clients[1]!];
      await t.server.exec(["nft", "-f", "-"], { stdin: RULES });
      await using _listener = await tcpListener(t.server, [22]);
      const daemon = await startServe(t.server, [
        "--fwknop-access",
        access,
        "--fwknop-digest-file",
        digests,
        "--fwknop-nft-set",
        "inet kt f4",
        "-i",
        t.serverIf,
      ]);
      try {
        assert.equal(
          await tcpProbe(client.ns, t.serverV4, 22, { timeoutMs: 700 }),
          "timeout",
          "closed before",
        );
        const said = await fwknop(client.ns, home, t.serverV4, ["-A", "tcp/22", "-a", client.v4]);
        await daemon.waitForLine(
          new RegExp(`^fwknop: nft: adding ${client.v4} to inet kt f4, timeout ${TIMEOUT_S} s$`),
          10_000,
        ).catch((e) => {
          throw new Error(`${e}\nclient: ${said}\n${daemon.output()}`);
        });
        const added = Date.now();
        const [element, ...rest] = await elements(t, "f4");
        assert.deepEqual(rest, []);
        assert.equal(element?.value, client.v4);
        assert.equal(element?.timeout, TIMEOUT_S, "the element's timeout, as the kernel holds it");
        assert.ok(!daemon.lines.some((l) => /running command/.test(l)), daemon.output());
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

        daemon.signal("SIGKILL");
        const status = await daemon.waitForExit(10_000);
        assert.equal(status?.signal, "SIGKILL", daemon.output());
        const gone = await until(t, "f4", client.v4, false, (TIMEOUT_S + 3) * 1000);
        assert.ok(gone !== undefined, "the element outlived its timeout without the daemon");
        const after = gone - added;
        assert.ok(
          after >= (TIMEOUT_S - 1) * 1000 && after <= (TIMEOUT_S + 1.5) * 1000,
          `expired ${after} ms after the opening`,
        );
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

Deno.test({
  name:
    "fwknop nft e2e: per port, ADDRESS . 443 with the client's -f capped by MAX_FW_TIMEOUT; a missing set refuses the start with its nft command",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-nft-" });
  try {
    const { access, digests, home } = await setUp(dir, `MAX_FW_TIMEOUT ${TIMEOUT_S + 1}\n`);
    await withTopology({ clients: 2 }, async (t) => {
      const [client, other] = [t.clients[0]!, t.clients[1]!];
      const args = (set: string) => [
        "--fwknop-access",
        access,
        "--fwknop-digest-file",
        digests,
        "--fwknop-nft-set",
        `inet kt ${set}`,
        "--fwknop-nft-per-port",
        "-i",
        t.serverIf,
      ];
      const refused = await t.server.exec([...KNOCKTOOL, "serve", ...args("fp4")], {
        check: false,
        timeoutMs: 20_000,
      });
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(
        refused.stderr,
        /--fwknop-nft-set: error\[KT301\]: .*inet kt fp4, but table inet kt does not exist/,
      );
      assert.match(
        refused.stderr,
        /nft add set inet kt fp4 '\{ type ipv4_addr \. inet_service; flags timeout; \}'/,
      );

      await t.server.exec(["nft", "-f", "-"], { stdin: RULES });
      await using _listener = await tcpListener(t.server, [443]);
      await using daemon = await startServe(t.server, args("fp4"));
      const said = await fwknop(client.ns, home, t.serverV4, ["-A", "tcp/443", "-a", client.v4, "-f", "60"]);
      const value = `${client.v4} . 443`;
      assert.ok(
        await until(t, "fp4", value, true, 10_000) !== undefined,
        `client: ${said}\n${daemon.output()}`,
      );
      const added = Date.now();
      const [element] = await elements(t, "fp4");
      assert.deepEqual([element?.value, element?.timeout], [value, TIMEOUT_S + 1]);
      assert.equal(await tcpProbe(client.ns, t.serverV4, 443, { timeoutMs: 700 }), "open");
      assert.equal(await tcpProbe(other.ns, t.serverV4, 443, { timeoutMs: 700 }), "timeout");
      const gone = await until(t, "fp4", value, false, (TIMEOUT_S + 4) * 1000);
      assert.ok(gone !== undefined && gone - added <= (TIMEOUT_S + 2.5) * 1000, "expired on time");
      assert.equal(await tcpProbe(client.ns, t.serverV4, 443, { timeoutMs: 700 }), "timeout");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "fwknop nft e2e: SIGHUP to a stanza without CMD_CYCLE_OPEN whose set is missing keeps the old file; once created, it applies and opens",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-nft-" });
  try {
    const withCommand = `CMD_CYCLE_OPEN touch ${dir}/ran-$SRC\nCMD_CYCLE_CLOSE NONE\n`;
    const { access, digests, home } = await setUp(dir, withCommand);
    await withTopology({}, async (t) => {
      const client = t.clients[0]!;
      // No set yet: the CMD_CYCLE stanza needs none, so serve starts.
      await using daemon = await startServe(t.server, [
        "--fwknop-access",
        access,
        "--fwknop-digest-file",
        digests,
        "--fwknop-nft-set",
        "inet kt f4",
        "-i",
        t.serverIf,
      ]);
      await Deno.writeTextFile(access, accessConf());
      let mark = daemon.lines.length;
      daemon.signal("SIGHUP");
      await daemon.waitForLine(
        /^--fwknop-nft-set: error\[KT301\]: Door "fwknop" adds to nftables set inet kt f4, but table inet kt does not exist$/,
        10_000,
        mark,
      );
      await daemon.waitForLine(
        /^ {2}nft add set inet kt f4 '\{ type ipv4_addr; flags timeout; \}'$/,
        10_000,
        mark,
      );
      await daemon.waitForLine(/keeping the old configuration$/, 10_000, mark);
      // The old stanza still runs its command.
      mark = daemon.lines.length;
      await fwknop(client.ns, home, t.serverV4, ["-A", "tcp/22", "-a", client.v4]);
      await daemon.waitForLine(/^fwknop: running command: touch /, 10_000, mark);

      await t.server.exec(["nft", "-f", "-"], { stdin: RULES });
      mark = daemon.lines.length;
      daemon.signal("SIGHUP");
      await daemon.waitForLine(/^re-reading config file/, 10_000, mark);
      await fwknop(client.ns, home, t.serverV4, ["-A", "tcp/22", "-a", client.v4]);
      await daemon.waitForLine(
        new RegExp(`^fwknop: nft: adding ${client.v4} to inet kt f4, timeout ${TIMEOUT_S} s$`),
        10_000,
        mark,
      );
      assert.ok(await until(t, "f4", client.v4, true, 5000) !== undefined, daemon.output());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
