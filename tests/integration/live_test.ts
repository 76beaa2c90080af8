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

/** A server/client namespace pair joined by a veth, with IPv4 and IPv6 addresses. */
interface Pair {
  readonly id: string;
  readonly server: string;
  readonly client: string;
  readonly vethS: string;
  readonly v4s: string;
  readonly v4c: string;
  readonly v6s: string;
  readonly v6c: string;
}

/** Creates a namespace pair, runs `body`, deletes the namespaces even on failure and checks they are gone. */
async function withPair(body: (pair: Pair) => Promise<void>): Promise<void> {
  const id = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
  const net = 1 + Math.floor(Math.random() * 250);
  const pair: Pair = {
    id,
    server: `kt-d-${id}-s`,
    client: `kt-d-${id}-c`,
    vethS: `ktd${id}s`,
    v4s: `10.200.${net}.1`,
    v4c: `10.200.${net}.2`,
    v6s: "fd00:200::1",
    v6c: "fd00:200::2",
  };
  const vethC = `ktd${id}c`;
  try {
    await run(["ip", "netns", "add", pair.server]);
    await run(["ip", "netns", "add", pair.client]);
    await run(["ip", "link", "add", pair.vethS, "netns", pair.server, "type", "veth"]
      .concat(["peer", "name", vethC, "netns", pair.client]));
    const ends = [[pair.server, pair.vethS, pair.v4s, pair.v6s], [
      pair.client,
      vethC,
      pair.v4c,
      pair.v6c,
    ]] as const;
    for (const [ns, dev, v4, v6] of ends) {
      await run(["ip", "-n", ns, "addr", "add", `${v4}/24`, "dev", dev]);
      await run(["ip", "-n", ns, "-6", "addr", "add", `${v6}/64`, "dev", dev, "nodad"]);
      await run(["ip", "-n", ns, "link", "set", dev, "up"]);
      await run(["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    await body(pair);
  } finally {
    await run(["ip", "netns", "del", pair.server], false);
    await run(["ip", "netns", "del", pair.client], false);
  }
  const left = await run(["ip", "netns", "list"]);
  assert.ok(!left.stdout.includes(`kt-d-${id}`), left.stdout);
}

/**
 * Runs the capture helper in the server namespace, waits until it is ready, calls `traffic`, then waits for
 * it to finish (after `count` knocks or `timeoutMs`). Always reaps the child.
 */
async function capture(
  pair: Pair,
  filter: string,
  count: number,
  traffic: () => Promise<void>,
  timeoutMs = 15_000,
): Promise<{ knocks: Knock[]; lines: Record<string, unknown>[] }> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", pair.server, DENO, "run", "-A", "--no-prompt", SCRIPT, pair.vethS, filter]
      .concat([String(count), String(timeoutMs)]),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = new Lines(child.stdout);
  const stderr = new Response(child.stderr).text();
  let exited = false;
  try {
    const ready = await out.waitFor((ls) => ls.some((l) => "ready" in l || "error" in l), 20_000);
    assert.ok(ready, `capture never became ready: ${JSON.stringify(out.lines)}`);
    assert.deepEqual(out.lines[0], { ready: true, linktype: 1, warning: null });
    await traffic();
    const complete = await out.waitFor((ls) => ls.some((l) => "done" in l), timeoutMs + 5_000);
    const status = await child.status;
    exited = true;
    await out.done;
    assert.ok(complete, `capture did not finish: ${JSON.stringify(out.lines)} ${await stderr}`);
    assert.equal(status.code, 0, await stderr);
    return { knocks: out.lines.filter((l) => "knock" in l).map((l) => l.knock as Knock), lines: out.lines };
  } finally {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await stderr;
    }
  }
}

function inClient(pair: Pair, script: string): Promise<unknown> {
  return run(["ip", "netns", "exec", pair.client, "timeout", "10", "bash", "-c", script], false);
}

Deno.test({
  name: "live capture on a veth in a network namespace decodes TCP SYNs and UDP, IPv4 and IPv6",
  ignore: skipReason !== undefined,
  async fn() {
    await withPair(async (pair) => {
      const { v4s, v4c, v6s, v6c } = pair;
      const filter =
        `(dst host ${v4s} or dst host ${v6s}) and (tcp dst port 7000 or tcp dst port 8000 or udp dst port 9000)`;
      const { knocks, lines } = await capture(pair, filter, 4, async () => {
        // Nothing listens in the server namespace: the TCP connects are refused, the datagram is dropped.
        await inClient(pair, `echo knock > /dev/tcp/${v4s}/7000`);
        await inClient(pair, `echo knock > /dev/tcp/${v4s}/8000`);
        await inClient(pair, `echo knock > /dev/udp/${v4s}/9000`);
        await inClient(pair, `echo knock > /dev/tcp/${v6s}/7000`);
      });
      const summary = knocks.map((k) =>
        `${k.protocol} ${k.src}:${k.sport} -> ${k.dst}:${k.dport} flags ${k.flags}`
      );
      assert.equal(knocks.length, 4, summary.join("\n"));
      const row = (k: Knock) => [k.family, k.src, k.dst, k.protocol, k.dport, k.flags & 0x12];
      assert.deepEqual(knocks.map(row), [
        [4, v4c, v4s, "tcp", 7000, 0x02],
        [4, v4c, v4s, "tcp", 8000, 0x02],
        [4, v4c, v4s, "udp", 9000, 0],
        [6, v6c, v6s, "tcp", 7000, 0x02],
      ]);
      for (const k of knocks) {
        assert.ok(k.sport > 0 && Math.abs(k.timeMs - Date.now()) < 60_000, JSON.stringify(k));
      }
      const done = lines.find((l) => "done" in l) as { stats: { received: number } };
      assert.ok(done.stats.received >= 4, JSON.stringify(done));
    });
  },
});

Deno.test({
  name: "live capture drains a burst of 300 datagrams without losing any",
  ignore: skipReason !== undefined,
  async fn() {
    await withPair(async (pair) => {
      const { knocks, lines } = await capture(
        pair,
        `udp dst port 9001 and dst host ${pair.v4s}`,
        300,
        async () => {
          await inClient(pair, `for i in $(seq 1 300); do echo $i > /dev/udp/${pair.v4s}/9001; done`);
        },
      );
      assert.equal(knocks.length, 300, JSON.stringify(lines.filter((l) => !("knock" in l))));
      assert.ok(knocks.every((k) => k.protocol === "udp" && k.dport === 9001 && k.src === pair.v4c));
      // Timestamps never go backwards.
      for (let i = 1; i < knocks.length; i++) assert.ok(knocks[i]!.timeMs >= knocks[i - 1]!.timeMs);
      const done = lines.find((l) => "done" in l) as { stats: { received: number; dropped: number } };
      assert.equal(done.stats.dropped, 0, JSON.stringify(done));
    });
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
