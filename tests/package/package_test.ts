/**
 * `deno task package` (tools/package/), built once for this file: the single executable runs where no Deno
 * is installed (`PATH` without deno, empty `HOME` and `DENO_DIR`), and as root its `serve -d` and `knock`
 * open a door across network namespaces; the `.deb` passes lintian, installs with apt-get, its unit passes
 * `systemd-analyze verify`, and the installed `/usr/bin/knocktool` opens a door the same way.
 *
 * The e2e tests need root (namespaces, capture) and are skipped with a printed reason otherwise; lintian,
 * dpkg-deb and systemd-analyze come from tests/setup.sh.
 */
import assert from "node:assert/strict";
import { VERSION } from "../../cli/version.ts";
import { buildPackage, type Built, decodeTrailer } from "../../tools/package/mod.ts";
import { hasCommand, poll, run, type Topology, whySkip, withTopology } from "../e2e/_netns.ts";

const root = new URL("../../", import.meta.url).pathname;
const out = await Deno.makeTempDir({ prefix: "knocktool-package-test-" });
/** The environment of a machine without Deno: no deno on PATH, HOME and DENO_DIR empty. */
const home = `${out}/home`;
const CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

let building: Promise<Built> | undefined;
/** The package, built on first use (about 15 s), removed with the temporary directory at the end. */
function built(): Promise<Built> {
  building ??= buildPackage(out);
  return building;
}

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(out, { recursive: true });
  } catch {
    // already gone
  }
});

/** `cmd` under `env -i`: only the variables of a machine without Deno. */
async function bare(): Promise<string[]> {
  await Deno.mkdir(`${home}/deno-dir`, { recursive: true });
  return ["env", "-i", `PATH=${CLEAN_PATH}`, `HOME=${home}`, `DENO_DIR=${home}/deno-dir`];
}

/** Why nothing can be built here (the launcher route needs a C compiler; the package needs dpkg-deb). */
const noBuild = !(await hasCommand("dpkg-deb")) ||
  (Deno.env.get("DENORT_BIN") === undefined && !(await hasCommand(Deno.env.get("CC") ?? "cc")));
if (noBuild) {
  // deno-lint-ignore no-console
  console.log("skipping package tests: no cc or dpkg-deb; run tests/setup.sh as root");
}
const e2eSkip = noBuild ? "no build" : await whySkip(["nft"], "skipping package e2e tests");
const noLauncher = Deno.env.get("DENORT_BIN") !== undefined; // the deno compile route has no trailer
const noLintian = noBuild || !(await hasCommand("lintian"));
const noApt = e2eSkip !== undefined || !(await hasCommand("apt-get")) ||
  !(await hasCommand("systemd-analyze"));

Deno.test(
  { name: "deno task package builds one executable file and the .deb", ignore: noBuild },
  async () => {
    const tasks = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks;
    assert.equal(tasks.package, "deno run -A tools/package/mod.ts");
    const { executable, deb, route } = await built();
    assert.equal(deb, `${out}/knocktool_${VERSION}_amd64.deb`);
    assert.equal(route, noLauncher ? "compile" : "launcher");
    const info = await Deno.stat(executable);
    assert.ok(info.isFile && (info.mode! & 0o111) === 0o111, "executable");
    assert.ok(info.size > 50_000_000, `it carries the runtime (${info.size} bytes)`);
    if (route === "launcher") {
      const file = await Deno.readFile(executable);
      const at = decodeTrailer(file.subarray(file.length - 64), file.length);
      assert.ok(at !== undefined, "a valid trailer");
      assert.deepEqual([...file.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "an ELF launcher");
      assert.deepEqual([...file.subarray(at.runtimeOffset, at.runtimeOffset + 4)], [0x7f, 0x45, 0x4c, 0x46]);
      assert.match(
        new TextDecoder().decode(file.subarray(at.bundleOffset, at.bundleOffset + at.bundleSize)),
        /^\/\/ cli\/main\.ts$/m,
      );
    }
  },
);

Deno.test({
  name: "dist/knocktool runs with no deno on PATH and an empty HOME and DENO_DIR",
  ignore: noBuild,
}, async () => {
  const { executable } = await built();
  const env = await bare();
  const which = await run([...env, "sh", "-c", "command -v deno"], { check: false });
  assert.notEqual(which.code, 0, `deno is on the clean PATH: ${which.stdout}`);

  const version = await run([...env, executable, "--version"], { check: false, timeoutMs: 30_000 });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, `knocktool ${VERSION}\n`);
  assert.equal(version.stderr, "");

  const lint = await run([...env, executable, "lint", `${root}examples/knockd.conf`], { check: false });
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  assert.equal(lint.stdout, "0 errors, 0 warnings in 1 file\n");
  const missing = await run([...env, executable, "lint", `${out}/missing.conf`], { check: false });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing\.conf: No such file or directory/);
  const usage = await run([...env, executable, "lint", "--frobnicate"], { check: false });
  assert.equal(usage.code, 2);
  assert.doesNotMatch(usage.stderr, /\n\s+at /, "no stack trace");
});

