/**
 * `serve --fwknop-access` on the packets the real fwknop client sent (tests/testdata/fwknop/capture.pcap),
 * replayed through the whole daemon with `--read` (packet times are the clock): the accepted packet runs
 * CMD_CYCLE_OPEN and, CMD_CYCLE_TIMER later, CMD_CYCLE_CLOSE; every refusal is logged with its reason; the
 * replay cache written before the command stops the same packet after a restart; lint's errors refuse the
 * file.
 */
import assert from "node:assert/strict";
import { testKeys } from "../core/fwknop/_capture.ts";

const CAPTURE = new URL("../testdata/fwknop/capture.pcap", import.meta.url).pathname;
const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;
const keys = testKeys();

function accessConf(dir: string, extra = ""): string {
  const path = `${dir}/access.conf`;
  Deno.writeTextFileSync(
    path,
    `SOURCE ANY
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22, udp/53
REQUIRE_SOURCE_ADDRESS Y
CMD_CYCLE_OPEN echo OPEN $SRC $PROTO/$PORT $TIMEOUT >> ${dir}/out
CMD_CYCLE_CLOSE echo CLOSE $SRC >> ${dir}/out
CMD_CYCLE_TIMER 5
${extra}`,
  );
  return path;
}

async function serve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("serve --fwknop-access --read: the real client's packets open, or are refused with their reason", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const access = accessConf(dir);
    const digests = `${dir}/digests`;
    const run = await serve([
      "--fwknop-access",
      access,
      "--fwknop-digest-file",
      digests,
      "--read",
      CAPTURE,
      "-v",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split("\n");
    const expected = [
      /^127\.0\.0\.1: fwknop: SPA packet accepted: user root, open tcp\/22 for 10\.1\.2\.3 for 5 s/,
      /^fwknop: running command: echo OPEN 10\.1\.2\.3 6\/22 5 >> /,
      /^127\.0\.0\.1: fwknop: SPA packet refused: allow address 0\.0\.0\.0 \(-s\) but REQUIRE_SOURCE_ADDRESS is Y/,
      /^127\.0\.0\.1: fwknop: SPA packet refused: tcp\/2222 is not in OPEN_PORTS/,
      /^127\.0\.0\.1: fwknop: SPA packet refused: the HMAC does not match/, // SHA512 HMAC, stanza says SHA256
      /^127\.0\.0\.1: fwknop: SPA packet refused: decryption failed \(wrong KEY\?\)/, // text KEY, stanza has another
      /^127\.0\.0\.1: fwknop: SPA packet refused: SPA data time difference is too great \(300 seconds/,
      /^10\.1\.2\.3: fwknop: command timeout$/,
      /^fwknop: running command: echo CLOSE 10\.1\.2\.3 >> /,
    ];
    expected.forEach((re, i) => assert.match(lines[i] ?? "", re, run.stdout));
    assert.equal(Deno.readTextFileSync(`${dir}/out`), "OPEN 10.1.2.3 6/22 5\nCLOSE 10.1.2.3\n");
    assert.match(Deno.readTextFileSync(digests), /^[A-Za-z0-9+/]{43} \d+\n/);
    // A restart with the persisted cache: the accepted packet is now a replay; nothing runs.
    const again = await serve([
      "--fwknop-access",
      access,
      "--fwknop-digest-file",
      digests,
      "--read",
      CAPTURE,
      "-v",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^127\.0\.0\.1: fwknop: SPA packet refused: replay of an accepted packet/m);
    assert.doesNotMatch(again.stdout, /accepted: user/);
    assert.equal(Deno.readTextFileSync(`${dir}/out`), "OPEN 10.1.2.3 6/22 5\nCLOSE 10.1.2.3\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("serve refuses an access.conf that lint calls wrong, naming file:line:col", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const access = accessConf(dir, "GPG_DECRYPT_ID ABCD1234\n");
    const run = await serve([
      "--fwknop-access",
      access,
      "--fwknop-digest-file",
      `${dir}/d`,
      "--read",
      CAPTURE,
    ]);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `${access}:9:1: error[KT160]: GPG_DECRYPT_ID: GPG mode is not supported (use Rijndael keys: fwknop --key-gen)\n`,
    );
    const missing = await serve(["--fwknop-access", `${dir}/nope`, "--read", CAPTURE]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope: error: cannot read fwknop access file: /);
    Deno.writeTextFileSync(`${dir}/d`, "not a digest line\n");
    const corrupt = await serve([
      "--fwknop-access",
      accessConf(dir),
      "--fwknop-digest-file",
      `${dir}/d`,
      "--read",
      CAPTURE,
    ]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /d:1: error: the fwknop replay cache is corrupt/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("serve --fwknop-conf: fwknopd.conf's PCAP_FILTER port (the capture is to 62201) and its errors", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const access = accessConf(dir);
    const conf = `${dir}/fwknopd.conf`;
    const run = async (text: string) => {
      Deno.writeTextFileSync(conf, text);
      try {
        Deno.removeSync(`${dir}/d`);
      } catch {
        // none yet
      }
      return await serve([
        "--fwknop-access",
        access,
        "--fwknop-conf",
        conf,
        "--fwknop-digest-file",
        `${dir}/d`,
        "--read",
        CAPTURE,
        "-v",
      ]);
    };
    const other = await run("PCAP_FILTER udp port 62202;\n");
    assert.equal(other.code, 0, other.stderr);
    assert.doesNotMatch(other.stdout, /fwknop: SPA packet/);
    const same = await run("PCAP_FILTER udp port 62201;\nMAX_SPA_PACKET_AGE 1000\n");
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /SPA packet accepted/);
    // A window of 1000 s lets the packet made 300 s in the past through to the port check.
    assert.doesNotMatch(same.stdout, /time difference is too great/);
    const bad = await run("PCAP_FILTER tcp port 1\n");
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /fwknopd\.conf:1: error: PCAP_FILTER "tcp port 1": only "udp port N" is understood/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("serve --fwknop-nft-set --read --dry-run: a stanza without CMD_CYCLE_OPEN logs its nft element, runs nothing; without the option, KT164", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const access = `${dir}/access.conf`;
    Deno.writeTextFileSync(
      access,
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nOPEN_PORTS tcp/22, udp/53\n` +
        `REQUIRE_SOURCE_ADDRESS Y\nFW_ACCESS_TIMEOUT 45\n`,
    );
    const args = ["--fwknop-access", access, "--fwknop-digest-file", `${dir}/d`, "--read", CAPTURE];
    const run = await serve([...args, "--fwknop-nft-set", "inet filter fwknop4", "--dry-run", "-v"]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split("\n");
    const accepted = lines.findIndex((l) =>
      /^127\.0\.0\.1: fwknop: SPA packet accepted: user root, open tcp\/22 for 10\.1\.2\.3 for 45 s/.test(l)
    );
    assert.ok(accepted >= 0, run.stdout);
    assert.equal(lines[accepted + 1], "fwknop: nft: adding 10.1.2.3 to inet filter fwknop4, timeout 45 s");
    assert.ok(!lines.some((l) => /running command/.test(l)), run.stdout);
    const plain = await serve(args);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, new RegExp(`^${access}:1:1: error\\[KT164\\]: .*--fwknop-nft-set`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
