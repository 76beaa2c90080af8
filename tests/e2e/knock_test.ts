/**
 * End-to-end tests of `knocktool knock` against Debian's real knockd in network namespaces (issue 5,
 * "Proof"): knockd runs in the server namespace (`knockd -v -i VETH -c CONF`), its start_command appends
 * `%IP%` to a file; the client namespace runs `deno run -A cli/main.ts knock ...`. IPv4 and IPv6, a door
 * from `-c --door` with TCP flags (raw knocks), one-time sequences kept in step with knockd, and `--verify`
 * against an nftables-guarded port.
 *
 * Root only (skipped with a printed reason otherwise); namespaces are deleted even on failure; every wait
 * is bounded.
 */
import assert from "node:assert/strict";
import {
  KNOCKTOOL,
  poll,
  type Spawned,
  tcpListener,
  type Topology,
  whySkip,
  withTopology,
} from "./_netns.ts";

const skip = await whySkip(["knockd", "nft", "tcpdump"], "skipping knock e2e tests");
const ignore = skip !== undefined;

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "knocktool-knock-e2e-" });
  await Deno.chmod(path, 0o755);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

async function startKnockd(t: Topology, conf: string): Promise<Spawned> {
  const daemon = t.server.spawn(["knockd", "-v", "-i", t.serverIf, "-c", conf]);
  try {
    await daemon.waitForLine(/^listening on /, 10_000);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

async function knocktool(
  t: Topology,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return await t.clients[0]!.ns.exec([...KNOCKTOOL, "knock", ...args], { check: false, timeoutMs: 30_000 });
}

async function opened(file: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(file)).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

for (const family of ["IPv4", "IPv6"] as const) {
  Deno.test(
    { name: `knock e2e (${family}): knocktool knock opens a door on the real knockd`, ignore },
    async () => {
      await using dir = await tempDir();
      const conf = `${dir.path}/knockd.conf`;
      const log = `${dir.path}/opened`;
      await Deno.writeTextFile(
        conf,
        `[options]\n[openSSH]\n  sequence = 7000,8000:udp,9000\n  seq_timeout = 10\n  tcpflags = syn\n` +
          `  start_command = echo %IP% >> ${log}\n`,
      );
      await withTopology({}, async (t) => {
        await using daemon = await startKnockd(t, conf);
        const v6 = family === "IPv6";
        const host = v6 ? t.serverV6 : t.serverV4;
        const client = v6 ? t.clients[0]!.v6 : t.clients[0]!.v4;
        const r = await knocktool(t, ["-v", v6 ? "-6" : "-4", "-d", "50", host, "7000", "8000:UDP", "9000"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
          r.stdout,
          `hitting tcp ${host}:7000\nhitting udp ${host}:8000\nhitting tcp ${host}:9000\n`,
        );
        await daemon.waitForLine(
          new RegExp(`${client.replaceAll(".", "\\.")}: openSSH: OPEN SESAME`),
          10_000,
        );
        assert.ok(await poll(async () => (await opened(log)).includes(client), 5000), "start_command ran");
        assert.equal(daemon.lines.filter((l) => /Stage 1/.test(l)).length, 1, daemon.output());
      });
    },
  );
}

Deno.test(
  { name: "knock e2e: -c --door with tcpflags=fin,!ack sends raw FIN knocks knockd accepts", ignore },
  async () => {
    await using dir = await tempDir();
    const conf = `${dir.path}/knockd.conf`;
    const log = `${dir.path}/opened`;
    await Deno.writeTextFile(
      conf,
      `[options]\n[finDoor]\n  sequence = 7100,7200,7300\n  seq_timeout = 10\n  tcpflags = fin,!ack\n` +
        `  start_command = echo %IP% >> ${log}\n`,
    );
    await withTopology({}, async (t) => {
      await using daemon = await startKnockd(t, conf);
      // A plain SYN knock does not satisfy the door ...
      const plain = await knocktool(t, [t.serverV4, "7100", "7200", "7300"]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(await daemon.findLine(/OPEN SESAME/, 1500), undefined, daemon.output());
      // ... the door's own flags, taken from the config, do.
      const r = await knocktool(t, ["-v", "-c", conf, "--door", "finDoor", t.serverV4]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /hitting tcp \S+:7100 \(fin\)/);
      await daemon.waitForLine(/finDoor: OPEN SESAME/, 10_000);
      assert.ok(await poll(async () => (await opened(log)).includes(t.clients[0]!.v4), 5000));
    });
  },
);

Deno.test(
  { name: "knock e2e: one-time sequences stay in step with knockd (client copy advanced)", ignore },
  async () => {
    await using dir = await tempDir();
    const conf = `${dir.path}/knockd.conf`;
    const log = `${dir.path}/opened`;
    const lines = " 7401,7402,7403\n 7501,7502:udp,7503\n 7601,7602,7603\n";
    await Deno.writeTextFile(`${dir.path}/server_otp`, lines);
    await Deno.writeTextFile(`${dir.path}/client_otp`, lines);
    await Deno.writeTextFile(
      conf,
      `[options]\n[otp]\n  one_time_sequences = ${dir.path}/server_otp\n  seq_timeout = 10\n` +
        `  start_command = echo %IP% >> ${log}\n`,
    );
    await withTopology({}, async (t) => {
      await using daemon = await startKnockd(t, conf);
      for (let round = 1; round <= 2; round++) {
        const r = await knocktool(t, [
          "-c",
          conf,
          "--door",
          "otp",
          "--otp-file",
          `${dir.path}/client_otp`,
          t.serverV4,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(
          await poll(async () => (await opened(log)).length === round, 10_000),
          `round ${round} opened\n${daemon.output()}`,
        );
      }
      const client = await Deno.readTextFile(`${dir.path}/client_otp`);
      assert.equal(client, "#7401,7402,7403\n#7501,7502:udp,7503\n 7601,7602,7603\n");
      // knockd marked the same lines on its side.
      assert.equal(await Deno.readTextFile(`${dir.path}/server_otp`), client);
    });
  },
);

Deno.test({
  name: "knock e2e: --verify reports the guarded port open after the knock, and not without it",
  ignore,
}, async () => {
  await using dir = await tempDir();
  const conf = `${dir.path}/knockd.conf`;
  await Deno.writeTextFile(
    conf,
    `[options]\n[ssh]\n  sequence = 7000,8000,9000\n  seq_timeout = 10\n  tcpflags = syn\n` +
      `  start_command = nft add element inet kt allowed4 { %IP% }\n`,
  );
  await withTopology({}, async (t) => {
    await t.server.exec(["nft", "-f", "-"], {
      stdin: `table inet kt {
  set allowed4 { type ipv4_addr; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 2222 ip saddr @allowed4 accept
    tcp dport 2222 drop
  }
}
`,
    });
    await using _listener = await tcpListener(t.server, [2222]);
    await using daemon = await startKnockd(t, conf);
    // A knock on a port of no door (knockd never sees it): the port stays closed.
    const wrong = await knocktool(t, ["--verify", "2222", "--wait", "2", t.serverV4, "6000"]);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.equal(wrong.stdout, `${t.serverV4}:2222 did not open within 2 s (last attempt: no answer)\n`);
    const right = await knocktool(t, [
      "--verify",
      "2222",
      "--wait",
      "10",
      t.serverV4,
      "7000",
      "8000",
      "9000",
    ]);
    assert.equal(right.code, 0, `${right.stdout}${right.stderr}\n${daemon.output()}`);
    assert.match(
      right.stdout,
      new RegExp(`^${t.serverV4.replaceAll(".", "\\.")}:2222 is open \\(after \\d+\\.\\d s\\)\\n$`),
    );
  });
});

Deno.test({
  name: "knock e2e: the wire format is knock's (one SYN with kernel options, a 1-byte 0x00 datagram)",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    const client = t.clients[0]!.v4;
    const dump = t.server.spawn([
      "tcpdump",
      "-vv",
      "-n",
      "-l",
      "-x",
      "-i",
      t.serverIf,
      `src host ${client} and (tcp or udp)`,
    ]);
    try {
      assert.ok(await poll(() => dump.errLines.some((l) => /listening on/.test(l)), 10_000), dump.output());
      const r = await knocktool(t, [t.serverV4, "7000", "8000:udp"]);
      assert.equal(r.code, 0, r.stderr);
      // Long enough for a SYN retransmission (1 s) to show up if the connect were not closed at once.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await dump.stop();
    }
    const out = dump.lines.join("\n");
    // Kernel-built packets show "cksum ... (incorrect -> ...)" on a veth (checksum offload): not checked here.
    const packets = out.split(/\n(?=\d\d:\d\d:\d\d\.)/);
    assert.equal(packets.length, 2, out);
    assert.match(packets[0]!, /flags \[DF\], proto TCP \(6\), length 60\)/);
    assert.match(
      packets[0]!,
      /> [\d.]+\.7000: Flags \[S\], cksum 0x[0-9a-f]{4} \([^)]*\), seq \d+, win \d+, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale \d+\], length 0/,
    );
    assert.match(
      packets[1]!,
      /> [\d.]+\.8000: .*UDP, length 1\n\s+0x0000: {2}4500 001d [0-9a-f ]+\n\s+0x0010: {2}(?:[0-9a-f]{4} ){6}00\s*$/,
    );
  });
});
