import assert from "node:assert/strict";
import { runCli } from "./_io.ts";
import { testKeys } from "../core/fwknop/_capture.ts";

const keys = testKeys();

Deno.test("lint --fwknop-access: file:line:col findings, exit 1 on errors, explain works", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-lint-" });
  try {
    const bad = `${dir}/bad.conf`;
    await Deno.writeTextFile(
      bad,
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nGPG_HOME_DIR /root/.gnupg\nCMD_CYCLE_OPEN x\n`,
    );
    const r = await runCli(["lint", "--format", "json", "--fwknop-access", bad]);
    assert.equal(r.code, 1, r.stderr);
    const found = JSON.parse(r.stdout).diagnostics.map((
      d: { code: string; line: number; column: number },
    ) => `${d.line}:${d.column} ${d.code}`);
    assert.deepEqual(found, ["1:1 KT260", "1:1 KT261", "1:1 KT265", "3:1 KT160", "4:1 KT165"]);
    const human = await runCli(["lint", "--fwknop-access", bad]);
    assert.match(
      human.stdout,
      new RegExp(`${bad}:3:1: error\\[KT160\\]: GPG_HOME_DIR: GPG mode is not supported`),
    );
    // A FILE named access.conf is read as one, beside a knockd.conf.
    await Deno.mkdir(`${dir}/fwknop`);
    const good = `${dir}/fwknop/access.conf`;
    await Deno.writeTextFile(
      good,
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nOPEN_PORTS tcp/22\n` +
        `REQUIRE_SOURCE_ADDRESS Y\nCMD_CYCLE_OPEN touch /tmp/x-$SRC\nCMD_CYCLE_CLOSE NONE\n`,
    );
    await Deno.writeTextFile(`${dir}/knockd.conf`, "[options]\n  UseSyslog\n");
    const both = await runCli(["lint", `${dir}/knockd.conf`, good]);
    assert.equal(both.code, 0, both.stdout + both.stderr);
    assert.match(both.stdout, /0 errors, 0 warnings in 2 files/);
    const explained = await runCli(["lint", "--explain", "kt261"]);
    assert.equal(explained.code, 0);
    assert.match(explained.stdout, /^KT261 fwknop-no-require-source \(warning\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lint --fwknop-nft-set: a stanza without CMD_CYCLE_OPEN is KT164 only without it, as in serve", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-lint-nft-" });
  try {
    const path = `${dir}/access.conf`;
    await Deno.writeTextFile(
      path,
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nOPEN_PORTS tcp/22\n` +
        `REQUIRE_SOURCE_ADDRESS Y\n`,
    );
    const plain = await runCli(["lint", path]);
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /1:1: error\[KT164\]: .*--fwknop-nft-set/);
    const nft = await runCli(["lint", "--fwknop-nft-set", "inet filter fwknop4", path]);
    assert.equal(nft.code, 0, nft.stdout + nft.stderr);
    assert.match(nft.stdout, /0 errors, 0 warnings in 1 file/);
    const six = await runCli(["lint", "--fwknop-nft-set-6", "inet filter fwknop6", path]);
    assert.equal(six.code, 0, six.stdout + six.stderr);
    const bad = await runCli(["lint", "--fwknop-nft-set", "ip6 filter x", path]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fwknop-nft-set: "--fwknop-nft-set" holds IPv4 addresses/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
