import assert from "node:assert/strict";
import { ACCESS_RULE_LIST, parseAccessConf } from "../../../core/fwknop/mod.ts";
import { testKeys } from "./_capture.ts";

const keys = testKeys();

function codes(text: string): string[] {
  return parseAccessConf(text, "access.conf").diagnostics.map((d) =>
    `${d.span?.line ?? 0}:${d.span?.column ?? 0} ${d.code}`
  );
}

const GOOD = `# a comment
SOURCE                  ANY
OPEN_PORTS              tcp/22, udp/53
KEY_BASE64              ${keys.keyBase64}
HMAC_KEY_BASE64         ${keys.hmacKeyBase64}
HMAC_DIGEST_TYPE        sha256
FW_ACCESS_TIMEOUT       45
REQUIRE_SOURCE_ADDRESS  Y
REQUIRE_USERNAME        alice
CMD_CYCLE_OPEN          touch /tmp/open-$SRC-$PROTO-$PORT
CMD_CYCLE_CLOSE         NONE
CMD_CYCLE_TIMER         60

SOURCE 10.0.0.0/8, 192.168.1.1
KEY secret-passphrase
HMAC_KEY other-secret
OPEN_PORTS tcp/2222
CMD_CYCLE_OPEN echo $IP
CMD_CYCLE_CLOSE echo close $IP
REQUIRE_SOURCE Y
ACCESS_EXPIRE 12/31/2030
`;

Deno.test("a good access.conf: two stanzas, every value read", () => {
  const conf = parseAccessConf(GOOD, "access.conf");
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stanzas.length, 2);
  const [a, b] = conf.stanzas as [typeof conf.stanzas[0] & object, typeof conf.stanzas[0] & object];
  assert.equal(a.line, 2);
  assert.equal(a.source, "any");
  assert.deepEqual(a.openPorts, [{ proto: "tcp", port: 22 }, { proto: "udp", port: 53 }]);
  assert.equal(a.key.length, 32);
  assert.equal(a.hmacKey?.length, 64);
  assert.equal(a.hmacType, "SHA256");
  assert.equal(a.accessTimeout, 45);
  assert.equal(a.maxTimeout, 300);
  assert.equal(a.cmdCycleTimer, 60);
  assert.equal(a.requireSource, true);
  assert.equal(a.requireUsername, "alice");
  assert.equal(a.cmdCycleOpen, "touch /tmp/open-$SRC-$PROTO-$PORT");
  assert.equal(a.cmdCycleClose, undefined);
  assert.equal(new TextDecoder().decode(b.key), "secret-passphrase");
  assert.equal(b.cmdCycleClose, "echo close $IP");
  assert.equal(b.requireSource, true);
  assert.equal(b.expire, Date.UTC(2030, 11, 31) / 1000);
  assert.equal(b.cmdCycleTimer, undefined);
});

Deno.test("GPG mode is refused naming the line: KT160", () => {
  const conf = parseAccessConf(
    "SOURCE ANY\nGPG_REMOTE_ID 1234ABCD\nKEY_BASE64 " + keys.keyBase64 +
      "\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n",
    "/etc/fwknop/access.conf",
  );
  const d = conf.diagnostics.find((d) => d.code === "KT160")!;
  assert.equal(d.severity, "error");
  assert.equal(d.file, "/etc/fwknop/access.conf");
  assert.deepEqual([d.span?.line, d.span?.column], [2, 1]);
  assert.match(d.message, /GPG mode is not supported/);
  assert.equal(conf.stanzas.length, 0);
});

