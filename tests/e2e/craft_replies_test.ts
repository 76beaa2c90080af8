/**
 * End-to-end tests of `knocktool craft --replies` in network namespaces (issue 12, item 10): a
 * client namespace probes a server namespace that listens on one TCP port, and craft prints the
 * answer to each probe with its round-trip time, as hping3 does: SYN/ACK from the open port, RST/ACK
 * from a closed one, ICMP port unreachable for UDP to a closed port, an echo reply for ICMP; over
 * IPv4 and IPv6. Each IPv4 line is compared with Debian's hping3 on the same probe from the same
 * namespace: the same fields, only the round-trip time differs.
 *
 * Root only (skipped with a printed reason otherwise); namespaces are deleted even on failure.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, type Netns, tcpListener, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["hping3"], "skipping craft --replies e2e tests");
const ignore = skip !== undefined;

const OPEN = 7022;
const CLOSED = 7023;

async function craft(t: Topology, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const wait = args.includes("--wait") ? [] : ["--wait", "2"];
  const r = await t.clients[0]!.ns.exec([...KNOCKTOOL, "craft", ...args, "--replies", ...wait], {
    check: false,
    timeoutMs: 30_000,
  });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** hping3's answer line for one probe (its first line after the `HPING` banner). */
async function hping3(ns: Netns, args: string[]): Promise<string> {
  const r = await ns.exec(["hping3", "-n", "-c", "1", ...args], { check: false, timeoutMs: 15_000 });
  const line = r.stdout.split("\n").find((l) => /^(len=|ICMP )/.test(l));
  assert.ok(line !== undefined, `hping3 ${args.join(" ")} printed no answer:\n${r.stdout}${r.stderr}`);
  return line;
}

function withoutRtt(line: string): string {
  return line.replace(/ rtt=[0-9.]+ ms$/, "");
}

function answers(stdout: string): string[] {
  return stdout.split("\n").filter((l) => /^(len=|ICMP|DUP)/.test(l));
}

Deno.test({
  name: "craft e2e --replies (IPv4): SA from an open port, RA from a closed one, as hping3 prints them",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    await using _listener = await tcpListener(t.server, [OPEN]);
    const server = t.serverV4;
    const ns = t.clients[0]!.ns;

    const open = await craft(t, ["--dst", server, "-S", "-p", String(OPEN), "-c", "2", "-i", "u100000"]);
    assert.equal(open.code, 0, open.stdout + open.stderr);
    assert.match(
      open.stdout,
      new RegExp(
        `^CRAFT ${server} \\(${t.clients[0]!.ifname} ${server}\\): S set, 40 headers \\+ 0 data bytes\\n`,
      ),
    );
    const [first, second] = answers(open.stdout);
    const sa = new RegExp(
      `^len=44 ip=${server} ttl=64 DF id=0 sport=${OPEN} flags=SA seq=(\\d) win=\\d+ rtt=(\\d+\\.\\d) ms$`,
    );
    assert.match(first ?? "", sa, open.stdout);
    assert.match(second ?? "", sa, open.stdout);
    assert.deepEqual([sa.exec(first!)![1], sa.exec(second!)![1]], ["0", "1"]);
    for (const line of [first!, second!]) {
      const rtt = Number(sa.exec(line)![2]);
      assert.ok(rtt >= 0 && rtt < 500, `rtt ${rtt} ms`);
    }
    assert.match(
      open.stderr,
      new RegExp(
        `--- ${server} craft statistic ---\\n2 packets transmitted, 2 packets received, 0% packet loss\\n`,
      ),
    );
    assert.match(open.stderr, /round-trip min\/avg\/max = \d+\.\d\/\d+\.\d\/\d+\.\d ms/);
    assert.equal(withoutRtt(first!), withoutRtt(await hping3(ns, ["-S", "-p", String(OPEN), server])));

    const closed = await craft(t, ["--dst", server, "-S", "-p", String(CLOSED)]);
    assert.equal(closed.code, 0, closed.stdout + closed.stderr);
    const [ra] = answers(closed.stdout);
    assert.match(
      ra ?? "",
      new RegExp(
        `^len=40 ip=${server} ttl=64 DF id=0 sport=${CLOSED} flags=RA seq=0 win=0 rtt=\\d+\\.\\d ms$`,
      ),
    );
    assert.equal(withoutRtt(ra!), withoutRtt(await hping3(ns, ["-S", "-p", String(CLOSED), server])));
  });
});

