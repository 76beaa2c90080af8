/**
 * The repository stays formatted and lint-clean: `deno fmt --check` and
 * `deno lint` run over the whole tree, as CI sees it. (Type checking is done
 * by `deno test` itself for every module the tests import, and by `deno task check`.)
 */
import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text };
}

Deno.test("repository is formatted (deno fmt --check)", async () => {
  const { code, output } = await run(["fmt", "--check"]);
  assert.equal(code, 0, `deno fmt --check failed; run "deno task fmt":\n${output}`);
});

Deno.test("repository is lint-clean (deno lint)", async () => {
  const { code, output } = await run(["lint"]);
  assert.equal(code, 0, `deno lint failed:\n${output}`);
});

Deno.test("every entry point type-checks (deno task check)", async () => {
  const { code, output } = await run(["check", "--doc", "mod.ts", "ffi/mod.ts", "cli/main.ts", "bench/"]);
  assert.equal(code, 0, `deno check failed:\n${output}`);
});
