/**
 * `knocktool lint` end to end, in-process, with the real lint engine and the
 * real file system: output formats (golden files), stdin, exit codes,
 * `--strict`, `--explain`, and inputs that must never crash it.
 */
import assert from "node:assert/strict";
import { RULES } from "../../core/lint/mod.ts";
import { formatServerKey, publicKeyOf, toBase64Url } from "../../core/spa/mod.ts";
import { MAX_INPUT_BYTES } from "../../cli/lint/read.ts";
import { assertGolden, GOLDEN_DIR } from "../_golden.ts";
import { type Captured, runCli } from "./_io.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** The fixture, named relative to the golden directory so outputs do not depend on the checkout path. */
const FIXTURE = "lint_fixture.conf";
const fromGolden = { cwd: GOLDEN_DIR.replace(/\/$/, "") };

/**
 * A temporary directory holding a copy of the fixture with mode 0666, so the
 * outputs do not depend on the checkout's umask and include the file-level
 * "writable by group and others" finding. Removed by the caller.
 */
async function fixtureDir(): Promise<{ cwd: string; [Symbol.asyncDispose](): Promise<void> }> {
  const cwd = await Deno.makeTempDir({ prefix: "knocktool-fixture-" });
  await Deno.copyFile(`${GOLDEN_DIR}${FIXTURE}`, `${cwd}/${FIXTURE}`);
  await Deno.chmod(`${cwd}/${FIXTURE}`, 0o666);
  return { cwd, [Symbol.asyncDispose]: () => Deno.remove(cwd, { recursive: true }) };
}

