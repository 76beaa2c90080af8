/**
 * ffi/nftables.ts against the real libnftables and kernel, in a network namespace of its own (root; skipped
 * with the reason otherwise): a context runs commands with buffered output and errors, JSON and terse
 * listings, dry runs that commit nothing; closing is idempotent. A missing library is a typed error.
 */
import assert from "node:assert/strict";
import { loadLibnftables, NftablesMissingError } from "../../ffi/nftables.ts";
import { randomHex, run, whySkip } from "../e2e/_netns.ts";

const skip = await whySkip(["nft"], "skipping libnftables tests");

Deno.test("loadLibnftables: a library that is not there is NftablesMissingError, naming each name tried", () => {
  assert.throws(
    () => loadLibnftables(["libnftables-none.so.9", "/nonexistent/libnftables.so"]),
    (error: unknown) =>
      error instanceof NftablesMissingError &&
      error.message === "libnftables is not installed (apt-get install libnftables1)" &&
      error.detail.includes("libnftables-none.so.9: ") &&
      error.detail.includes("/nonexistent/libnftables.so: "),
  );
});

Deno.test({
  name: "NftContext runs nft commands in-process: changes, errors, JSON, terse, dry run, close",
  ignore: skip !== undefined,
}, async () => {
  const ns = `kt-e-${randomHex(6)}-nft`;
  await run(["ip", "netns", "add", ns]);
  try {
    const probe = new URL("./_nft_probe.ts", import.meta.url).pathname;
    const out = await run(["ip", "netns", "exec", ns, Deno.execPath(), "run", "-A", "--no-prompt", probe], {
      timeoutMs: 30_000,
    });
    const steps = JSON.parse(out.stdout) as Record<string, { ok: boolean; output: string; error: string }>;
    for (const step of ["table", "set", "add", "dry"]) {
      assert.deepEqual(steps[step], { ok: true, output: "", error: "" }, step);
    }
    assert.equal(steps.missing!.ok, false);
    assert.equal(steps.missing!.output, "");
    assert.match(steps.missing!.error, /^Error: No such file or directory\nadd element inet kt nosuch/);
    assert.equal(steps.syntax!.ok, false);
    assert.match(steps.syntax!.error, /^Error: syntax error/);
    // The JSON listing: the element added, not the one of the dry run.
    const json = JSON.parse(steps.json!.output);
    const set = json.nftables.find((x: Record<string, unknown>) => x.set !== undefined).set;
    assert.deepEqual(set.elem.map((e: { elem: { val: string } }) => e.elem.val), ["192.0.2.1"]);
    assert.equal(set.elem[0].elem.timeout, 40);
    assert.match(steps.text!.output, /elements = \{ 192\.0\.2\.1 timeout 40s expires /);
    assert.doesNotMatch(steps.terse!.output, /elements/);
    assert.match(steps.terse!.output, /flags timeout/);
    assert.equal(steps.afterClose, "the nftables context is closed");
    // The kernel agrees (the namespace's own ruleset, read by nft).
    const listed = await run(["ip", "netns", "exec", ns, "nft", "list", "set", "inet", "kt", "s"]);
    assert.match(listed.stdout, /192\.0\.2\.1 timeout 40s/);
    assert.doesNotMatch(listed.stdout, /192\.0\.2\.2/);
  } finally {
    await run(["ip", "netns", "del", ns], { check: false });
  }
});