Deno.test({
  name: "the launcher without its payload, or with a damaged trailer, says so and exits 127",
  ignore: noBuild || noLauncher,
}, async () => {
  const { executable } = await built();
  const file = await Deno.readFile(executable);
  const at = decodeTrailer(file.subarray(file.length - 64), file.length)!;
  for (
    const [name, bytes] of [
      ["bare launcher", file.subarray(0, at.runtimeOffset)],
      ["cut trailer", file.subarray(0, file.length - 1)],
    ] as const
  ) {
    const path = `${out}/${name.replace(" ", "-")}`;
    await Deno.writeFile(path, bytes, { mode: 0o755 });
    const r = await run([path, "--version"], { check: false });
    assert.equal(r.code, 127, `${name}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "knocktool: no payload: this launcher was not packaged (tools/package/single_file.ts)\n",
    );
    await Deno.remove(path);
  }
});

/** A door whose start command appends the client's address to `opened`. */
async function doorConfig(dir: string): Promise<{ conf: string; opened: string }> {
  const conf = `${dir}/knockd.conf`;
  const opened = `${dir}/opened`;
  await Deno.writeTextFile(
    conf,
    "[options]\n[openSSH]\n  sequence = 7000,8000:udp,9000\n  seq_timeout = 10\n  tcpflags = syn\n" +
      `  start_command = echo %IP% >> ${opened}\n  cmd_timeout = 1\n  stop_command = true\n`,
  );
  return { conf, opened };
}

async function knockAndSeeOpened(t: Topology, executable: string, opened: string): Promise<void> {
  const env = await bare();
  const r = await t.clients[0]!.ns.exec(
    [...env, executable, "knock", "-v", "-d", "50", t.serverV4, "7000", "8000:udp", "9000"],
    { check: false, timeoutMs: 30_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^hitting tcp .*:7000$/m);
  const client = t.clients[0]!.v4;
  const seen = await poll(async () => {
    try {
      return (await Deno.readTextFile(opened)).split("\n").includes(client);
    } catch {
      return false;
    }
  }, 10_000);
  assert.ok(seen, `the door did not open for ${client}`);
}

Deno.test({
  name: "dist/knocktool serve -d and knock open a door across network namespaces (root)",
  ignore: e2eSkip !== undefined,
}, async () => {
  const { executable } = await built();
  const dir = await Deno.makeTempDir({ prefix: "knocktool-package-e2e-" });
  try {
    await Deno.chmod(dir, 0o755);
    const { conf, opened } = await doorConfig(dir);
    const pidFile = `${dir}/knocktool.pid`;
    await withTopology({}, async (t) => {
      const env = await bare();
      // -d: the daemon is the same file started again (through KNOCKTOOL_EXECUTABLE, set by the launcher).
      const started = await t.server.exec(
        [...env, executable, "serve", "-d", "-p", pidFile, "-c", conf, "-i", t.serverIf, "--state-dir", dir],
        { check: false, timeoutMs: 30_000 },
      );
      assert.equal(started.code, 0, started.stdout + started.stderr);
      const pid = Number.parseInt(await Deno.readTextFile(pidFile), 10);
      try {
        await knockAndSeeOpened(t, executable, opened);
      } finally {
        Deno.kill(pid, "SIGTERM");
        const gone = await poll(async () => {
          const r = await run(["kill", "-0", String(pid)], { check: false });
          return r.code !== 0;
        }, 15_000);
        assert.ok(gone, `the daemon ${pid} did not stop on SIGTERM`);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({ name: "the .deb passes lintian without errors", ignore: noLintian }, async () => {
  const { deb } = await built();
  const r = await run(["lintian", "--fail-on", "error", deb], { check: false, timeoutMs: 120_000 });
  assert.doesNotMatch(r.stdout, /^E: /m, r.stdout);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test({
  name: "the .deb holds the executable, unit, man pages, completions, examples and /var/lib/knocktool",
  ignore: noBuild,
}, async () => {
  const { deb, executable } = await built();
  const listing = (await run(["dpkg-deb", "--contents", deb])).stdout;
  const paths = listing.split("\n").filter(Boolean).map((l) => l.replace(/^.* \.\//, "/"));
  for (
    const path of [
      "/usr/bin/knocktool",
      "/lib/systemd/system/knocktool.service",
      "/usr/share/man/man1/knocktool.1.gz",
      "/usr/share/man/man8/knocktool-serve.8.gz",
      "/usr/share/man/man5/knocktool.conf.5.gz",
      "/usr/share/bash-completion/completions/knocktool",
      "/usr/share/zsh/vendor-completions/_knocktool",
      "/usr/share/fish/vendor_completions.d/knocktool.fish",
      "/usr/share/doc/knocktool/examples/knockd.conf",
      "/usr/share/doc/knocktool/copyright",
      "/usr/share/doc/knocktool/changelog.gz",
      "/var/lib/knocktool/",
    ]
  ) {
    assert.ok(paths.includes(path), `${path} in\n${paths.join("\n")}`);
  }
  assert.match(listing, /^-rwxr-xr-x root\/root +\d+ .* \.\/usr\/bin\/knocktool$/m);
  const fields = (await run(["dpkg-deb", "--field", deb, "Package", "Version", "Architecture"])).stdout;
  assert.equal(fields, `Package: knocktool\nVersion: ${VERSION}\nArchitecture: amd64\n`);
  // The packaged executable is the one built, byte for byte.
  const extracted = `${out}/extract`;
  await run(["dpkg-deb", "--extract", deb, extracted]);
  const [a, b] = await Promise.all([
    Deno.readFile(executable),
    Deno.readFile(`${extracted}/usr/bin/knocktool`),
  ]);
  assert.ok(a.length === b.length && a.every((x, i) => x === b[i]), "the same executable");
  await Deno.remove(extracted, { recursive: true });
});

Deno.test({
  name:
    "apt-get installs the .deb; its unit passes systemd-analyze verify; /usr/bin/knocktool opens a door (root)",
  ignore: noApt,
}, async () => {
  const { deb } = await built();
  const apt = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "-y", "-qq"];
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run([...apt, "install", "--reinstall", deb], { env, timeoutMs: 360_000 });
  const dir = await Deno.makeTempDir({ prefix: "knocktool-package-e2e-" });
  try {
    const version = await run(["/usr/bin/knocktool", "--version"]);
    assert.equal(version.stdout, `knocktool ${VERSION}\n`);
    const verify = await run(["systemd-analyze", "verify", "/lib/systemd/system/knocktool.service"], {
      check: false,
    });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(verify.stdout + verify.stderr, "", "systemd-analyze verify has nothing to say");
    assert.ok((await Deno.stat("/var/lib/knocktool")).isDirectory);

    await Deno.chmod(dir, 0o755);
    const { conf, opened } = await doorConfig(dir);
    await withTopology({}, async (t) => {
      await using daemon = t.server.spawn([
        ...await bare(),
        "/usr/bin/knocktool",
        "serve",
        "-v",
        "-c",
        conf,
        "-i",
        t.serverIf,
        "--state-dir",
        dir,
      ]);
      await daemon.waitForLine(/^starting up, listening on /, 30_000);
      await knockAndSeeOpened(t, "/usr/bin/knocktool", opened);
      await daemon.waitForLine(/openSSH: OPEN SESAME$/, 5_000);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
    await run([...apt, "purge", "knocktool"], { env, timeoutMs: 360_000, check: false });
  }
});
