/**
 * `serve`'s config loading (`cli/serve/config.ts`): every config `knocktool lint` calls an error of class
 * KT0xx or KT1xx is refused, with the same codes at the same places, at start and on reload; the other
 * configs load. Run over every lint fixture under `tests/testdata/`, with the real file system (the
 * one-time sequences files the fixtures name are absolute paths: `/dev/null`, `/tmp`, a missing one).
 */
import assert from "node:assert/strict";
import { ACCESS_RULE_LIST } from "../../core/fwknop/mod.ts";
import { RULES } from "../../core/lint/mod.ts";
import { loadConfig, refuses } from "../../cli/serve/config.ts";
import { denoIo } from "../../cli/runtime.ts";
import { runCli } from "./_io.ts";

const TESTDATA = new URL("../testdata/", import.meta.url).pathname;
const FIXTURES = `${TESTDATA}lint/`;
const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** Every `.conf` under `tests/testdata/`, relative to it. */
function configFixtures(dir = TESTDATA, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...configFixtures(`${dir}${e.name}/`, `${prefix}${e.name}/`));
    else if (e.name.endsWith(".conf")) out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number | null;
  column: number | null;
}

/** What `knocktool lint -f json` reports for `path`, run from `tests/testdata/`. */
async function lintJson(path: string): Promise<JsonDiagnostic[]> {
  const r = await runCli(["lint", "-f", "json", path], { cwd: TESTDATA.replace(/\/$/, "") });
  assert.ok(r.code === 0 || r.code === 1, `lint ${path}: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout).diagnostics;
}

function lineOf(d: JsonDiagnostic): string {
  const where = d.line === null ? d.file : `${d.file}:${d.line}:${d.column}`;
  return `${where}: ${d.severity}[${d.code}]: ${d.message}`;
}

/** The real runtime, with relative paths resolved from `tests/testdata/` (tests never chdir). */
const io = (() => {
  const real = denoIo();
  const at = (path: string) => path.startsWith("/") ? path : `${TESTDATA}${path}`;
  return {
    ...real,
    cwd: () => TESTDATA.replace(/\/$/, ""),
    readFile: (p: string) => real.readFile(at(p)),
    stat: (p: string) => real.stat(at(p)),
  };
})();

Deno.test("serve refuses every lint fixture with a KT0xx/KT1xx error, with lint's codes and places; loads the rest", async () => {
  const fixtures = configFixtures();
  assert.ok(fixtures.filter((f) => f.startsWith("lint/")).length >= 20, fixtures.join(" "));
  let refused = 0;
  for (const path of fixtures) {
    const expected = (await lintJson(path)).filter((d) => d.severity === "error" && /^KT[01]/.test(d.code));
    const loaded = loadConfig(path, io);
    if (expected.length === 0) {
      assert.ok(loaded.ok, `${path}: refused, but lint finds no error:\n${loaded.ok ? "" : loaded.report}`);
      continue;
    }
    refused++;
    assert.ok(!loaded.ok, `${path}: loaded, but lint reports ${expected.map((d) => d.code).join(", ")}`);
    assert.deepEqual(loaded.lines, expected.map(lineOf), path);
    for (const d of expected) {
      assert.ok(loaded.report.includes(`${d.file}:${d.line}:${d.column}: error[${d.code}]: `), loaded.report);
    }
    const name = path.match(/^lint\/(kt\d{3})_/)?.[1];
    if (name !== undefined) {
      assert.ok(expected.some((d) => d.code === name.toUpperCase()), `${path}: no ${name}`);
    }
  }
  assert.ok(refused >= 20, `only ${refused} fixtures refused`);
});

Deno.test("every KT0xx/KT1xx error rule has a fixture in tests/testdata/lint/", () => {
  const names = [...Deno.readDirSync(FIXTURES)].map((e) => e.name);
  // fwknop's access.conf rules (KT16x) are not knockd.conf findings: tests/core/fwknop/access_test.ts
  // triggers each, and serve refuses an access.conf by the same parser (tests/cli/serve_fwknop_test.ts).
  const access = new Set(ACCESS_RULE_LIST.map((r) => r.code));
  const codes = RULES.filter((r) => r.severity === "error" && /^KT[01]/.test(r.code) && !access.has(r.code))
    .map((r) => r.code);
  assert.ok(codes.length >= 18, codes.join(" "));
  for (const code of codes) {
    assert.ok(names.some((n) => n.startsWith(`${code.toLowerCase()}_`)), `no fixture for ${code}`);
  }
});

Deno.test("the loader's report is lint's, with source lines; KT2xx warnings alone do not refuse", () => {
  const loaded = loadConfig("lint/kt103_non_canonical_target.conf", io);
  assert.ok(!loaded.ok);
  assert.equal(
    loaded.report,
    'lint/kt103_non_canonical_target.conf:5:14: error[KT103]: Target "not-an-ip" is a host name; knockd compares the destination address as text, so it never matches\n' +
      "   5 |   target   = not-an-ip\n" +
      "     |              ^~~~~~~~~\n" +
      "\n" +
      "1 error, 0 warnings in 1 file\n",
  );
  // The golden fixture has warnings besides its errors: only the errors are reported.
  const golden = loadConfig("golden/lint_fixture.conf", io);
  assert.ok(!golden.ok);
  assert.deepEqual(golden.lines.map((l) => l.match(/\[(KT\d+)\]/)?.[1]), ["KT006", "KT001"]);
  const warned = loadConfig("config/crlf.conf", io);
  assert.ok(warned.ok, warned.ok ? "" : warned.report);
});

Deno.test("refuses() is exactly the errors of class KT0xx and KT1xx", () => {
  const d = (code: string, severity: "error" | "warning") => ({ code, severity, message: "m" });
  assert.equal(refuses(d("KT001", "error")), true);
  assert.equal(refuses(d("KT108", "error")), true);
  assert.equal(refuses(d("KT011", "warning")), false);
  assert.equal(refuses(d("KT208", "warning")), false);
  assert.equal(refuses(d("KT301", "error")), false);
});

Deno.test("the loader says why a config cannot be read: missing, a directory", () => {
  const missing = loadConfig("lint/no-such.conf", io);
  assert.ok(!missing.ok);
  assert.deepEqual(missing.lines, [
    "lint/no-such.conf: error: cannot read config file: No such file or directory",
  ]);
  const dir = loadConfig("lint", io);
  assert.ok(!dir.ok);
  assert.deepEqual(dir.lines, ["lint: error: cannot read config file: Is a directory"]);
});

Deno.test("serve does not start on a config lint calls an error: the report on stderr, exit 1", async () => {
  for (const name of ["kt103_non_canonical_target", "kt101_otp_file_is_directory", "kt108_empty_interface"]) {
    // --read of a missing capture: should the config load by mistake, serve fails fast instead of capturing.
    const r = await runCli(["serve", "-c", `lint/${name}.conf`, "--read", "/nonexistent/kt.pcap"], {
      cwd: TESTDATA.replace(/\/$/, ""),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    const code = name.slice(0, 5).toUpperCase();
    assert.match(r.stderr, new RegExp(`^lint/${name}\\.conf:\\d+:\\d+: error\\[${code}\\]: `), r.stderr);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

const isRoot = Deno.build.os === "linux" && Deno.uid() === 0;

async function poll(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

Deno.test({
  name: "serve on lo keeps its config on a reload that lint calls an error (KT103 target, KT101 directory)",
  ignore: !isRoot, // capturing on lo needs root
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kt-reload-" });
    const conf = `${dir}/knockd.conf`;
    await Deno.writeTextFile(conf, "[d]\nsequence = 47101,47102\ntcpflags = syn\n");
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}/cli/main.ts`, "serve", "-c", conf, "-i", "lo", "-g", `${dir}/log`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      await poll(
        async () => (await readOr(`${dir}/log`)).includes("starting up, listening on lo"),
        "start-up",
      );
      const bad = [
        ["target = not-an-ip", "KT103"],
        ["one_time_sequences = /tmp", "KT101"],
      ] as const;
      for (const [i, [line, code]] of bad.entries()) {
        await Deno.writeTextFile(conf, `[d]\nsequence = 47101,47102\ntcpflags = syn\n${line}\n`);
        daemon.kill("SIGHUP");
        await poll(
          async () => (await readOr(`${dir}/log`)).split("keeping the old configuration").length === i + 2,
          `reload ${i + 1}`,
        );
        assert.match(await readOr(`${dir}/log`), new RegExp(`knockd\\.conf:4:\\d+: error\\[${code}\\]: `));
      }
      // The old door still opens.
      for (const port of [47101, 47102]) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        } catch {
          // refused: the SYN was sent, that is the knock
        }
      }
      await poll(async () => (await readOr(`${dir}/log`)).includes("127.0.0.1: d: OPEN SESAME"), "opening");
    } finally {
      daemon.kill("SIGTERM");
      const status = await daemon.status;
      await daemon.stderr.cancel();
      await Deno.remove(dir, { recursive: true });
      assert.equal(status.code, 0);
    }
  },
});

