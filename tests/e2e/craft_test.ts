/**
 * End-to-end tests of `knocktool craft` in network namespaces (issue 5, "Proof"): `tcpdump -vv -n` in the
 * server namespace decodes the IPv4 and IPv6 packets that craft sends from the client namespace through its
 * raw socket, with exactly the requested flags, fields, options and "cksum ... (correct)"; a
 * `--bad-checksum` packet shows "incorrect". The source address is left to craft's route lookup.
 *
 * Root only (skipped with a printed reason otherwise); namespaces are deleted even on failure.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, poll, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["tcpdump", "nft", "capsh"], "skipping craft e2e tests");
const ignore = skip !== undefined;

/** Runs tcpdump for `count` packets matching `filter`, runs `send`, and returns tcpdump's decode. */
async function capture(
  t: Topology,
  filter: string,
  count: number,
  send: () => Promise<void>,
): Promise<string> {
  const dump = t.server.spawn(["tcpdump", "-vv", "-n", "-l", "-i", t.serverIf, "-c", String(count), filter]);
  try {
    assert.ok(await poll(() => dump.errLines.some((l) => /listening on/.test(l)), 10_000), dump.output());
    await send();
    const status = await dump.waitForExit(10_000);
    assert.ok(status !== undefined, `tcpdump did not see ${count} packets\n${dump.output()}`);
    return dump.lines.join("\n");
  } finally {
    await dump.stop();
  }
}

