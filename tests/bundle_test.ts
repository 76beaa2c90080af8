/**
 * The CLI bundles into one JavaScript file that runs on its own:
 * `deno bundle --platform deno`, then `--version` and `lint` on the example; as root, `serve` on `lo` with
 * its libpcap capture and its wake socket (node's `tcp_wrap` binding, reached through `node:process`).
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

Deno.test({
  name: "the bundle's serve captures on lo with its wake socket, and stops on SIGTERM (root)",
  ignore: Deno.build.os !== "linux" || Deno.uid() !== 0,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-bundle-" });
  try {
    const bundle = `${dir}/knocktool.js`;
    const built = await deno(["bundle", "--quiet", "--platform", "deno", "-o", bundle, "cli/main.ts"]);
    assert.equal(built.code, 0, `deno bundle failed:\n${built.stderr}`);
    // A door no traffic on lo uses; nothing is sent.
    await Deno.writeTextFile(
      `${dir}/c.conf`,
      "[options]\n[d]\n  sequence = 47001,47002\n  start_command = true\n",
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", bundle, "serve", "-c", `${dir}/c.conf`, "-i", "lo", "-D", "--state-dir", dir],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    const deadline = Date.now() + 20_000;
    while (!/^starting up/m.test(output) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      output += chunk.value;
    }
    child.kill("SIGTERM");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) output += chunk.value;
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.match(output, /^wake socket on lo$/m, output + stderr);
    assert.match(output, /^starting up, listening on lo$/m, output + stderr);
    assert.equal(status.code, 0, output + stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
