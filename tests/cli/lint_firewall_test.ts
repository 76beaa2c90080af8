/**
 * `knocktool lint --check-firewall`: the kernel's nftables sets checked for the doors that name them (a
 * reader injected here; tests/e2e/nft_test.ts has the real one): a missing set is an error with the nft
 * commands that create it, an unreadable ruleset a warning; without the flag nothing is read.
 */
import assert from "node:assert/strict";
import { explainRule, lintConfig, RULES } from "../../core/lint/mod.ts";
import type { NftFacts, NftRequirement } from "../../core/nft/mod.ts";
import { type FirewallReader, runLint } from "../../cli/lint/command.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";

const CONF = `[openSSH]
  sequence    = 7113,4091,9277
  tcpflags    = syn
  Nft_Set     = inet filter knock_ssh4
  Nft_Timeout = 30
`;

async function lint(args: { checkFirewall?: boolean; format?: "human" | "json" }, reader: FirewallReader) {
  const dir = await Deno.makeTempDir({ prefix: "kt-lint-fw-" });
  try {
    await Deno.writeTextFile(`${dir}/k.conf`, CONF);
    let stdout = "";
    const io: Io = {
      ...denoIo(),
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      stdoutIsTerminal: false,
    };
    const code = await runLint(
      {
        format: args.format ?? "json",
        strict: false,
        files: [`${dir}/k.conf`],
        checkFirewall: args.checkFirewall === true,
      },
      io,
      { lintConfig, rules: RULES, explainRule },
      reader,
    );
    return { code, stdout };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const codes = (stdout: string) =>
  (JSON.parse(stdout).diagnostics as { code: string; message: string; line: number }[]).filter((d) =>
    d.code.startsWith("KT3")
  );

Deno.test("lint --check-firewall: a missing set is KT301 with the commands; the reader sees the doors' sets", async () => {
  const asked: NftRequirement[][] = [];
  const reader: FirewallReader = (requirements) => {
    asked.push([...requirements]);
    return {
      ok: true,
      ruleset: { tables: [{ family: "inet", name: "filter" }], sets: [] },
      trials: new Map(),
    };
  };
  const r = await lint({ checkFirewall: true }, reader);
  assert.equal(r.code, 1);
  assert.deepEqual(codes(r.stdout).map((d) => [d.code, d.line, d.message]), [[
    "KT301",
    4,
    'Door "openSSH" adds to nftables set inet filter knock_ssh4, which does not exist; create it with: ' +
    "nft add set inet filter knock_ssh4 '{ type ipv4_addr; flags timeout; }'",
  ]]);
  assert.deepEqual(asked.map((reqs) => reqs.map((q) => `${q.door} ${q.ref.set}`)), [["openSSH knock_ssh4"]]);
});

Deno.test("lint --check-firewall: an unreadable ruleset is a KT303 warning (exit 0); without the flag nothing is read", async () => {
  const denied: NftFacts = { ok: false, reason: "cannot list the nftables tables: Operation not permitted" };
  const r = await lint({ checkFirewall: true }, () => denied);
  assert.equal(r.code, 0);
  assert.deepEqual(codes(r.stdout).map((d) => [d.code, d.message]), [[
    "KT303",
    "The nftables sets were not checked: cannot list the nftables tables: Operation not permitted",
  ]]);
  const untouched = await lint({}, () => {
    throw new Error("read without --check-firewall");
  });
  assert.equal(untouched.code, 0);
  assert.deepEqual(codes(untouched.stdout), []);
  assert.match(explainRule("kt301")?.explanation ?? "", /--check-firewall/);
});
