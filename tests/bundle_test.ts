/**
 * The CLI bundles into one JavaScript file that runs on its own: `deno task bundle` (tools/bundle.ts,
 * `deno bundle --platform deno` without build-machine paths), then `--version` and `lint` on the
 * example; as root, `serve` on `lo` with its libpcap capture and its wake socket (node's `tcp_wrap`
 * binding, reached through `node:process`).
 */
import assert from "node:assert/strict";
import { scrubBuildPaths } from "../tools/bundle.ts";

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
    const built = await deno(["run", "-A", "tools/bundle.ts", bundle]);
    assert.equal(built.code, 0, `tools/bundle.ts failed:\n${built.stderr}`);
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

Deno.test("the bundle carries no build-machine path, and builds to the same bytes from anywhere", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-bundle-" });
  try {
    const task = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.bundle;
    assert.equal(
      task,
      "deno run -A tools/bundle.ts dist/knocktool.js",
      "deno task bundle uses the scrubbing tool",
    );
    const a = `${dir}/a.js`;
    const b = `${dir}/b.js`;
    assert.equal((await deno(["run", "-A", "tools/bundle.ts", a])).code, 0);
    // From another working directory: the same bytes.
    const elsewhere = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}tools/bundle.ts`, b],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(elsewhere.code, 0, new TextDecoder().decode(elsewhere.stderr));
    const text = await Deno.readTextFile(a);
    assert.equal(text, await Deno.readTextFile(b), "same bytes from another working directory");
    const info = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output())
          .stdout,
      ),
    );
    const forbidden = [
      root.replace(/\/$/, ""),
      info.denoDir as string,
      Deno.env.get("HOME") ?? "/nonexistent",
    ];
    for (const path of forbidden.filter((p) => p.length > 1)) {
      assert.ok(!text.includes(path), `the bundle contains the build path ${path}`);
    }
    assert.doesNotMatch(text, /^\/\/ (\.\.\/|\/)/m, "a module marker with a relative or absolute path");
    assert.doesNotMatch(text, /registry\.npmjs\.org|\.cache\/deno/);
    assert.match(text, /^\/\/ npm:@optique\/core@1\.3\.6\/dist\/usage\.js$/m);
    assert.match(text, /^\/\/ cli\/main\.ts$/m);
    // Every static import of the bundle runs at start, whatever the command (bench/startup.ts): a node:
    // module is reached on first use instead (ffi/packet_wake.ts). Three are left: logtape's node:util, and
    // node:crypto with node:buffer, the synchronous HMAC, AES and X25519/Ed25519 of the TOTP, fwknop and SPA
    // doors (about 30 ms of CPU at start on the bench machine; reaching them lazily is open work of issue 19).
    const nodeImports = [
      ...new Set([...text.matchAll(/^import .* from "(node:[^"]+)";$/gm)].map((m) => m[1])),
    ];
    assert.deepEqual(nodeImports.sort(), ["node:buffer", "node:crypto", "node:util"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scrubBuildPaths: npm markers become package names; any other outside path is reported", () => {
  const input = [
    "// ../../root/.cache/deno/npm/registry.npmjs.org/@optique/core/1.3.6/dist/usage.js",
    "var x = 1;",
    "// /home/u/.cache/deno/npm/registry.npmjs.org/left-pad/1.3.0/index.js",
    "// core/flags.ts",
    "// ../elsewhere/mod.ts",
    'const s = "/home/u/secret";',
    '  "../../../root/.cache/deno/npm/registry.npmjs.org/@optique/core/1.3.6/dist/message.js"() {',
    '  "cli/lint/command.ts"() {',
    '  "../elsewhere/lazy.ts"() {',
  ].join("\n");
  const r = scrubBuildPaths(input, ["/home/u/"]);
  assert.deepEqual(r.text.split("\n").slice(0, 4), [
    "// npm:@optique/core@1.3.6/dist/usage.js",
    "var x = 1;",
    "// npm:left-pad@1.3.0/index.js",
    "// core/flags.ts",
  ]);
  assert.deepEqual(r.text.split("\n").slice(6), [
    '  "npm:@optique/core@1.3.6/dist/message.js"() {',
    '  "cli/lint/command.ts"() {',
    '  "../elsewhere/lazy.ts"() {',
  ]);
  assert.deepEqual(r.leftovers, [
    "// ../elsewhere/mod.ts",
    '  "../elsewhere/lazy.ts"() {',
    'const s = "/home/u/secret";',
  ]);
});

Deno.test({
  name: "the bundle's serve captures on lo with its wake socket, and stops on SIGTERM (root)",
  ignore: Deno.build.os !== "linux" || Deno.uid() !== 0,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-bundle-" });
  try {
    const bundle = `${dir}/knocktool.js`;
    const built = await deno(["run", "-A", "tools/bundle.ts", bundle]);
    assert.equal(built.code, 0, `tools/bundle.ts failed:\n${built.stderr}`);
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
