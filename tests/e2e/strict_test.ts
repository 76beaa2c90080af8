/**
 * End-to-end proof of knocktool's own door directives against Debian's knockd, in a namespace pair (root
 * only; skipped with a printed reason otherwise). Both daemons capture on the server's veth at the same
 * time and see the same packets; knockd gets the same config without our directives (it rejects unknown
 * keys), and each daemon's start_command appends the knocking address to its own file.
 *
 * - Strict: a real sequential SYN scan of ports 6990-9010 (`hping3 -S -p ++6990`) opens knockd's
 *   7000,8000,9000 door (docs/knockd.md §2.4, last row) and does NOT open knocktool's with `Strict = yes`;
 *   a legitimate knock with Debian's `knock` then opens the strict door.
 * - Cooldown: ten single-port UDP knocks run knockd's command ten times (#86) and knocktool's once.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL, poll, type Spawned, type Topology, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["knockd", "knock", "hping3"], "skipping strict/cooldown e2e tests");
const ignore = skip !== undefined;

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "knocktool-e2e-strict-" });
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

/** Starts knockd and knocktool serve on the server's interface, each with its own config. */
async function startBoth(
  t: Topology,
  knockdConf: string,
  knocktoolConf: string,
): Promise<[Spawned, Spawned]> {
  const knockd = t.server.spawn(["knockd", "-v", "-c", knockdConf, "-i", t.serverIf]);
  const knocktool = t.server.spawn([...KNOCKTOOL, "serve", "-v", "-c", knocktoolConf, "-i", t.serverIf]);
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

function door(name: string, sequence: string, out: string, extra: string[] = []): string {
  return [
    `[${name}]`,
    `  sequence      = ${sequence}`,
    "  seq_timeout   = 25",
    ...(sequence.includes("udp") ? [] : ["  tcpflags      = syn"]),
    `  start_command = echo %IP% >> ${out}`,
    ...extra,
  ].map((l) => `${l}\n`).join("");
}

Deno.test({
  name:
    "strict e2e: a sequential SYN scan opens knockd's door but not knocktool's strict door; a real knock does",
  ignore,
  async fn() {
    await using dir = await tempDir();
    const knockdOut = `${dir.path}/knockd.opened`;
    const ktOut = `${dir.path}/knocktool.opened`;
    await Deno.writeTextFile(`${dir.path}/knockd.conf`, door("openSSH", "7000,8000,9000", knockdOut));
    await Deno.writeTextFile(
      `${dir.path}/knocktool.conf`,
      door("openSSH", "7000,8000,9000", ktOut, ["  Strict        = yes"]),
    );
    await withTopology({ clients: 1 }, async (t) => {
      const client = t.clients[0]!;
      const [knockd, knocktool] = await startBoth(t, `${dir.path}/knockd.conf`, `${dir.path}/knocktool.conf`);
      await using _knockd = knockd;
      await using _knocktool = knocktool;

      // 2021 SYNs to 6990, 6991, … 9010, one every millisecond: a plain sequential port scan.
      const scan = await client.ns.exec(
        ["hping3", "-q", "-S", "-p", "++6990", "-c", "2021", "-i", "u1000", t.serverV4],
        { check: false, timeoutMs: 60_000 },
      );
      assert.ok(
        /2021 packets transmitted/.test(scan.stdout + scan.stderr),
        `hping3 did not send the scan:\n${scan.stdout}\n${scan.stderr}`,
      );
      // knockd: the scan passes 7000, 8000, 9000 through its filter in order, and that opens the door.
      assert.ok(
        await poll(async () => (await linesOf(knockdOut)).length >= 1, 10_000),
        "knockd did not open",
      );
      assert.deepEqual(await linesOf(knockdOut), [client.v4]);
      // knocktool: the scan's SYN to 7001 fails the attempt started by 7000.
      await knocktool.waitForLine(
        new RegExp(
          `^${client.v4}: openSSH: sequence failed at stage 1: strict: unexpected packet to 7001/tcp$`,
        ),
        10_000,
      );

      // A legitimate knock afterwards (its packets come after the whole scan in the capture, so once it opens
      // every scan packet was processed): knocktool opens, once, for this knock only.
      const mark = knocktool.lines.length;
      await client.ns.exec(["knock", "-v", "-4", t.serverV4, "7000", "8000", "9000"], { timeoutMs: 10_000 });
      await knocktool.waitForLine(new RegExp(`^${client.v4}: openSSH: OPEN SESAME$`), 10_000, mark);
      const opens = knocktool.lines.filter((l) => l.endsWith(": openSSH: OPEN SESAME"));
      assert.equal(opens.length, 1, knocktool.lines.join("\n"));
      assert.ok(await poll(async () => (await linesOf(ktOut)).length >= 1, 5000));
      assert.deepEqual(await linesOf(ktOut), [client.v4]);
      // knockd opens for the legitimate knock too.
      assert.ok(await poll(async () => (await linesOf(knockdOut)).length >= 2, 10_000));
    });
  },
});

Deno.test({
  name: "cooldown e2e: ten single-port UDP knocks run knockd's command ten times and knocktool's once",
  ignore,
  async fn() {
    await using dir = await tempDir();
    const out = (who: string, what: string) => `${dir.path}/${who}.${what}`;
    const conf = (who: string, extra: string[]) =>
      door("udp", "4000:udp", out(who, "udp"), extra) + door("sentinel", "5000:udp", out(who, "sentinel"));
    await Deno.writeTextFile(`${dir.path}/knockd.conf`, conf("knockd", []));
    await Deno.writeTextFile(`${dir.path}/knocktool.conf`, conf("knocktool", ["  Cooldown      = 60"]));
    await withTopology({ clients: 1 }, async (t) => {
      const client = t.clients[0]!;
      const [knockd, knocktool] = await startBoth(t, `${dir.path}/knockd.conf`, `${dir.path}/knocktool.conf`);
      await using _knockd = knockd;
      await using _knocktool = knocktool;

      const N = 10;
      await client.ns.exec(["knock", "-u", "-4", t.serverV4, ...Array(N).fill("4000")], {
        timeoutMs: 10_000,
      });
      // Then one knock on a sentinel door: once it opens, every earlier packet was processed.
      await client.ns.exec(["knock", "-u", "-4", t.serverV4, "5000"], { timeoutMs: 10_000 });
      assert.ok(await poll(async () => (await linesOf(out("knockd", "sentinel"))).length === 1, 10_000));
      assert.ok(await poll(async () => (await linesOf(out("knocktool", "sentinel"))).length === 1, 10_000));
      assert.ok(
        await poll(async () => (await linesOf(out("knockd", "udp"))).length === N, 10_000),
        `knockd ran its command ${(await linesOf(out("knockd", "udp"))).length} times, expected ${N}`,
      );
      assert.deepEqual(await linesOf(out("knocktool", "udp")), [client.v4]);
      const cooldown = knocktool.lines.filter((l) => l.includes(": udp: cooldown, not opening again for "));
      assert.equal(cooldown.length, 1, knocktool.lines.join("\n"));
      assert.match(
        cooldown[0]!,
        new RegExp(`^${client.v4}: udp: cooldown, not opening again for (59|60)(\\.\\d)? s$`),
      );
      assert.equal(knocktool.lines.filter((l) => l.endsWith(": udp: OPEN SESAME")).length, 1);
    });
  },
});
