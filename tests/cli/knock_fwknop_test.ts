import assert from "node:assert/strict";
import dgram from "node:dgram";
import { clientStanza, FwknopDoor, parseAccessConf, parseFwknopRc } from "../../core/fwknop/mod.ts";
import { runCli } from "./_io.ts";
import { testKeys } from "../core/fwknop/_capture.ts";

const keys = testKeys();

/** A UDP socket on loopback; resolves with the first datagram. */
async function listener(): Promise<{ port: number; first: Promise<Uint8Array>; close(): void }> {
  const socket = dgram.createSocket("udp4");
  const first = new Promise<Uint8Array>((resolve) =>
    socket.once("message", (m) => resolve(new Uint8Array(m)))
  );
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, first, close: () => socket.close() };
}

Deno.test("knock --fwknop: the rc stanza's packet is one the fwknop door accepts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-fwknop-knock-" });
  const server = await listener();
  try {
    const rc = `${dir}/fwknoprc`;
    await Deno.writeTextFile(
      rc,
      `[default]\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nUSE_HMAC Y\n` +
        `[srv]\nACCESS tcp/22\nALLOW_IP 192.0.2.44\nSPA_SERVER_PORT ${server.port}\nFW_TIMEOUT 40\nSPOOF_USER carol\n`,
    );
    const r = await runCli(["knock", "--fwknop", "--fwknop-rc", rc, "-n", "srv", "-v", "127.0.0.1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^fwknop: SPA packet \(\d+ bytes\) to 127\.0\.0\.1 udp\/\d+: 192\.0\.2\.44,tcp\/22, timeout 40 s\n$/,
    );
    const payload = await server.first;
    const access = parseAccessConf(
      `SOURCE ANY\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nOPEN_PORTS tcp/22\n` +
        `REQUIRE_USERNAME carol\nREQUIRE_SOURCE_ADDRESS Y\nCMD_CYCLE_OPEN open $SRC $TIMEOUT\nCMD_CYCLE_CLOSE NONE\n`,
      "access.conf",
    );
    assert.deepEqual(access.diagnostics, []);
    const door = new FwknopDoor({ stanzas: access.stanzas, statePath: "/dev/null" });
    const v = door.datagram(
      {
        family: 4,
        src: "127.0.0.1",
        dst: "127.0.0.1",
        sport: 1,
        dport: server.port,
        payload,
        timeMs: Date.now(),
      },
      Date.now(),
    );
    assert.ok(v.kind === "open", JSON.stringify(v));
    assert.equal(v.commands.start, "open 192.0.2.44 40");
    // Usage errors: a missing stanza, ports given, an unreadable rc file.
    const missing = await runCli(["knock", "--fwknop", "--fwknop-rc", rc, "-n", "nope", "127.0.0.1"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /fwknoprc: \[nope\]: no stanza \[nope\] \(stanzas: default, srv\)/);
    const ports = await runCli(["knock", "--fwknop", "--fwknop-rc", rc, "-n", "srv", "127.0.0.1", "22"]);
    assert.equal(ports.code, 2);
    const unreadable = await runCli(["knock", "--fwknop", "--fwknop-rc", `${dir}/none`, "127.0.0.1"]);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /none: cannot read the fwknop rc file/);
  } finally {
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("~/.fwknoprc: [default] under the named stanza, overrides, refusals with their line", () => {
  const parsed = parseFwknopRc(
    `# made by fwknop --key-gen\n[default]\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\n` +
      `ACCESS tcp/22\n\n[a]\nALLOW_IP source\nHMAC_DIGEST_TYPE sha512\nTIME_OFFSET -2m\n[b]\nUSE_GPG Y\n` +
      `[c]\nALLOW_IP resolve\n[d]\nKEY_BASE64 ***\nALLOW_IP 1.2.3.4\n`,
  );
  assert.ok(parsed.ok);
  const a = clientStanza(parsed.rc, "a");
  assert.ok(a.ok);
  assert.equal(a.stanza.allow, "0.0.0.0");
  assert.equal(a.stanza.hmacType, "SHA512");
  assert.equal(a.stanza.timeOffset, -120);
  assert.deepEqual(a.stanza.access, [{ proto: "tcp", port: 22 }]);
  assert.equal(a.stanza.port, 62201);
  const over = clientStanza(parsed.rc, "a", { access: "udp/53,tcp/2222", allow: "10.0.0.9" });
  assert.ok(over.ok);
  assert.equal(over.stanza.allow, "10.0.0.9");
  assert.equal(over.stanza.access.length, 2);
  assert.deepEqual(clientStanza(parsed.rc, "b"), {
    ok: false,
    error: "line 12: USE_GPG: GPG mode is not supported",
  });
  const c = clientStanza(parsed.rc, "c");
  assert.ok(!c.ok && /line 14: ALLOW_IP: resolve is not supported/.test(c.error));
  const d = clientStanza(parsed.rc, "d");
  assert.ok(!d.ok && /line 16: KEY_BASE64: not base64/.test(d.error));
  assert.deepEqual(parseFwknopRc("KEY x\n"), { ok: false, line: 1 });
});
