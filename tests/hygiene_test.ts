/**
 * The project's rules, enforced on this checkout: `deno fmt --check`, `deno lint` and `deno check` over the
 * whole tree, as CI sees it, then every check of `tools/check/` (core purity, layers, import cycles, doc
 * lint of the public API, file size, no paths outside the repository, no self-skipping tests, one error-message
 * helper). What is known to be broken is tolerated only through `KNOWN_VIOLATIONS`
 * (`tools/check/known_violations.ts`); an entry there that no longer matches fails here, so that the list
 * only shrinks.
 */
import assert from "node:assert/strict";
import {
  CHECKS,
  compareWithKnown,
  DOC_LINT,
  formatViolation,
  KNOWN_VIOLATIONS,
  readRepository,
  REPOSITORY_ROOT,
  runDocLint,
  type Violation,
} from "../tools/check/mod.ts";

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPOSITORY_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
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
  const { code, output } = await run([
    "check",
    "--doc",
    "mod.ts",
    "ffi/mod.ts",
    "cli/main.ts",
    "tools/",
    "bench/",
  ]);
  assert.equal(code, 0, `deno check failed:\n${output}`);
});

/** Fails with every unexpected violation and every stale entry of the known list, for `rules`. */
function assertOnlyKnown(violations: readonly Violation[], rules: readonly string[]): void {
  const { unexpected, stale } = compareWithKnown(violations, KNOWN_VIOLATIONS, rules);
  const problems = [
    ...unexpected.map(formatViolation),
    ...stale.map((k) =>
      `${k.file}: [${k.rule}] listed in KNOWN_VIOLATIONS (tools/check/known_violations.ts) but fixed: ` +
      "remove the entry"
    ),
  ];
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
}

const files = await readRepository();

for (const { rules, check } of CHECKS) {
  Deno.test(`hygiene: ${rules.join(", ")}`, () => {
    assertOnlyKnown(check(files), rules);
  });
}

Deno.test(`hygiene: ${DOC_LINT} (deno doc --lint mod.ts ffi/mod.ts)`, async () => {
  assertOnlyKnown(await runDocLint(), [DOC_LINT]);
});

Deno.test("hygiene: every KNOWN_VIOLATIONS entry names a rule that is checked, once", () => {
  const rules = new Set([...CHECKS.flatMap((c) => c.rules), DOC_LINT]);
  assert.deepEqual(KNOWN_VIOLATIONS.filter((k) => !rules.has(k.rule)), []);
  const keys = KNOWN_VIOLATIONS.map((k) => `${k.rule} ${k.file}`);
  assert.deepEqual(keys.filter((key, i) => keys.indexOf(key) !== i), []);
  assert.ok(files.length > 100, `read only ${files.length} files from ${REPOSITORY_ROOT}`);
});
