/**
 * ffi/packet_wake.ts: the filter rewrite and the compiled program (no privileges), the failures of `open`,
 * and, as root in namespaces of its own, a wake socket that wakes for the capture's packets only, never
 * before libpcap's ring has them, with its descriptor closed by `close()`.
 */
import assert from "node:assert/strict";
import { LinkType } from "../../core/decode/mod.ts";
import { parseIPv4 } from "../../core/address.ts";
import { PacketWake, PacketWakeError, PcapHandle, sockaddr, Socket, wakeFilter } from "../../ffi/mod.ts";
import { libpcapAvailable } from "../integration/_pcap.ts";
import { KNOCKTOOL, whySkip, withTopology } from "../e2e/_netns.ts";

const noPcap = !(await libpcapAvailable());
const isRoot = Deno.build.os === "linux" && Deno.uid() === 0;

/** `[code, jt, jf, k]` per instruction. */
function decode(program: Uint8Array): [number, number, number, number][] {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const out: [number, number, number, number][] = [];
  for (let at = 0; at < program.length; at += 8) {
    out.push([view.getUint16(at, true), program[at + 2]!, program[at + 3]!, view.getUint32(at + 4, true)]);
  }
  return out;
}

function encode(instructions: readonly [number, number, number, number][]): Uint8Array {
  const out = new Uint8Array(instructions.length * 8);
  const view = new DataView(out.buffer);
  instructions.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * 8, code, true);
    out[i * 8 + 2] = jt;
    out[i * 8 + 3] = jf;
    view.setUint32(i * 8 + 4, k, true);
  });
  return out;
}

Deno.test("wakeFilter() makes every accepting constant return keep one byte and leaves the rest", () => {
  const program = encode([
    [0x28, 0, 0, 12], // ldh [12]
    [0x15, 0, 2, 0x800], // jeq #0x800
    [0x06, 0, 0, 262144], // ret #262144
    [0x16, 0, 0, 0], // ret a
    [0x06, 0, 0, 0], // ret #0
  ]);
  const before = program.slice();
  const out = wakeFilter(program);
  assert.deepEqual(decode(out), [
    [0x28, 0, 0, 12],
    [0x15, 0, 2, 0x800],
    [0x06, 0, 0, 1],
    [0x16, 0, 0, 0],
    [0x06, 0, 0, 0],
  ]);
  assert.deepEqual(program, before, "the input is not changed");
});

Deno.test("wakeFilter() refuses what the kernel would: no instruction, a partial one, more than 4096", () => {
  for (const bytes of [0, 12, 4097 * 8]) {
    assert.throws(() => wakeFilter(new Uint8Array(bytes)), RangeError, `${bytes} bytes`);
  }
  assert.equal(wakeFilter(new Uint8Array(4096 * 8)).length, 4096 * 8);
});

Deno.test({
  name: "PcapHandle.compileProgram() returns the instructions setFilter() installs, ready for wakeFilter()",
  ignore: noPcap,
  fn() {
    using dead = PcapHandle.openDead(LinkType.ETHERNET, 512);
    const program = decode(dead.compileProgram("tcp dst port 7000"));
    // ldh [12] first (the EtherType); the accept returns the snapshot length, the reject 0; rets end it.
    assert.deepEqual(program[0], [0x28, 0, 0, 12]);
    assert.ok(program.some(([code, , , k]) => code === 0x15 && k === 7000), "compares the port");
    const rets = program.filter(([code]) => code === 0x06).map(([, , , k]) => k);
    assert.deepEqual([...new Set(rets)].sort((a, b) => a - b), [0, 512]);
    const wake = decode(wakeFilter(encode(program)));
    assert.deepEqual([...new Set(wake.filter(([code]) => code === 0x06).map(([, , , k]) => k))].sort(), [
      0,
      1,
    ]);
    assert.throws(
      () => dead.compileProgram("tcp dst port 70000"),
      /Cannot compile filter "tcp dst port 70000"/,
    );
  },
});

Deno.test({
  name: "PacketWake.open() names the failing call: an unknown interface, or no privilege",
  ignore: Deno.build.os !== "linux",
  fn() {
    assert.throws(() => PacketWake.open("kt-nope0"), (e: unknown) => {
      assert.ok(e instanceof PacketWakeError);
      assert.equal(e.message, "if_nametoindex(kt-nope0): No such device");
      return true;
    });
    if (!isRoot) {
      assert.throws(
        () => PacketWake.open("lo"),
        /^PacketWakeError: socket\(AF_PACKET\): Operation not permitted$/,
      );
    }
  },
});