Deno.test("unsupported, unknown and bad values are errors with their position", () => {
  const base =
    `KEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nREQUIRE_SOURCE_ADDRESS Y\n` +
    `OPEN_PORTS tcp/22\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n`;
  assert.deepEqual(codes(`SOURCE ANY\n${base}FORCE_NAT 192.168.1.2 22\n`), ["8:1 KT160"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}ENABLE_CMD_EXEC Y\n`), ["8:1 KT160"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}ENABLE_CMD_EXEC N\n`), []);
  assert.deepEqual(codes(`SOURCE ANY\n${base}ENCRYPTION_MODE ECB\n`), ["8:17 KT160"]);
  assert.deepEqual(codes(`%include /etc/x\nSOURCE ANY\n${base}`), ["1:1 KT168"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}REQUIRE_SOURCE_ADRESS Y\n`), ["8:1 KT161"]);
  assert.deepEqual(codes(`SOURCE 10.0.0.300\n${base}`), ["1:8 KT162"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}FW_ACCESS_TIMEOUT 30s\n`), ["8:19 KT162"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}HMAC_DIGEST_TYPE SHA9\n`), ["8:18 KT162"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}HMAC_DIGEST_TYPE md5\n`), ["8:18 KT263"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}OPEN_PORTS 22\n`), ["8:1 KT264", "8:12 KT162"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}ACCESS_EXPIRE 2030-12-31\n`), ["8:15 KT162"]);
  assert.deepEqual(codes(`SOURCE ANY\n${base}MAX_FW_TIMEOUT 10\n`), ["8:16 KT262"]);
  assert.deepEqual(codes(`OPEN_PORTS tcp/22\n`), ["1:1 KT168", "0:0 KT169"]);
});

Deno.test("stanza-level checks: no key, no command, half a cycle, same keys, long key, no HMAC, no OPEN_PORTS", () => {
  const tail = "REQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/22\n";
  assert.deepEqual(
    codes(
      `SOURCE ANY\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n${tail}`,
    ),
    ["1:1 KT163"],
  );
  assert.deepEqual(
    codes(`SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\n${tail}`),
    ["1:1 KT164"],
  );
  assert.deepEqual(
    codes(
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nCMD_CYCLE_OPEN x\n${tail}`,
    ),
    ["4:1 KT165"],
  );
  assert.deepEqual(
    codes(`SOURCE ANY\nKEY same\nHMAC_KEY same\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n${tail}`),
    ["3:10 KT166"],
  );
  assert.deepEqual(
    codes(`SOURCE ANY\nKEY ${"k".repeat(33)}\nHMAC_KEY h\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n${tail}`),
    ["2:5 KT167"],
  );
  assert.deepEqual(
    codes(`SOURCE ANY\nKEY k\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\nOPEN_PORTS tcp/22\n`),
    ["1:1 KT260", "1:1 KT261"],
  );
  assert.deepEqual(
    codes(
      `SOURCE ANY\nKEY k\nHMAC_KEY h\nCMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\nREQUIRE_SOURCE_ADDRESS Y\n`,
    ),
    ["1:1 KT265"],
  );
});

Deno.test("every access.conf rule has a triggering case here", () => {
  const k = `KEY_BASE64 ${keys.keyBase64}\n`;
  const h = `HMAC_KEY_BASE64 ${keys.hmacKeyBase64}\n`;
  const cycle = "CMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE NONE\n";
  const cases = [
    `SOURCE ANY\n${k}${h}${cycle}GPG_HOME_DIR /x\n`,
    `SOURCE ANY\n${k}${h}${cycle}NOT_A_DIRECTIVE 1\n`,
    `SOURCE nowhere\n${k}${h}${cycle}`,
    `SOURCE ANY\n${h}${cycle}`,
    `SOURCE ANY\n${k}${h}`,
    `SOURCE ANY\n${k}${h}CMD_CYCLE_CLOSE NONE\n`,
    `SOURCE ANY\nKEY a\nHMAC_KEY a\n${cycle}`,
    `SOURCE ANY\nKEY ${"k".repeat(40)}\n${h}${cycle}`,
    `KEY k\nSOURCE ANY\n${k}${h}${cycle}`,
    `# nothing\n`,
    `SOURCE ANY\n${k}${cycle}MAX_FW_TIMEOUT 1\nHMAC_DIGEST_TYPE SHA1\nHMAC_KEY b\nOPEN_PORTS tcp/1\nOPEN_PORTS tcp/2\n`,
    `SOURCE ANY\n${k}${cycle}`,
  ];
  const found = new Set(cases.flatMap((text) => parseAccessConf(text, "a").diagnostics.map((d) => d.code)));
  for (const r of ACCESS_RULE_LIST) assert.ok(found.has(r.code), `no case triggers ${r.code}`);
});
