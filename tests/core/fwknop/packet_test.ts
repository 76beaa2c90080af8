import assert from "node:assert/strict";
import {
  bytesToKey,
  decodeB64,
  decodeMessage,
  decodeSpa,
  encodeB64,
  encodeSpa,
  plausibleSpa,
  spaDigest,
} from "../../../core/fwknop/mod.ts";
import { clientView, readCapture, testKeys } from "./_capture.ts";

const keys = testKeys();
const key = decodeB64(keys.keyBase64)!;
const hmacKey = decodeB64(keys.hmacKeyBase64)!;
const captured = readCapture();

Deno.test("the capture holds the six packets the real client printed", () => {
  assert.equal(captured.length, 6);
  captured.forEach((c, i) => assert.equal(c.text, clientView(i + 1).get("Final SPA Data")));
});

Deno.test("EVP_BytesToKey(MD5): OpenSSL's key and IV (openssl enc -P -md md5 -S 0102030405060708 -pass pass:secret)", () => {
  // Computed by `openssl enc -aes-256-cbc -md md5 -S 0102030405060708 -pass pass:secret -P`.
  const { key, iv } = bytesToKey(new TextEncoder().encode("secret"), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
  const expected = new TextDecoder().decode(
    new Deno.Command("openssl", {
      args: ["enc", "-aes-256-cbc", "-md", "md5", "-S", "0102030405060708", "-pass", "pass:secret", "-P"],
      stdout: "piped",
      stderr: "null",
    }).outputSync().stdout,
  );
  assert.match(expected, new RegExp(`key=${hex(key)}`));
  assert.match(expected, new RegExp(`iv =${hex(iv)}`));
});

Deno.test("the real client's packets decode to the fields it printed", () => {
  const expectations = [
    { n: 1, message: "10.1.2.3,tcp/22", type: 1, user: "root", key, hmacType: "SHA256" as const },
    { n: 2, message: "0.0.0.0,tcp/22,udp/53", type: 1, user: "root", key, hmacType: "SHA256" as const },
    { n: 3, message: "192.0.2.7,tcp/2222", type: 3, user: "root", key, hmacType: "SHA256" as const },
    { n: 4, message: "10.1.2.3,tcp/22", type: 1, user: "alice", key, hmacType: "SHA512" as const },
    {
      n: 5,
      message: "10.1.2.3,tcp/22",
      type: 1,
      user: "root",
      key: new TextEncoder().encode(keys.keyText),
      hmacType: "SHA256" as const,
    },
  ];
  for (const e of expectations) {
    const view = clientView(e.n);
    const decoded = decodeSpa(captured[e.n - 1]!.text, { key: e.key, hmacKey, hmacType: e.hmacType });
    assert.ok(decoded.ok, `packet ${e.n}: ${JSON.stringify(decoded)}`);
    assert.equal(decoded.fields.message, e.message);
    assert.equal(decoded.fields.message, view.get("Message String"));
    assert.equal(decoded.fields.type, e.type);
    assert.equal(decoded.fields.username, e.user);
    assert.equal(String(decoded.fields.timestamp), view.get("Timestamp"));
    assert.equal(decoded.fields.random, view.get("Random Value"));
    assert.equal(decoded.fields.version, "3.0.0");
    if (e.n === 3) assert.equal(decoded.fields.clientTimeout, 45);
    if (e.n === 4) assert.equal(decoded.digestType, "SHA512");
    // The plaintext the client printed (Encoded Data) plus its digest decodes the same way.
    const plain = decodeMessage(`${view.get("Encoded Data")}:${view.get("SPA Data Digest")}`);
    assert.ok(plain.ok);
    assert.deepEqual(plain.fields, decoded.fields);
  }
});

Deno.test("wrong HMAC key: bad-mac, before any decryption; wrong KEY: decrypt", () => {
  const text = captured[0]!.text;
  const otherHmac = hmacKey.slice();
  otherHmac[0]! ^= 1;
  const bad = decodeSpa(text, { key, hmacKey: otherHmac, hmacType: "SHA256" });
  assert.deepEqual(bad, { ok: false, reason: "bad-mac", detail: "the HMAC does not match" });
  const otherKey = key.slice();
  otherKey[5]! ^= 0x40;
  const wrong = decodeSpa(text, { key: otherKey, hmacKey, hmacType: "SHA256" });
  assert.equal(wrong.ok, false);
  assert.ok(!wrong.ok && (wrong.reason === "decrypt" || wrong.reason === "digest"), JSON.stringify(wrong));
  // The HMAC type matters: SHA512 slices another length off.
  assert.equal(decodeSpa(text, { key, hmacKey, hmacType: "SHA512" }).ok, false);
});

Deno.test("one flipped character anywhere fails the HMAC", () => {
  const text = captured[1]!.text;
  for (const at of [0, 50, text.length - 44, text.length - 1]) {
    const c = text[at] === "A" ? "B" : "A";
    const flipped = text.slice(0, at) + c + text.slice(at + 1);
    const r = decodeSpa(flipped, { key, hmacKey, hmacType: "SHA256" });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === "bad-mac");
  }
});

Deno.test("encodeSpa round-trips and has the client's shape", () => {
  const fields = {
    random: "1234567890123456",
    username: "bob",
    timestamp: 1796695401,
    version: "3.0.0",
    type: 1,
    message: "10.9.8.7,tcp/22",
  };
  const salt = Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2);
  const text = encodeSpa(fields, { key, hmacKey, hmacType: "SHA256" }, salt);
  assert.ok(plausibleSpa(text));
  assert.ok(!text.startsWith("U2FsdGVkX1"));
  const decoded = decodeSpa(text, { key, hmacKey, hmacType: "SHA256" });
  assert.ok(decoded.ok);
  assert.equal(decoded.fields.message, "10.9.8.7,tcp/22");
  assert.equal(decoded.fields.username, "bob");
  // Without an HMAC key there is no HMAC, and the packet still decodes.
  const bare = encodeSpa(fields, { key, hmacType: "SHA256" }, salt);
  assert.equal(text.slice(0, bare.length), bare);
  assert.equal(text.length - bare.length, 43);
  assert.ok(decodeSpa(bare, { key, hmacType: "SHA256" }).ok);
});

Deno.test("plausibleSpa: size, alphabet and the stuffed prefix", () => {
  const text = captured[0]!.text;
  assert.ok(plausibleSpa(text));
  assert.ok(!plausibleSpa("U2FsdGVkX1" + text));
  assert.ok(!plausibleSpa(text.slice(0, 100)));
  assert.ok(!plausibleSpa(text + "="));
  assert.ok(!plausibleSpa(text.replace("A", " ")));
});

Deno.test("spaDigest is fwknopd's: SHA-256 of the payload, base64 without padding", async () => {
  const c = captured[0]!;
  const expected = encodeB64(new Uint8Array(await crypto.subtle.digest("SHA-256", c.payload.slice())));
  assert.equal(spaDigest(c.payload), expected);
  assert.equal(expected.length, 43);
});

Deno.test("decodeB64 refuses what is not canonical base64", () => {
  assert.deepEqual(decodeB64("YQ"), Uint8Array.of(97));
  assert.deepEqual(decodeB64("YQ=="), Uint8Array.of(97));
  assert.equal(decodeB64("YR"), undefined);
  assert.equal(decodeB64("Y"), undefined);
  assert.equal(decodeB64("Y Q"), undefined);
});
