/**
 * The CLI bundles into one JavaScript file that runs on its own:
 * `deno bundle --platform deno`, then `--version` and `lint` on the example.
 */
import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname;

async function deno(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("deno bundle produces a knocktool.js that runs --version and lint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-bundle-" });
  try {
    const bundle = `${dir}/knocktool.js`;
    const built = await deno(["bundle", "--quiet", "--platform", "deno", "-o", bundle, "cli/main.ts"]);
    assert.equal(built.code, 0, `deno bundle failed:\n${built.stderr}`);
    assert.ok((await Deno.stat(bundle)).size > 10_000, "bundle is suspiciously small");

    const denoJson = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
    const version = await deno(["run", "-A", bundle, "--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `knocktool ${denoJson.version}\n`);

    const clean = await deno(["run", "-A", bundle, "lint", "examples/knockd.conf"]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal(clean.stdout, "0 errors, 0 warnings in 1 file\n");

    const missing = await deno(["run", "-A", bundle, "lint", `${dir}/missing.conf`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.conf: No such file or directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