function packetSockets(): number {
  let count = 0;
  const inodes = new Set(
    Deno.readTextFileSync("/proc/self/net/packet").split("\n").slice(1).map((l) => l.trim().split(/\s+/)[8])
      .filter((i) => i !== undefined && i !== ""),
  );
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/self/fd/${entry.name}`));
      if (m !== null && inodes.has(m[1]!)) count++;
    } catch {
      // the directory's own descriptor, gone meanwhile
    }
  }
  return count;
}

Deno.test({
  name: "PacketWake on lo: a filter can be set, close() closes its descriptor, then setFilter() refuses",
  ignore: noPcap || !isRoot,
  async fn() {
    const before = packetSockets();
    const wake = PacketWake.open("lo");
    assert.equal(packetSockets(), before + 1);
    using dead = PcapHandle.openDead(LinkType.ETHERNET, 512);
    wake.setFilter(dead.compileProgram("udp dst port 9 and udp src port 9"));
    assert.equal(wake.closed, false);
    assert.equal(wake.wakes, 0);
    wake.close();
    wake.close();
    assert.equal(wake.closed, true);
    assert.equal(wake.failure, "closed");
    // node's handle closes the descriptor on its next turn.
    for (let i = 0; i < 50 && packetSockets() !== before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(packetSockets(), before);
    assert.throws(
      () => wake.setFilter(new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0])),
      /the wake socket is closed/,
    );
  },
});

Deno.test({
  name: "PacketWake.wait() on lo: false at its timeout, true at a matching datagram, false at once on close",
  ignore: noPcap || !isRoot,
  async fn() {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const wake = PacketWake.open("lo");
    try {
      using dead = PcapHandle.openDead(LinkType.ETHERNET, 512);
      wake.setFilter(dead.compileProgram(`udp dst port ${port}`));
      assert.equal(await wake.wait(50), false, "nothing sent yet");
      using sender = Socket.open(4, "datagram");
      const datagram = (to: number) => sender.sendTo(Uint8Array.of(0), sockaddr(parseIPv4("127.0.0.1"), to));
      datagram(port);
      assert.equal(await wake.wait(5000), true);
      // lo shows a packet twice (sent and received): a datagram read with no wait in progress is kept for
      // the next wait, which returns at once.
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(wake.wakes === 1 || wake.wakes === 2, `${wake.wakes} datagrams`);
      assert.equal(await wake.wait(0), wake.wakes === 2);
      datagram(port + 1);
      assert.equal(await wake.wait(200), false, "another port does not match");
      const started = performance.now();
      const waiting = wake.wait(10_000);
      wake.close();
      assert.equal(await waiting, false);
      assert.ok(performance.now() - started < 1000, "close() ended the wait at once");
      assert.equal(await wake.wait(10_000), false, "a closed socket does not wait");
    } finally {
      wake.close();
    }
  },
});

const skip = noPcap ? "libpcap missing" : await whySkip(["knock"], "skipping PacketWake namespace test");

Deno.test({
  name:
    "PacketWake in a namespace: woken by the capture's packets only, each time after libpcap's ring has them",
  ignore: skip !== undefined,
  async fn() {
    const frames = 40;
    await withTopology({}, async (t) => {
      const probe = t.server.spawn([
        ...KNOCKTOOL.slice(0, -1),
        new URL("./_wake_probe.ts", import.meta.url).pathname,
        t.serverIf,
        "udp dst port 7000",
        String(frames),
        "20000",
      ]);
      try {
        await probe.waitForLine(/^ready$/, 20_000);
        // Five datagrams the filter rejects, then the ones it accepts, 20 ms apart (knock's -d).
        const ports = [...Array(5).fill("7001:udp"), ...Array(frames).fill("7000:udp")];
        await t.clients[0]!.ns.exec(["knock", "-d", "20", t.serverV4, ...ports], { timeoutMs: 20_000 });
        const report = await probe.waitForLine(/^\{.*\}$/, 25_000);
        const result = JSON.parse(report.line) as Record<string, number>;
        assert.equal(result.frames, frames, report.line);
        // Every datagram it read had its frame in the ring already, and none came from a rejected packet.
        assert.equal(result.violations, 0, report.line);
        // One datagram per packet; the minimal receive buffer could drop some only if the probe stalled.
        assert.ok(result.wakes! >= frames / 2 && result.wakes! <= frames, report.line);
        assert.ok(result.wakeUps! >= 1, report.line);
        assert.equal((await probe.waitForExit(5000))?.code, 0, probe.output());
      } finally {
        await probe.stop();
      }
    });
  },
});
