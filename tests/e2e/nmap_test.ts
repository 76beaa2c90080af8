/**
 * End-to-end proof that the real nmap opens a door (issue 12 item 11), in a namespace pair (root only;
 * skipped with a printed reason otherwise). The knock ports are dropped by nftables in the server's
 * namespace, so nmap's default SYN scan (`nmap -sS -p PORT`, one run per port) gets no answer and probes
 * each port twice, the second time from another source port with another sequence number. knockd takes the
 * second probe for a wrong knock and never opens; knocktool ignores it as a client's repeat of the step just
 * counted (core/engine README, deviation 7). Both daemons capture on the server's veth at the same time.
 * A `Strict = yes` door keeps its rule: the repeat fails it, and `nmap --max-retries 0` (one probe per
 * port) opens it.
 *
 * (A single `nmap -r -p 7000,8000,9000` is no test of this: it sends the three ports in order in one burst,
 * which opens any door, then its second probes in reverse order.)
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, type Netns, poll, type Spawned, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["nmap", "nft", "knockd"], "skipping nmap e2e tests");
const ignore = skip !== undefined;

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "knocktool-e2e-nmap-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Lines of a file the commands append to (none when it does not exist yet). */
async function linesOf(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function door(name: string, sequence: string, out: string, extra: string[] = []): string {
  return [
    `[${name}]`,
    `  sequence      = ${sequence}`,
    "  seq_timeout   = 30",
    "  tcpflags      = syn",
    `  start_command = echo %IP% >> ${out}`,
    ...extra,
  ].map((l) => `${l}\n`).join("");
}

/** Runs `nmap -sS -n -p PORT` once per port, in order; each must report the port filtered (no answer). */
async function nmapEach(ns: Netns, host: string, ports: readonly number[], extra: string[] = []) {
  for (const port of ports) {
    const scan = await ns.exec(["nmap", "-sS", "-n", ...extra, "-p", String(port), host], {
      check: false,
      timeoutMs: 60_000,
    });
    assert.match(scan.stdout, new RegExp(`^${port}/tcp +filtered `, "m"), `${scan.stdout}\n${scan.stderr}`);
  }
}

async function startDaemons(
  t: Topology,
  knockdConf: string,
  knocktoolConf: string,
): Promise<[Spawned, Spawned]> {
  const knockd = t.server.spawn(["knockd", "-v", "-c", knockdConf, "-i", t.serverIf]);
  // -D: the ignored repeats are logged at debug level.
  const knocktool = t.server.spawn([
    ...KNOCKTOOL,
    "serve",
    "-v",
    "-D",
    "-c",
    knocktoolConf,
    "-i",
    t.serverIf,
  ]);
  try {
    await knockd.waitForLine(/^listening on /, 20_000);
    await knocktool.waitForLine(/^starting up, listening on /, 20_000);
  } catch (error) {
    await knockd.stop();
    await knocktool.stop();
    throw new Error(
      `${error}\nknockd: ${knockd.errLines.join("\n")}\nknocktool: ${knocktool.errLines.join("\n")}`,
    );
  }
  return [knockd, knocktool];
}

Deno.test({
  name: "nmap e2e: nmap -sS per port through a DROP firewall opens the door (knockd: fails at stage 2)",
  ignore,
  async fn() {
    await using dir = await tempDir();
    const out = (who: string) => `${dir.path}/${who}.opened`;
    await Deno.writeTextFile(`${dir.path}/knockd.conf`, door("nmap", "7000,8000,9000", out("knockd")));
    await Deno.writeTextFile(
      `${dir.path}/knocktool.conf`,
      door("nmap", "7000,8000,9000", out("knocktool")) +
        door("strict", "7100,8100,9100", out("strict"), ["  Strict        = yes"]),
    );
    await withTopology({ clients: 1 }, async (t) => {
      const client = t.clients[0]!;
      await t.server.exec(["nft", "-f", "-"], {
        stdin: "table inet kt {\n  chain input {\n    type filter hook input priority 0;\n" +
          "    tcp dport { 7000, 8000, 9000, 7100, 8100, 9100 } drop\n  }\n}\n",
      });
      const [knockd, knocktool] = await startDaemons(
        t,
        `${dir.path}/knockd.conf`,
        `${dir.path}/knocktool.conf`,
      );
      await using _knockd = knockd;
      await using _knocktool = knocktool;
      const who = client.v4.replaceAll(".", "\\.");

      await nmapEach(client.ns, t.serverV4, [7000, 8000, 9000]);
      await knocktool.waitForLine(new RegExp(`^${who}: nmap: OPEN SESAME$`), 10_000);
      assert.ok(await poll(async () => (await linesOf(out("knocktool"))).length >= 1, 5000));
      assert.deepEqual(await linesOf(out("knocktool")), [client.v4]);
      // nmap's second probe to 7000 and to 8000 came from a new source port: each is a repeat, not a failure.
      for (const [port, stage] of [[7000, 1], [8000, 2]]) {
        await knocktool.waitForLine(
          new RegExp(
            `^${who}: nmap: repeat of ${port}/tcp ignored at stage ${stage} \\(\\d+ ms after the counted knock\\)$`,
          ),
          1000,
        );
      }
      assert.equal(knocktool.lines.find((l) => l.includes("sequence failed")), undefined, knocktool.output());
      assert.equal(knocktool.lines.filter((l) => l.endsWith(": nmap: OPEN SESAME")).length, 1);
      // knockd saw the same packets (it logs every stage as it goes): the second 7000 broke its attempt.
      await knockd.waitForLine(new RegExp(`^${who}: nmap: Stage 1$`), 5000);
      assert.equal(await knockd.findLine(/OPEN SESAME/, 1000), undefined, knockd.output());
      assert.deepEqual(await linesOf(out("knockd")), []);

      // The strict door keeps its rule: nmap's second probe to 8100 fails it at stage 2.
      await nmapEach(client.ns, t.serverV4, [7100, 8100, 9100]);
      await knocktool.waitForLine(
        new RegExp(`^${who}: strict: sequence failed at stage 2: expected 9100/tcp, got 8100/tcp$`),
        10_000,
      );
      // One probe per port opens it.
      const mark = knocktool.lines.length;
      await nmapEach(client.ns, t.serverV4, [7100, 8100, 9100], ["--max-retries", "0"]);
      await knocktool.waitForLine(new RegExp(`^${who}: strict: OPEN SESAME$`), 10_000, mark);
      assert.equal(knocktool.lines.filter((l) => l.endsWith(": strict: OPEN SESAME")).length, 1);
      assert.ok(await poll(async () => (await linesOf(out("strict"))).length >= 1, 5000));
      assert.deepEqual(await linesOf(out("strict")), [client.v4]);
    });
  },
});
