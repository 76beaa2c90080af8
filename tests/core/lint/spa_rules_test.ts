/**
 * The SPA lint rules (core/lint/rules/spa.ts, KT150-KT156, KT250-KT251) and the parser's acceptance of a
 * door without a sequence when it has SPA_Port.
 */
import assert from "node:assert/strict";
import { lintConfig } from "../../../core/lint/mod.ts";
import type { FileFacts } from "../../../core/lint/types.ts";
import { formatServerKey, publicKeyOf, toBase64Url } from "../../../core/spa/mod.ts";
import { ALICE_PRIVATE, MAC1, SERVER_PRIVATE } from "../spa/_fixture.ts";

const KEY = formatServerKey({ privateKey: SERVER_PRIVATE, mac1: MAC1 });
const ALICE = `alice ${toBase64Url(publicKeyOf("ed25519", ALICE_PRIVATE))}\n`;

function lint(text: string, files: Record<string, FileFacts> = {}) {
  const all: Record<string, FileFacts> = {
    "/etc/k/server.key": { kind: "file", text: KEY, mode: 0o600 },
    "/etc/k/users": { kind: "file", text: ALICE, mode: 0o644 },
    ...files,
  };
  const result = lintConfig(text, {
    file: "/etc/knockd.conf",
    readFile: (path) => all[path] ?? { kind: "error", message: "No such file or directory" },
  });
  return result.diagnostics.filter((d) => d.code !== "KT223").map((d) =>
    `${d.file === "/etc/knockd.conf" ? "" : d.file ?? ""}${
      d.span === undefined ? "" : `:${d.span.line}:${d.span.column}`
    } ${d.code} ${d.message}`
  );
}

const DOOR = `[ssh]
SPA_Port = 62201
SPA_Server_Key = /etc/k/server.key
SPA_Users = /etc/k/users
start_command = /usr/sbin/nft add element inet filter ssh { %IP% }
cmd_timeout = 30
`;

Deno.test("SPA lint: a complete SPA door without a sequence is clean", () => {
  assert.deepEqual(lint(DOOR), []);
});

Deno.test("SPA lint: bad values (KT150, KT151) and a window over 10 minutes (KT152)", () => {
  assert.deepEqual(lint(DOOR.replace("62201", "spa")), [
    ':2:12 KT150 "SPA_Port" must be UDP ports from 1 to 65535, comma-separated, at most 16 (e.g. "62201"), not "spa"',
  ]);
  assert.deepEqual(lint(DOOR + "SPA_Window = 30s\n"), [
    ':7:14 KT151 "SPA_Window" must be a whole number from 1 to 86400 (e.g. "30"), not "30s"',
  ]);
  assert.deepEqual(lint(DOOR + "SPA_Window = 3600\n"), [
    ':7:14 KT152 SPA_Window of door "ssh" is 3600 s; at most 600 s (10 minutes) is accepted',
  ]);
});

Deno.test("SPA lint: missing and malformed key files (KT153), exposed key (KT154)", () => {
  assert.deepEqual(lint(DOOR.replace("/etc/k/server.key", "/nope")), [
    ':3:18 KT153 Cannot read SPA server key file "/nope": No such file or directory',
  ]);
  assert.deepEqual(lint(DOOR, { "/etc/k/server.key": { kind: "file", text: "x\n", mode: 0o600 } }), [
    ':3:18 KT153 "/etc/k/server.key" is not an SPA server key file: line 1: expected "key = value", not "x"',
  ]);
  assert.deepEqual(lint(DOOR, { "/etc/k/server.key": { kind: "file", text: KEY, mode: 0o644 } }), [
    ':3:18 KT154 SPA server key "/etc/k/server.key" has mode 0644: group or others can read its private key (chmod 600)',
  ]);
  assert.deepEqual(lint(DOOR, { "/etc/k/users": { kind: "file", text: ALICE, mode: 0o666 } }), [
    ':4:13 KT154 SPA users file "/etc/k/users" has mode 0666: group or others can enrol a key (chmod go-w)',
  ]);
});

Deno.test("SPA lint: users file lines at their own line and column (KT155); no users (KT251)", () => {
  assert.deepEqual(lint(DOOR, { "/etc/k/users": { kind: "file", text: ALICE + "bob abc\n", mode: 0o600 } }), [
    '/etc/k/users:2:5 KT155 the public key of "bob" must be 32 bytes in base64url (43 characters)',
  ]);
  assert.deepEqual(lint(DOOR, { "/etc/k/users": { kind: "file", text: "# none\n", mode: 0o600 } }), [
    ':4:13 KT251 SPA users file "/etc/k/users" of door "ssh" has no user',
  ]);
});

Deno.test("SPA lint: incomplete door and stray directives (KT156); a sequence too (KT250)", () => {
  assert.deepEqual(lint(DOOR.replace("SPA_Users = /etc/k/users\n", "")), [
    ':1:1 KT156 SPA door "ssh" has no SPA_Users',
  ]);
  assert.deepEqual(lint("[web]\nsequence = 1,2,3\nSPA_Window = 30\n").filter((l) => l.includes("KT156")), [
    ':3:1 KT156 "SPA_Window" in door "web", which has no SPA_Port',
  ]);
  assert.deepEqual(lint(DOOR + "sequence = 7000,8000,9000\n").filter((l) => l.includes("KT250")), [
    ':1:1 KT250 SPA door "ssh" also has a Sequence: a sniffed sequence opens it without SPA',
  ]);
});