/** An exit status and stderr that show the input was handled, not crashed on. */
function assertNoCrash(r: Captured, allowed: readonly number[]): void {
  assert.ok(allowed.includes(r.code), `exit ${r.code}, expected one of ${allowed}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.doesNotMatch(r.stderr + r.stdout, /^\s+at .*:\d+:\d+\)?$/m, "stack trace in output");
}

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "knocktool-lint-" });
}

Deno.test("lint prints findings with source lines and carets (golden, no colour)", async () => {
  await using fixture = await fixtureDir();
  const r = await runCli(["lint", FIXTURE], fixture);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^lint_fixture\.conf:\d+:\d+: error\[KT\d{3}\]: /m);
  assert.match(r.stdout, /^\s+\d+ \| .+\n\s+\| \s*\^~*$/m);
  assert.match(
    r.stdout,
    /^lint_fixture\.conf: warning\[KT218\]: Config file is writable by group and others/m,
  );
  await assertGolden("lint_human", r.stdout);
});

Deno.test("lint colours its output on a terminal (golden) and not with NO_COLOR", async () => {
  await using fixture = await fixtureDir();
  const tty = await runCli(["lint", FIXTURE], { ...fixture, stdoutIsTerminal: true });
  assert.equal(tty.code, 1);
  assert.ok(tty.stdout.includes("\x1b[1;31merror["), "errors are not red");
  await assertGolden("lint_human_color", tty.stdout);
  const plain = await runCli(["lint", FIXTURE], fixture);
  const noColor = await runCli(["lint", FIXTURE], {
    ...fixture,
    stdoutIsTerminal: true,
    env: { NO_COLOR: "1" },
  });
  assert.equal(noColor.stdout, plain.stdout);
  // deno-lint-ignore no-control-regex
  assert.equal(tty.stdout.replace(/\x1b\[[0-9;]*m/g, ""), plain.stdout);
});

Deno.test("lint --format json writes one stable document (golden)", async () => {
  await using fixture = await fixtureDir();
  const r = await runCli(["lint", "--format", "json", FIXTURE], fixture);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(
    doc.errorCount,
    doc.diagnostics.filter((d: { severity: string }) => d.severity === "error").length,
  );
  assert.ok(doc.errorCount > 0 && doc.warningCount > 0, "fixture should have errors and warnings");
  await assertGolden("lint_json", r.stdout);
});

/** The parts of SARIF 2.1.0 GitHub code scanning needs, checked by hand (no schema validator offline). */
function assertSarifShape(log: Record<string, unknown>): void {
  // deno-lint-ignore no-explicit-any
  const l = log as any;
  assert.equal(l.version, "2.1.0");
  assert.match(l.$schema, /sarif-2\.1\.0/);
  assert.equal(l.runs.length, 1);
  const run = l.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, "knocktool");
  assert.equal(typeof driver.version, "string");
  assert.match(driver.informationUri, /^https:\/\//);
  assert.equal(run.columnKind, "utf16CodeUnits");
  const ids = new Set<string>();
  for (const rule of driver.rules) {
    assert.match(rule.id, /^KT\d{3}$/);
    assert.ok(!ids.has(rule.id), `duplicate rule ${rule.id}`);
    ids.add(rule.id);
    assert.equal(typeof rule.name, "string");
    assert.ok(rule.shortDescription.text.length > 0, `${rule.id} shortDescription`);
    assert.ok(rule.fullDescription.text.length > 0, `${rule.id} fullDescription`);
    assert.ok(rule.help.text.length > 0, `${rule.id} help`);
    assert.ok(["error", "warning", "note", "none"].includes(rule.defaultConfiguration.level));
  }
  assert.ok(run.results.length > 0);
  for (const result of run.results) {
    assert.ok(["error", "warning", "note", "none"].includes(result.level), `level ${result.level}`);
    assert.equal(driver.rules[result.ruleIndex].id, result.ruleId, "ruleIndex does not point at ruleId");
    assert.ok(result.message.text.length > 0);
    assert.equal(result.locations.length, 1);
    const loc = result.locations[0].physicalLocation;
    assert.equal(typeof loc.artifactLocation.uri, "string");
    if (!loc.artifactLocation.uri.startsWith("file://") && loc.artifactLocation.uri !== "-") {
      assert.equal(loc.artifactLocation.uriBaseId, "%SRCROOT%");
      assert.ok(!loc.artifactLocation.uri.startsWith("/"), "relative uri expected");
    }
    if (loc.region !== undefined) {
      for (const key of ["startLine", "startColumn", "endColumn"]) {
        assert.ok(Number.isInteger(loc.region[key]) && loc.region[key] >= 1, `${key} ${loc.region[key]}`);
      }
      assert.ok(loc.region.endColumn >= loc.region.startColumn);
    }
  }
}

Deno.test("lint --format sarif writes a valid SARIF 2.1.0 log (golden)", async () => {
  await using fixture = await fixtureDir();
  const r = await runCli(["lint", "--format", "sarif", FIXTURE], fixture);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout);
  assertSarifShape(log);
  assert.equal(log.runs[0].tool.driver.rules.length, RULES.length, "every rule, and only those, listed");
  assert.equal(
    log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri,
    "lint_fixture.conf",
  );
  await assertGolden("lint_sarif", r.stdout);
});

Deno.test("lint - reads standard input", async () => {
  const text = await Deno.readTextFile(`${GOLDEN_DIR}${FIXTURE}`);
  const fromFile = await runCli(["lint", "--format", "json", FIXTURE], fromGolden);
  const r = await runCli(["lint", "--format", "json", "-"], { stdin: text });
  assert.equal(r.code, 1);
  const a = JSON.parse(fromFile.stdout), b = JSON.parse(r.stdout);
  assert.deepEqual(b.files.map((f: { path: string }) => f.path), ["-"]);
  assert.deepEqual(
    b.diagnostics.map((d: { code: string; line: number }) => [d.code, d.line]),
    a.diagnostics.filter((d: { line: number | null }) => d.line !== null).map((
      d: { code: string; line: number },
    ) => [
      d.code,
      d.line,
    ]),
  );
  const human = await runCli(["lint", "-"], { stdin: text });
  assert.match(human.stdout, /^<stdin>:\d+:\d+: error/m);
});

Deno.test("lint exits 0 on the example config with no findings at all", async () => {
  const r = await runCli(["lint", "examples/knockd.conf"], { cwd: ROOT });
  assert.equal(r.stdout, "0 errors, 0 warnings in 1 file\n");
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("examples/spa.conf: no error once its key and users files exist; only knockd's KT223 warnings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-spa-example-" });
  try {
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    await Deno.writeTextFile(
      `${dir}/server.key`,
      formatServerKey({ privateKey: random(32), mac1: random(32) }),
    );
    await Deno.chmod(`${dir}/server.key`, 0o600);
    await Deno.writeTextFile(`${dir}/users`, `alice ${toBase64Url(publicKeyOf("ed25519", random(32)))}\n`);
    const example = await Deno.readTextFile(`${ROOT}/examples/spa.conf`);
    assert.match(example, /SPA_Server_Key = \/etc\/knocktool\/server\.key/);
    const text = example.replaceAll("/etc/knocktool/", `${dir}/`).replaceAll(
      "/var/lib/knocktool/",
      `${dir}/`,
    );
    const r = await runCli(["lint", "--format", "json", "-"], { stdin: text });
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.errorCount, 0, r.stdout);
    const codes = new Set<string>(doc.diagnostics.map((d: { code: string }) => d.code));
    assert.deepEqual([...codes], ["KT223"], r.stdout);
    assert.equal(r.code, 0);
    // As shipped, only the two files it names are missing.
    const shipped = await runCli(["lint", "--format", "json", "examples/spa.conf"], { cwd: ROOT });
    const missing = JSON.parse(shipped.stdout).diagnostics.filter((d: { severity: string }) =>
      d.severity === "error"
    );
    assert.deepEqual(missing.map((d: { code: string }) => d.code), ["KT153", "KT153"], shipped.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lint exits 0 with warnings only, 1 with --strict", async () => {
  const text = "[door]\nsequence = 7000,8000,\n";
  const r = await runCli(["lint", "--format", "json", "-"], { stdin: text });
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.errorCount, 0, r.stdout);
  assert.ok(doc.warningCount > 0, r.stdout);
  assert.equal(r.code, 0);
  const strict = await runCli(["lint", "--strict", "-"], { stdin: text });
  assert.equal(strict.code, 1);
});

Deno.test("lint exits 2 for a missing file, and still reports the others", async () => {
  const r = await runCli(["lint", "no/such.conf", FIXTURE], fromGolden);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "knocktool: no/such.conf: No such file or directory\n");
  assert.match(r.stdout, /lint_fixture\.conf:\d+:\d+: error/);
  assert.match(r.stdout, /in 1 file \(1 could not be read\)\n$/);
  const json = JSON.parse((await runCli(["lint", "-f", "json", "no/such.conf"], fromGolden)).stdout);
  assert.equal(json.files[0].ioError, "No such file or directory");
  const sarif = JSON.parse((await runCli(["lint", "-f", "sarif", "no/such.conf"], fromGolden)).stdout);
  assert.equal(sarif.runs[0].invocations[0].executionSuccessful, false);
});

Deno.test("lint reports an unreadable file with the OS reason and exits 2", async () => {
  const r = await runCli(["lint", "/etc/knockd.conf"], {
    overrides: {
      stat: () => ({ isFile: true, isDirectory: false, size: 10, mode: 0o600 }),
      readFile: () => {
        throw new Deno.errors.PermissionDenied("Permission denied (os error 13): open '/etc/knockd.conf'");
      },
    },
  });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "knocktool: /etc/knockd.conf: Permission denied\n");
});

Deno.test("lint --explain prints a rule's explanation; unknown codes exit 2", async () => {
  const rule = RULES[0]!;
  const r = await runCli(["lint", "--explain", rule.code.toLowerCase()]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`${rule.code} ${rule.name} (${rule.severity})\n`), r.stdout);
  assert.ok(r.stdout.includes(rule.explanation.trim()));
  const unknown = await runCli(["lint", "--explain", "KT999"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /Unknown rule code "KT999"/);
  const both = await runCli(["lint", "--explain", rule.code, "x.conf"]);
  assert.equal(both.code, 2);
});

Deno.test("lint resolves a relative One_Time_Sequences path against the current directory", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/door.conf`, "[door]\none_time_sequences = otp.txt\n");
    const missing = await runCli(["lint", "-f", "json", "door.conf"], { cwd: dir });
    const doc = JSON.parse(missing.stdout);
    assert.ok(
      doc.diagnostics.some((d: { message: string }) => d.message.includes("No such file or directory")),
      missing.stdout,
    );
    assert.equal(missing.code, 1);
    await Deno.writeTextFile(`${dir}/otp.txt`, "7000,8000,9000\n6000,5000,4000\n");
    const present = await runCli(["lint", "-f", "json", "door.conf"], { cwd: dir });
    assert.ok(
      !JSON.parse(present.stdout).diagnostics.some((d: { message: string }) =>
        d.message.includes("No such file")
      ),
      present.stdout,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lint reads /dev/null as an empty one-time sequences file (KT102: knockd reads it too), a directory is KT101", async () => {
  const dir = await tempDir();
  try {
    const codes = async (path: string) => {
      await Deno.writeTextFile(`${dir}/door.conf`, `[door]\none_time_sequences = ${path}\ntcpflags = syn\n`);
      const r = await runCli(["lint", "-f", "json", "door.conf"], { cwd: dir });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      return JSON.parse(r.stdout).diagnostics.map((
        d: { code: string; message: string },
      ) => [d.code, d.message]);
    };
    assert.deepEqual(await codes("/dev/null"), [[
      "KT102",
      'One-time sequences file "/dev/null" of door "door" has no valid sequence left',
    ]]);
    assert.deepEqual(await codes(dir), [[
      "KT101",
      `One-time sequences file "${dir}" of door "door" cannot be read: Is a directory`,
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lint shows the source line of a finding in a one-time sequences file from that file", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/seq.otp`, " 7000,8000,9000\n1111,3333,2222\n 70000\n");
    await Deno.writeTextFile(
      `${dir}/door.conf`,
      "[options]\n  logfile = /tmp/x\n[d]\n  one_time_sequences = seq.otp\n  tcpflags = syn\n",
    );
    const r = await runCli(["lint", "door.conf"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const block = (code: string) => {
      const lines = r.stdout.split("\n");
      const at = lines.findIndex((l) => l.includes(`[${code}]`));
      assert.ok(at >= 0, r.stdout);
      return lines.slice(at, at + 3);
    };
    assert.deepEqual(block("KT208").slice(1), ["   1 |  7000,8000,9000", "     |  ^~~~~~~~~~~~~~"]);
    assert.deepEqual(block("KT207"), [
      'seq.otp:2:1: warning[KT207]: One-time sequence on line 2 does not start with a space; knockd overwrites its first digit with "#" when it is used',
      "   2 | 1111,3333,2222",
      "     | ^",
    ]);
    assert.deepEqual(block("KT011").slice(1), ["   3 |  70000", "     |  ^~~~~"]);
    assert.doesNotMatch(r.stdout, /\| \[options\]/, "a line of the .conf shown for the .otp file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A deterministic byte generator (xorshift32), so failures reproduce. */
function randomBytes(n: number, seed = 0x2545f491): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

Deno.test("lint never crashes: binary garbage, invalid UTF-8, a directory, a 100 MB file", async (t) => {
  const dir = await tempDir();
  try {
    await t.step("binary garbage (64 KiB, in every format)", async () => {
      await Deno.writeFile(`${dir}/garbage.bin`, randomBytes(64 * 1024));
      for (const format of ["human", "json", "sarif"]) {
        const r = await runCli(["lint", "-f", format, "garbage.bin"], { cwd: dir });
        assertNoCrash(r, [0, 1]);
        if (format === "human") {
          assert.doesNotMatch(r.stdout, RAW_CONTROL, "raw control bytes printed");
        } else JSON.parse(r.stdout);
      }
    });
    await t.step("binary garbage on standard input", async () => {
      assertNoCrash(await runCli(["lint", "-"], { stdin: randomBytes(4096, 7) }), [0, 1]);
    });
    await t.step("invalid UTF-8 is decoded with U+FFFD", async () => {
      const bytes = new Uint8Array([
        ...new TextEncoder().encode("[door]\nsequence = 7000,"),
        0xff,
        0xfe,
        ...new TextEncoder().encode("8000\nstart_command = echo \xe9\n"),
        0xc3,
      ]);
      await Deno.writeFile(`${dir}/bad-utf8.conf`, bytes);
      const r = await runCli(["lint", "bad-utf8.conf"], { cwd: dir });
      assertNoCrash(r, [0, 1]);
    });
    await t.step("a directory exits 2 with the reason", async () => {
      const r = await runCli(["lint", "."], { cwd: dir });
      assertNoCrash(r, [2]);
      assert.equal(r.stderr, "knocktool: .: Is a directory\n");
    });
    await t.step("a 100 MB file is refused quickly with exit 2", async () => {
      const big = await Deno.open(`${dir}/big.conf`, { write: true, create: true });
      await big.truncate(100 * 1024 * 1024);
      big.close();
      const start = performance.now();
      const r = await runCli(["lint", "big.conf"], { cwd: dir });
      const ms = performance.now() - start;
      assertNoCrash(r, [2]);
      assert.match(r.stderr, /big\.conf: File is too large \(104857600 bytes; the limit is 1048576\)/);
      assert.ok(ms < 2000, `took ${ms} ms`);
    });
    await t.step("100 MB on standard input is refused too", async () => {
      const r = await runCli(["lint", "-"], { stdin: new Uint8Array(100 * 1024 * 1024) });
      assertNoCrash(r, [2]);
      assert.match(r.stderr, /Input is too large/);
    });
    await t.step("a file just under the size limit, full of garbage lines, is linted", async () => {
      const line = "sequence = 7000,8000,9000\n[door]\n\x00\xff garbage = = =\n";
      const text = line.repeat(Math.floor(MAX_INPUT_BYTES / new TextEncoder().encode(line).length));
      assert.ok(new TextEncoder().encode(text).length <= MAX_INPUT_BYTES);
      await Deno.writeTextFile(`${dir}/large.conf`, text);
      const start = performance.now();
      const r = await runCli(["lint", "-f", "json", "large.conf"], { cwd: dir });
      const ms = performance.now() - start;
      assertNoCrash(r, [0, 1]);
      JSON.parse(r.stdout);
      assert.ok(ms < 10_000, `took ${ms} ms`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unexpected exception becomes 'internal error' and exit 70, without a stack trace", async () => {
  const r = await runCli(["lint", FIXTURE], {
    ...fromGolden,
    overrides: {
      stdout: () => {
        throw new Error("Broken pipe");
      },
    },
  });
  assert.equal(r.code, 70);
  assert.equal(r.stderr, "knocktool: internal error: Broken pipe\n");
});
