/**
 * Live capture through libpcap on a veth pair between two network namespaces this test creates and deletes.
 * Root only; all traffic stays inside the namespaces.
 */
import assert from "node:assert/strict";
import type { Knock } from "../../core/knock.ts";
import { libpcapAvailable } from "./_pcap.ts";

async function run(cmd: string[], check = true): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd[0]!, { args: cmd.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (check && out.code !== 0) {
    throw new Error(`Command "${cmd.join(" ")}" failed (${out.code}): ${result.stderr}`);
  }
  return result;
}

async function whyNotLive(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.uid() !== 0) return "not root (network namespaces and live capture need root)";
  if (!(await libpcapAvailable())) return "libpcap is not installed";
  try {
    await run(["ip", "-V"]);
  } catch {
    return "iproute2 (ip) is not installed";
  }
  return undefined;
}

const skipReason = await whyNotLive();
if (skipReason !== undefined) {
  // deno-lint-ignore no-console
  console.log(`skipping live capture tests: ${skipReason}`);
}

const DENO = Deno.execPath();
const SCRIPT = new URL("./_live_capture.ts", import.meta.url).pathname;

/** Reads JSON lines from a child's stdout. */
class Lines {
  readonly lines: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      let buffer = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            this.lines.push(JSON.parse(line));
          } catch {
            this.lines.push({ raw: line });
          }
          this.#waiters.splice(0).forEach((w) => w());
        }
      }
      this.#waiters.splice(0).forEach((w) => w());
    })();
  }

  /** Waits until `predicate` holds for the lines so far, at most `timeoutMs`. */
  async waitFor(
    predicate: (lines: Record<string, unknown>[]) => boolean,
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.lines)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, 200)))),
      ]);
      clearTimeout(timer);
    }
    return true;
  }
}

Deno.test({
  name: "live capture on a veth in a network namespace decodes TCP SYNs and UDP, IPv4 and IPv6",
  ignore: skipReason !== undefined,
  async fn() {
    const id = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
    const server = `kt-d-${id}-s`;
    const client = `kt-d-${id}-c`;
    const vethS = `ktd${id}s`;
    const vethC = `ktd${id}c`;
    const net = 1 + Math.floor(Math.random() * 250);
    const v4s = `10.200.${net}.1`;
    const v4c = `10.200.${net}.2`;
    let child: Deno.ChildProcess | undefined;
    try {
      await run(["ip", "netns", "add", server]);
      await run(["ip", "netns", "add", client]);
      await run([
        "ip",
        "link",
        "add",
        vethS,
        "netns",
        server,
        "type",
        "veth",
        "peer",
        "name",
        vethC,
        "netns",
        client,
      ]);
      for (
        const [ns, dev, v4, v6] of [[server, vethS, v4s, "fd00:200::1"], [client, vethC, v4c, "fd00:200::2"]]
      ) {
        await run(["ip", "-n", ns!, "addr", "add", `${v4}/24`, "dev", dev!]);
        await run(["ip", "-n", ns!, "-6", "addr", "add", `${v6}/64`, "dev", dev!, "nodad"]);
        await run(["ip", "-n", ns!, "link", "set", dev!, "up"]);
        await run(["ip", "-n", ns!, "link", "set", "lo", "up"]);
      }

      const filter =
        `(dst host ${v4s} or dst host fd00:200::1) and (tcp dst port 7000 or tcp dst port 8000 or udp dst port 9000)`;
      child = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          server,
          DENO,
          "run",
          "-A",
          "--no-prompt",
          SCRIPT,
          vethS,
          filter,
          "4",
          "15000",
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const out = new Lines(child.stdout);
      const stderr = new Response(child.stderr).text();
      const ready = await out.waitFor((ls) => ls.some((l) => "ready" in l || "error" in l), 20_000);
      assert.ok(ready, `capture never became ready: ${JSON.stringify(out.lines)}`);
      assert.deepEqual(out.lines[0], { ready: true, linktype: 1, warning: null });

      // Nothing listens in the server namespace: the TCP connects are refused, the datagram is dropped.
      const send = (target: string) =>
        run(["ip", "netns", "exec", client, "timeout", "5", "bash", "-c", `echo knock > ${target}`], false);
      await send(`/dev/tcp/${v4s}/7000`);
      await send(`/dev/tcp/${v4s}/8000`);
      await send(`/dev/udp/${v4s}/9000`);
      await send(`/dev/tcp/fd00:200::1/7000`);

      const knocksOf = (ls: Record<string, unknown>[]) =>
        ls.filter((l) => "knock" in l).map((l) => l.knock as Knock);
      const complete = await out.waitFor((ls) => ls.some((l) => "done" in l), 15_000);
      const status = await child.status;
      child = undefined;
      await out.done;
      assert.ok(complete, `capture did not finish: ${JSON.stringify(out.lines)} ${await stderr}`);
      assert.equal(status.code, 0, await stderr);

      const knocks = knocksOf(out.lines);
      const summary = knocks.map((k) =>
        `${k.protocol} ${k.src}:${k.sport} -> ${k.dst}:${k.dport} flags ${k.flags}`
      );
      assert.equal(knocks.length, 4, summary.join("\n"));
      const [a, b, c, d] = knocks as [Knock, Knock, Knock, Knock];
      assert.deepEqual([a.family, a.src, a.dst, a.protocol, a.dport, a.flags & 0x12], [
        4,
        v4c,
        v4s,
        "tcp",
        7000,
        0x02,
      ]);
      assert.deepEqual([b.family, b.src, b.dst, b.protocol, b.dport, b.flags & 0x12], [
        4,
        v4c,
        v4s,
        "tcp",
        8000,
        0x02,
      ]);
      assert.deepEqual([c.family, c.src, c.dst, c.protocol, c.dport, c.flags], [4, v4c, v4s, "udp", 9000, 0]);
      assert.deepEqual(
        [d.family, d.src, d.dst, d.protocol, d.dport, d.flags & 0x12],
        [6, "fd00:200::2", "fd00:200::1", "tcp", 7000, 0x02],
      );
      for (const k of knocks) {
        assert.ok(k.sport > 0 && Math.abs(k.timeMs - Date.now()) < 60_000, JSON.stringify(k));
      }
      const done = out.lines.find((l) => "done" in l) as { stats: { received: number } };
      assert.ok(done.stats.received >= 4, JSON.stringify(done));
    } finally {
      if (child !== undefined) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await run(["ip", "netns", "del", server], false);
      await run(["ip", "netns", "del", client], false);
    }
    const left = await run(["ip", "netns", "list"]);
    assert.ok(!left.stdout.includes(`kt-d-${id}`), left.stdout);
  },
});

Deno.test({
  name: "live capture on a missing interface fails with a clean error",
  ignore: skipReason !== undefined,
  async fn() {
    const id = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
    const ns = `kt-d-${id}-x`;
    try {
      await run(["ip", "netns", "add", ns]);
      const result = await run(
        ["ip", "netns", "exec", ns, DENO, "run", "-A", "--no-prompt", SCRIPT, "kt-nope0", "", "1", "2000"],
        false,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout.trim()), {
        error: { kind: "no-such-device", message: "No such interface: kt-nope0" },
      });
      assert.equal(result.stderr, "");
    } finally {
      await run(["ip", "netns", "del", ns], false);
    }
  },
});