/**
 * The fixtures Debian's knockd 0.8 runs with (`knockd -c FILE -i lo -D` keeps running): the configs
 * knocktool refuses and knockd does not (README: differences). knockd refuses every other fixture (exit 1).
 */
const KNOCKD_RUNS = new Set([
  "kt103_hostname_target.conf", // a resolvable name goes into the BPF filter; the text compare never matches
  "kt103_leading_zeros_target.conf",
  "kt103_uppercase_ipv6_target.conf",
  "kt104_empty_command.conf",
  "kt105_seq_timeout_never.conf",
  "kt108_empty_interface.conf", // -i replaces Interface; without -i knockd lets libpcap pick a device
  "kt108_empty_interface_in_list.conf", // -i replaces Interface; without -i knockd exits: no device "lo,"
]);

const KNOCKD = "/usr/sbin/knockd";
const hasKnockd = (() => {
  try {
    return Deno.statSync(KNOCKD).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "Debian's knockd refuses every lint fixture except the listed ones (the README's list of differences)",
  ignore: !isRoot || !hasKnockd, // knockd opens lo with libpcap: root, and the knockd package
  fn: async () => {
    const names = [...Deno.readDirSync(FIXTURES)].map((e) => e.name).filter((n) => n.endsWith(".conf"))
      .sort();
    const runs = await Promise.all(names.map(async (name) => {
      const child = new Deno.Command(KNOCKD, {
        args: ["-c", `${FIXTURES}${name}`, "-i", "lo", "-D"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = child.output();
      const exited = await Promise.race([
        output.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 2000)),
      ]);
      if (!exited) child.kill("SIGTERM");
      const out = await output;
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      return { name, runs: !exited, code: out.code, text };
    }));
    for (const r of runs) {
      assert.equal(
        r.runs,
        KNOCKD_RUNS.has(r.name),
        `${r.name}: knockd ${r.runs ? "runs" : "exits"}\n${r.text}`,
      );
      if (!r.runs) assert.equal(r.code, 1, `${r.name}\n${r.text}`);
    }
  },
});
