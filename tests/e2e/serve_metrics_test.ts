/**
 * serve --metrics and knocktool status on the real daemon in a namespace (issue 18): the page passes
 * `promtool check metrics` (Debian's prometheus), its counters move with a knock; `status` asks the
 * running daemon through its control socket, and reads the journal once the daemon is gone (kill -9).
 */
import assert from "node:assert/strict";
import { hasCommand, KNOCKTOOL, run, type Spawned, startServe, whySkip, withTopology } from "./_netns.ts";

const skip = await whySkip(["knock"], "skipping serve --metrics e2e tests");
const promtool = await hasCommand("promtool");

function sample(page: string, name: string): number | undefined {
  const line = page.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test({
  name:
    "serve --metrics: promtool accepts the page; a knock moves the counters; status from the daemon, then the journal",
  ignore: skip !== undefined || !promtool,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "kt-metrics-" });
  try {
    const conf = `${dir}/k.conf`;
    await Deno.writeTextFile(
      conf,
      "[ssh]\nsequence = 7000,8000,9000\nseq_timeout = 10\ntcpflags = syn\nstart_command = true\ncmd_timeout = 600\n" +
        "stop_command = true\n",
    );
    await withTopology({}, async (t) => {
      let daemon: Spawned | undefined = await startServe(t.server, [
        "-c",
        conf,
        "-i",
        t.serverIf,
        "--state-dir",
        `${dir}/state`,
        "--metrics",
        "9102",
      ]);
      try {
        assert.ok(daemon.lines.includes("metrics on http://127.0.0.1:9102/metrics"), daemon.output());
        const scrape = async () => {
          const r = await t.server.exec([
            Deno.execPath(),
            "eval",
            "const r = await fetch('http://127.0.0.1:9102/metrics'); console.log(r.headers.get('content-type')); " +
            "await Deno.stdout.write(new Uint8Array(await r.arrayBuffer()));",
          ]);
          const [type, ...rest] = r.stdout.split("\n");
          return { type, page: rest.join("\n") };
        };
        const first = await scrape();
        assert.equal(first.type, "text/plain; version=0.0.4; charset=utf-8");
        assert.equal(sample(first.page, 'knocktool_openings_total{door="ssh"}'), 0, first.page);
        const checked = await run(["promtool", "check", "metrics"], { stdin: first.page, check: false });
        assert.equal(checked.code, 0, `promtool: ${checked.stdout}${checked.stderr}`);
        const c = t.clients[0]!;
        await c.ns.exec(["knock", "-4", t.serverV4, "7000", "8000", "9000"], { timeoutMs: 10_000 });
        await daemon.waitForLine(/: ssh: OPEN SESAME$/, 5000);
        await daemon.waitForLine(/ssh: running command: true/, 5000);
        const after = await scrape();
        assert.equal(sample(after.page, 'knocktool_knocks_total{door="ssh"}'), 3, after.page);
        assert.equal(sample(after.page, 'knocktool_openings_total{door="ssh"}'), 1, after.page);
        assert.equal(sample(after.page, "knocktool_stop_commands_pending"), 1, after.page);
        assert.equal(
          (await run(["promtool", "check", "metrics"], { stdin: after.page, check: false })).code,
          0,
        );

        const status = async (...extra: string[]) =>
          await run([...KNOCKTOOL, "status", "-c", conf, "--state-dir", `${dir}/state`, ...extra]);
        const live = await status();
        assert.match(live.stdout, /^knocktool serve is running/, live.stdout);
        assert.match(
          live.stdout,
          new RegExp(
            `ssh\\s+${c.v4.replaceAll(".", "\\.")}\\s+closes at \\d\\d:\\d\\d:\\d\\d \\(in \\d+ s\\)`,
          ),
        );
        const json = JSON.parse((await status("--json")).stdout);
        assert.equal(json.source, "daemon");
        assert.deepEqual(json.open.map((o: { door: string; src: string }) => [o.door, o.src]), [[
          "ssh",
          c.v4,
        ]]);

        daemon.signal("SIGKILL");
        await daemon.waitForExit(10_000);
        daemon = undefined;
        const dead = await status("--json");
        const report = JSON.parse(dead.stdout);
        assert.equal(report.source, "journal", dead.stdout);
        assert.deepEqual(report.open.map((o: { door: string; src: string }) => [o.door, o.src]), [[
          "ssh",
          c.v4,
        ]]);
      } finally {
        await daemon?.stop();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
