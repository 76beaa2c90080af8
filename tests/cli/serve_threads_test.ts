/**
 * V8's helper threads at SCHED_IDLE and back (cli/serve/threads.ts), in a child Deno process so that this
 * test process keeps its own helpers as they are. Restoring them needs CAP_SYS_NICE (root).
 */
import assert from "node:assert/strict";
import { canRestoreHelpers, isV8Helper } from "../../cli/serve/threads.ts";

Deno.test("isV8Helper() knows V8's platform workers by their 15-byte name", () => {
  assert.ok(isV8Helper("V8 DefaultWorke"));
  assert.ok(!isV8Helper("deno"));
  assert.ok(!isV8Helper("tokio-runtime-w"));
  assert.ok(!isV8Helper("V8 Inspector"));
});

Deno.test("canRestoreHelpers() reads CAP_SYS_NICE from the effective capabilities", () => {
  assert.equal(canRestoreHelpers("Name:\tdeno\nCapEff:\t000001ffffffffff\n"), true); // root
  assert.equal(canRestoreHelpers("CapEff:\t0000000000802000\n"), true); // cap_net_raw + cap_sys_nice
  assert.equal(canRestoreHelpers("CapEff:\t0000000000002000\n"), false); // cap_net_raw only
  assert.equal(canRestoreHelpers("CapEff:\t0000000000000000\n"), false);
  assert.equal(canRestoreHelpers("Name:\tdeno\n"), false);
});

const noSysNice = canRestoreHelpers()
  ? undefined
  : "needs CAP_SYS_NICE (root) to take threads out of SCHED_IDLE";
if (noSysNice !== undefined) {
  // deno-lint-ignore no-console
  console.log(`skipping the setV8Helpers() test: ${noSysNice}`);
}

Deno.test({
  name: "setV8Helpers() idles every V8 worker and restores it, leaving the other threads alone",
  ignore: noSysNice !== undefined,
}, async () => {
  const threads = new URL("../../cli/serve/threads.ts", import.meta.url).href;
  const sched = new URL("../../ffi/sched.ts", import.meta.url).href;
  const program = `import { setV8Helpers, v8HelperThreads } from ${JSON.stringify(threads)};
    import { ownThreads, threadPolicy } from ${JSON.stringify(sched)};
    const policies = () => ownThreads().map((t) => [t.name, threadPolicy(t.tid)]);
    const before = policies();
    const tids = v8HelperThreads();
    const result = setV8Helpers("idle", tids);
    const after = policies();
    const restored = setV8Helpers("normal", tids);
    console.log(JSON.stringify({ before, result, after, restored, end: policies() }));`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", program], stderr: "inherit" })
    .output();
  assert.ok(out.success);
  const { before, result, after, restored, end } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    before: [string, number][];
    result: { threads: number; error?: string };
    after: [string, number][];
    restored: { threads: number; error?: string };
    end: [string, number][];
  };
  const helpers = after.filter(([name]) => name.startsWith("V8 DefaultWorke"));
  assert.ok(helpers.length >= 1, JSON.stringify(after));
  assert.deepEqual(result, { threads: helpers.length });
  assert.deepEqual(restored, { threads: helpers.length });
  // Every helper was a normal thread, and is idle now (SCHED_IDLE is 5); every other thread is untouched.
  assert.ok(
    before.filter(([n]) => n.startsWith("V8 DefaultWorke")).every(([, p]) => p === 0),
    JSON.stringify(before),
  );
  assert.ok(helpers.every(([, policy]) => policy === 5), JSON.stringify(after));
  const others = after.filter(([name]) => !name.startsWith("V8 DefaultWorke"));
  assert.ok(others.length >= 1 && others.every(([, policy]) => policy === 0), JSON.stringify(after));
  // Back to normal (SCHED_OTHER, 0), all of them.
  assert.ok(end.every(([, policy]) => policy === 0), JSON.stringify(end));
});