Deno.test({
  name: "craft e2e --replies (IPv4): ICMP port unreachable for UDP to a closed port, echo reply for -1",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    const server = t.serverV4;
    const client = t.clients[0]!;
    const udp = await craft(t, ["--dst", server, "-2", "-p", String(CLOSED), "-s", "40000"]);
    assert.equal(udp.code, 0, udp.stdout + udp.stderr);
    assert.match(udp.stdout, /udp mode set, 28 headers \+ 0 data bytes\n/);
    const [unreachable] = answers(udp.stdout);
    assert.match(
      unreachable ?? "",
      new RegExp(
        `^ICMP Port Unreachable from ip=${server} ttl=64 id=\\d+ len=56 sport=40000 dport=${CLOSED} seq=0 rtt=\\d+\\.\\d ms$`,
      ),
      udp.stdout,
    );
    // hping3 starts its line the same way (then its own fields, and no round-trip time).
    const theirs = await hping3(client.ns, ["-2", "-p", String(CLOSED), server]);
    assert.match(theirs, new RegExp(`^ICMP Port Unreachable from ip=${server}( |$)`));

    const echo = await craft(t, ["--dst", server, "-1", "--icmp-seq", "4"]);
    assert.equal(echo.code, 0, echo.stdout + echo.stderr);
    assert.match(
      answers(echo.stdout)[0] ?? "",
      new RegExp(`^len=28 ip=${server} ttl=64 id=\\d+ icmp_seq=4 seq=0 rtt=\\d+\\.\\d ms$`),
    );
    const theirEcho = await hping3(client.ns, ["-1", server]);
    assert.match(theirEcho, new RegExp(`^len=28 ip=${server} ttl=64 id=\\d+ icmp_seq=0 rtt=`));

    const silent = await craft(t, ["--dst", `10.201.${t.net}.250`, "-S", "-p", "1", "--wait", "0.5"]);
    assert.equal(silent.code, 1, "no answer from an address nobody holds");
    assert.match(silent.stderr, /1 packets transmitted, 0 packets received, 100% packet loss/);
  });
});

Deno.test({
  name: "craft e2e --replies (IPv6): SA from the open port, RA and ICMPv6 port unreachable from closed ones",
  ignore,
}, async () => {
  await withTopology({}, async (t) => {
    await using _listener = await tcpListener(t.server, [OPEN]);
    const server = t.serverV6;
    const esc = server.replaceAll(":", "\\:");
    const open = await craft(t, ["--dst", server, "-S", "-p", String(OPEN)]);
    assert.equal(open.code, 0, open.stdout + open.stderr);
    assert.match(
      answers(open.stdout)[0] ?? "",
      new RegExp(`^len=64 ip=${esc} hlim=64 sport=${OPEN} flags=SA seq=0 win=\\d+ rtt=`),
    );
    const closed = await craft(t, ["--dst", server, "-S", "-p", String(CLOSED)]);
    assert.match(
      answers(closed.stdout)[0] ?? "",
      new RegExp(`^len=60 ip=${esc} hlim=64 sport=${CLOSED} flags=RA seq=0 win=0 rtt=`),
    );
    const udp = await craft(t, ["--dst", server, "-2", "-p", String(CLOSED)]);
    assert.match(
      answers(udp.stdout)[0] ?? "",
      new RegExp(
        `^ICMPv6 Port Unreachable from ip=${esc} hlim=64 len=96 sport=\\d+ dport=${CLOSED} seq=0 rtt=`,
      ),
    );
  });
});
