import assert from "node:assert/strict";
import { LinkType } from "../../core/decode/mod.ts";
import { captureLoop, loadLibpcap, PcapError, PcapHandle } from "../../ffi/mod.ts";
import { libpcapAvailable } from "../integration/_pcap.ts";

const ignore = !(await libpcapAvailable());
const isRoot = Deno.build.os === "linux" && Deno.uid() === 0;

Deno.test("loadLibpcap() reports a missing library as a typed not-installed error", () => {
  assert.throws(
    () => loadLibpcap(["libknocktool-missing.so.9", "/nonexistent/libpcap.so"]),
    (e: unknown) =>
      e instanceof PcapError && e.kind === "not-installed" && e.name === "PcapError" &&
      e.message === "libpcap is not installed (apt-get install libpcap0.8)" &&
      (e.detail ?? "").includes("libknocktool-missing.so.9"),
  );
});

Deno.test({
  name: "PcapHandle.libVersion() names libpcap",
  ignore,
  fn() {
    assert.match(PcapHandle.libVersion(), /^libpcap version \d+\.\d+/);
  },
});

Deno.test({
  name: "PcapHandle refuses use after close() and close() is idempotent",
  ignore,
  fn() {
    const dead = PcapHandle.openDead(LinkType.RAW, 1500);
    assert.equal(dead.datalink(), LinkType.RAW);
    assert.equal(dead.closed, false);
    dead.close();
    dead.close();
    assert.equal(dead.closed, true);
    for (
      const use of [() => dead.datalink(), () => dead.setFilter("tcp"), () => dead.dispatch(1, () => {})]
    ) {
      assert.throws(use, (e: unknown) => e instanceof PcapError && e.kind === "closed");
    }
  },
});

Deno.test({
  name:
    "PcapHandle.openLive() maps a missing interface (root) or missing privilege (non-root) to a clean error",
  ignore,
  fn() {
    assert.throws(
      () => PcapHandle.openLive("kt-nope0"),
      (e: unknown) =>
        e instanceof PcapError &&
        (isRoot
          ? e.kind === "no-such-device" && e.message === "No such interface: kt-nope0"
          : e.kind === "permission-denied" && e.message.endsWith("run as root or grant cap_net_raw")),
    );
  },
});

Deno.test({
  name: "captureLoop() on lo returns promptly after an abort and stats() counts",
  ignore: ignore || !isRoot,
  async fn() {
    // A filter no traffic matches: only the abort can end the loop.
    using pcap = PcapHandle.openLive("lo", { snaplen: 256, timeoutMs: 50 });
    pcap.setFilter("udp dst port 1 and udp src port 1");
    assert.equal(pcap.datalink(), LinkType.ETHERNET);
    const controller = new AbortController();
    let frames = 0;
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    await captureLoop(pcap, () => frames++, controller.signal, { pollTimeoutMs: 50 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 2000, `loop ran ${elapsed.toFixed(0)} ms`);
    assert.equal(frames, 0);
    const stats = pcap.stats();
    assert.equal(stats.received, 0);
    assert.equal(stats.dropped, 0);
  },
});

Deno.test({
  name: "PcapHandle.openLive() as an unprivileged user says to run as root or grant cap_net_raw",
  ignore: ignore || !isRoot,
  async fn() {
    // Drop to `nobody` with runuser to exercise the real PCAP_ERROR_PERM_DENIED path.
    const dir = await Deno.makeTempDir({ prefix: "knocktool-nobody-" });
    try {
      await Deno.chmod(dir, 0o777);
      const script = `import { PcapHandle } from ${
        JSON.stringify(new URL("../../ffi/mod.ts", import.meta.url).href)
      };
try { PcapHandle.openLive("lo"); console.log("opened"); }
catch (e) { console.log(JSON.stringify({ kind: e.kind, message: e.message })); }`;
      await Deno.writeTextFile(`${dir}/probe.ts`, script);
      // The deno binary may live where `nobody` cannot reach it (e.g. npx's cache under /root): use a copy.
      const deno = `${dir}/deno`;
      await Deno.copyFile(Deno.execPath(), deno);
      await Deno.chmod(deno, 0o755);
      const out = await new Deno.Command("runuser", {
        args: [
          "-u",
          "nobody",
          "--",
          "env",
          `DENO_DIR=${dir}/cache`,
          `HOME=${dir}`,
          deno,
          "run",
          "-A",
        ]
          .concat(["--no-config", "--no-prompt", `${dir}/probe.ts`]),
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout).trim();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.deepEqual(JSON.parse(stdout), {
        kind: "permission-denied",
        message: 'Cannot capture on "lo": run as root or grant cap_net_raw',
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