async function craft(t: Topology, args: string[]): Promise<void> {
  const r = await t.clients[0]!.ns.exec([...KNOCKTOOL, "craft", ...args], {
    check: false,
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, `craft ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /sent (\d+) of \1 packets/);
}

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test({
  name: "craft e2e (IPv4): tcpdump -vv decodes every requested field with correct checksums",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    const client = t.clients[0]!.v4;
    const server = t.serverV4;
    const out = await capture(t, `src host ${client} and (tcp or udp or icmp)`, 6, async () => {
      await craft(t, [
        "--dst",
        server,
        "--dport",
        "7000",
        "--sport",
        "40001",
        "--flags",
        "fin,psh,urg,!ack",
        "--ttl",
        "33",
        "--tos",
        "0x10",
        "--id",
        "4321",
        "--df",
        "--seq",
        "1000",
        "--window",
        "4096",
        "--urg",
        "7",
        "--tcp-opt",
        "mss=1400,sackok,ts=100:0,nop,wscale=5",
        "--ip-opt",
        "rr=2",
        "--data",
        "knock",
      ]);
      await craft(t, [
        "--dst",
        server,
        "--proto",
        "udp",
        "--dport",
        "8000",
        "--sport",
        "40002",
        "--data-hex",
        "00",
      ]);
      await craft(t, [
        "--dst",
        server,
        "--proto",
        "icmp",
        "--icmp-id",
        "77",
        "--icmp-seq",
        "3",
        "--data",
        "ping",
      ]);
      await craft(t, [
        "--dst",
        server,
        "--dport",
        "9000",
        "--flags",
        "syn",
        "--bad-checksum",
        "--sport",
        "40003",
      ]);
      await craft(t, [
        "--dst",
        server,
        "--sequence",
        "7100:tcp,7200:UDP",
        "--delay",
        "10",
        "--flags",
        "syn,ece,cwr",
      ]);
    });
    const c = esc(client), s = esc(server);
    assert.match(
      out,
      new RegExp(
        `IP \\(tos 0x10, ttl 33, id 4321, offset 0, flags \\[DF\\], proto TCP \\(6\\), length 77, options \\(RR 0\\.0\\.0\\.0 0\\.0\\.0\\.0,EOL\\)\\)\\n` +
          `\\s+${c}\\.40001 > ${s}\\.7000: Flags \\[FPU\\], cksum 0x[0-9a-f]{4} \\(correct\\), seq 1000:1005, win 4096, urg 7, ` +
          `options \\[mss 1400,sackOK,TS val 100 ecr 0,nop,wscale 5\\], length 5`,
      ),
      out,
    );
    assert.match(
      out,
      new RegExp(
        `proto UDP \\(17\\), length 29\\)\\n\\s+${c}\\.40002 > ${s}\\.8000: \\[udp sum ok\\] UDP, length 1`,
      ),
      out,
    );
    assert.match(
      out,
      new RegExp(
        `proto ICMP \\(1\\), length 32\\)\\n\\s+${c} > ${s}: ICMP echo request, id 77, seq 3, length 12`,
      ),
      out,
    );
    assert.match(
      out,
      new RegExp(
        `${c}\\.40003 > ${s}\\.9000: Flags \\[S\\], cksum 0x[0-9a-f]{4} \\(incorrect -> 0x[0-9a-f]{4}\\)`,
      ),
      out,
    );
    assert.match(
      out,
      new RegExp(`${c}\\.\\d+ > ${s}\\.7100: Flags \\[SEW\\], cksum 0x[0-9a-f]{4} \\(correct\\)`),
      out,
    );
    assert.match(out, new RegExp(`${c}\\.\\d+ > ${s}\\.7200: \\[udp sum ok\\] UDP, length 0`), out);
    assert.equal(out.match(/\(correct\)|udp sum ok/g)?.length, 4, out);
  });
});

Deno.test({
  name: "craft e2e (IPv6): tcpdump -vv decodes flow label, class, hop limit, flags and options",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    const client = t.clients[0]!.v6;
    const server = t.serverV6;
    // Only the crafted packets: TCP, UDP and ICMPv6 echo requests (not neighbour discovery).
    const filter = `src host ${client} and (tcp or udp or (icmp6 and ip6[40] == 128))`;
    const out = await capture(t, filter, 4, async () => {
      await craft(t, [
        "--dst",
        server,
        "--dport",
        "7000",
        "--sport",
        "40011",
        "--flags",
        "syn,ece,cwr,!ack",
        "--hop-limit",
        "9",
        "--traffic-class",
        "0x28",
        "--flow-label",
        "0xbeef",
        "--seq",
        "5",
        "--window",
        "2048",
        "--tcp-opt",
        "mss=1220,nop,nop,sackok,nop,wscale=2",
      ]);
      await craft(t, [
        "--dst",
        server,
        "--proto",
        "udp",
        "--dport",
        "8000",
        "--sport",
        "40012",
        "--data",
        "knock",
      ]);
      await craft(t, ["--dst", server, "--proto", "icmp", "--icmp-id", "9", "--icmp-seq", "1"]);
      await craft(t, [
        "--dst",
        server,
        "--dport",
        "9000",
        "--sport",
        "40013",
        "--flags",
        "fin",
        "--bad-checksum",
      ]);
    });
    const c = esc(client), s = esc(server);
    assert.match(
      out,
      new RegExp(
        `IP6 \\(class 0x28, flowlabel 0x0?beef, hlim 9, next-header TCP \\(6\\) payload length: 32\\) ` +
          `${c}\\.40011 > ${s}\\.7000: Flags \\[SEW\\], cksum 0x[0-9a-f]{4} \\(correct\\), seq 5, win 2048, ` +
          `options \\[mss 1220,nop,nop,sackOK,nop,wscale 2\\], length 0`,
      ),
      out,
    );
    assert.match(
      out,
      new RegExp(
        `next-header UDP \\(17\\) payload length: 13\\) ${c}\\.40012 > ${s}\\.8000: \\[udp sum ok\\] UDP, length 5`,
      ),
      out,
    );
    assert.match(out, new RegExp(`${c} > ${s}: \\[icmp6 sum ok\\] ICMP6, echo request, id 9, seq 1`), out);
    assert.match(
      out,
      new RegExp(
        `${c}\\.40013 > ${s}\\.9000: Flags \\[F\\], cksum 0x[0-9a-f]{4} \\(incorrect -> 0x[0-9a-f]{4}\\)`,
      ),
      out,
    );
  });
});

Deno.test({ name: "craft e2e: real send errors give exit 1 with the errno's meaning", ignore }, async () => {
  await withTopology({}, async (t) => {
    const ns = t.clients[0]!.ns;
    const base = [...KNOCKTOOL, "craft", "--dst", t.serverV4, "--dport", "7000"];
    // A firewall OUTPUT rule dropping the crafted packet makes sendto fail with EPERM.
    await ns.exec(["nft", "-f", "-"], {
      stdin: "table inet out {\n  chain o {\n    type filter hook output priority 0; policy accept;\n" +
        "    tcp dport 7000 drop\n  }\n}\n",
    });
    const dropped = await ns.exec([...base, "--count", "3"], { check: false, timeoutMs: 30_000 });
    assert.equal(dropped.code, 1, dropped.stderr);
    assert.match(dropped.stderr, /sent 0 of 3 packets/);
    assert.match(
      dropped.stderr,
      /knocktool craft: 3 of 3 packets failed: sendto: Operation not permitted \(a firewall OUTPUT rule/,
    );
    // Without cap_net_raw the socket cannot be opened; a dry run still works.
    const capsh = ["capsh", "--drop=cap_net_raw", "--"];
    const shell = (args: string[]) => ["-c", args.map((a) => `'${a}'`).join(" ")];
    const denied = await ns.exec([...capsh, ...shell(base)], { check: false, timeoutMs: 30_000 });
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(
      denied.stderr,
      /^knocktool craft: Raw sockets need root or cap_net_raw \(socket: Operation not permitted\)/,
    );
    const dry = await ns.exec([...capsh, ...shell([...base, "--dry-run", "--sport", "1"])], { check: false });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\.1 > .*\.7000: tcp \[S\]/);
  });
});
