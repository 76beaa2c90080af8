/**
 * The SPA test vectors (tests/testdata/spa/vectors.json, docs/spa.md "Test vectors"): each one's inputs
 * seal to exactly its datagram, its intermediate values are what docs/spa.md says, and a door opens it.
 * An independent implementation (tests/testdata/spa/check_vectors.py, Python's `cryptography`) reproduces
 * every byte. `UPDATE_GOLDEN=1` rewrites the file from the inputs.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { diffieHellman, hkdfSync } from "node:crypto";
import { blake2s } from "@noble/hashes/blake2.js";
import {
  DATAGRAM_BYTES,
  decodeBody,
  encodeBody,
  privateKeyObject,
  publicKeyObject,
  publicKeyOf,
  ReplayState,
  sealSpa,
  serverKeys,
  signedMessage,
  SpaDoor,
  type SpaRequest,
} from "../../../core/spa/mod.ts";
import { parseIPv4, parseIPv6 } from "../../../core/address.ts";
import { spaDoorSection } from "./_fixture.ts";

const FILE = new URL("../../testdata/spa/vectors.json", import.meta.url);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const seq = (start: number, n = 32) => Uint8Array.from({ length: n }, (_, i) => (start * 13 + i * 7) & 0xff);

interface Inputs {
  readonly name: string;
  readonly server_private: string;
  readonly mac1_secret: string;
  readonly user_private: string;
  readonly ephemeral_private: string;
  readonly user: string;
  readonly timestamp_ms: number;
  readonly nonce: string;
  readonly address: string;
  readonly door: string;
  readonly duration_s: number;
}

const INPUTS: Inputs[] = [
  ["source address", "alice", "source", "ssh", 0],
  ["explicit IPv4, 120 s", "alice", "203.0.113.5", "ssh", 120],
  ["explicit IPv6, another user and door", "bob@laptop", "2001:db8::1", "web", 3600],
].map(([name, user, address, door, duration], i) => ({
  name: name as string,
  server_private: hex(seq(1)),
  mac1_secret: hex(seq(2)),
  user_private: hex(seq(user === "alice" ? 3 : 4)),
  ephemeral_private: hex(seq(10 + i)),
  user: user as string,
  timestamp_ms: 1_760_000_000_000 + i * 1000,
  nonce: hex(seq(20 + i, 16)),
  address: address as string,
  door: door as string,
  duration_s: duration as number,
}));

function requestOf(v: Inputs): SpaRequest {
  const address = v.address === "source"
    ? { kind: "source" as const }
    : v.address.includes(":")
    ? { kind: 6 as const, bytes: parseIPv6(v.address) }
    : { kind: 4 as const, bytes: parseIPv4(v.address) };
  return {
    user: v.user,
    timestampMs: v.timestamp_ms,
    nonce: unhex(v.nonce),
    address,
    door: v.door,
    durationS: v.duration_s,
  };
}

/** Every intermediate value, computed step by step as docs/spa.md describes them. */
function expand(v: Inputs) {
  const serverPublic = publicKeyOf("x25519", unhex(v.server_private));
  const ephemeralPublic = publicKeyOf("x25519", unhex(v.ephemeral_private));
  const shared = new Uint8Array(diffieHellman({
    privateKey: privateKeyObject("x25519", unhex(v.ephemeral_private)),
    publicKey: publicKeyObject("x25519", serverPublic),
  }));
  const aeadKey = new Uint8Array(
    hkdfSync("sha256", shared, Buffer.concat([ephemeralPublic, serverPublic]), "knocktool-spa/1 aead", 32),
  );
  const body = encodeBody(requestOf(v));
  const datagram = sealSpa({
    serverPublic,
    mac1: unhex(v.mac1_secret),
    userPrivate: unhex(v.user_private),
    ephemeralPrivate: unhex(v.ephemeral_private),
    request: requestOf(v),
  });
  return {
    ...v,
    server_public: hex(serverPublic),
    user_public: hex(publicKeyOf("ed25519", unhex(v.user_private))),
    ephemeral_public: hex(ephemeralPublic),
    shared_secret: hex(shared),
    aead_key: hex(aeadKey),
    body: hex(body),
    signed_message: hex(signedMessage(serverPublic, ephemeralPublic, body)),
    mac1: hex(datagram.subarray(1, 17)),
    datagram: hex(datagram),
  };
}

type Vector = ReturnType<typeof expand>;

if (Deno.env.get("UPDATE_GOLDEN") === "1") {
  Deno.writeTextFileSync(FILE, JSON.stringify({ vectors: INPUTS.map(expand) }, null, 2) + "\n");
}
const VECTORS: Vector[] = JSON.parse(Deno.readTextFileSync(FILE)).vectors;

Deno.test("SPA vectors: the file holds the three vectors of these inputs", () => {
  assert.equal(VECTORS.length, 3);
  assert.deepEqual(VECTORS.map((v) => v.name), INPUTS.map((v) => v.name));
});

for (const [i, v] of VECTORS.entries()) {
  Deno.test(`SPA vector ${i + 1} (${v.name}): inputs seal to exactly its datagram and intermediates`, () => {
    assert.deepEqual(expand(INPUTS[i]!), v);
    assert.equal(unhex(v.datagram).length, DATAGRAM_BYTES);
    // mac1 is keyed BLAKE2s-128 over version | ephemeral | ciphertext | tag.
    const d = unhex(v.datagram);
    const mac = blake2s(Buffer.concat([d.subarray(0, 1), d.subarray(17)]), {
      key: unhex(v.mac1_secret),
      dkLen: 16,
    });
    assert.equal(hex(mac), v.mac1);
    const decoded = decodeBody(unhex(v.body));
    assert.ok(decoded.ok);
    assert.equal(decoded.request.user, v.user);
    assert.equal(decoded.request.door, v.door);
  });

  Deno.test(`SPA vector ${i + 1} (${v.name}): a door of that name with that user opens it`, () => {
    const users = new Map([[v.user, publicKeyObject("ed25519", unhex(v.user_public))]]);
    const door = new SpaDoor({
      door: spaDoorSection("cmd_timeout = 3600\n"),
      ports: [62201],
      keys: serverKeys(unhex(v.server_private), unhex(v.mac1_secret)),
      users,
      windowMs: 30_000,
      budget: 10,
      replay: new ReplayState(0),
      statePath: "/s",
    });
    Object.defineProperty(door, "name", { value: v.door });
    const verdict = door.datagram({
      family: 4,
      src: "192.0.2.9",
      dst: "198.51.100.1",
      sport: 1,
      dport: 62201,
      payload: unhex(v.datagram),
      timeMs: v.timestamp_ms,
    }, v.timestamp_ms + 5);
    assert.equal(verdict.kind, "open", JSON.stringify(verdict));
    assert.equal(verdict.address, v.address === "source" ? "192.0.2.9" : v.address);
  });
}

const noPython = (() => {
  try {
    const r = new Deno.Command("python3", { args: ["-c", "import cryptography"], stderr: "null" })
      .outputSync();
    if (r.success) return undefined;
  } catch {
    // no python3
  }
  const reason = "python3 with the cryptography module is not installed";
  // deno-lint-ignore no-console
  console.log(`skipping the independent check: ${reason}`);
  return reason;
})();

Deno.test({
  name: "SPA vectors: an independent implementation (Python cryptography) reproduces every byte",
  ignore: noPython !== undefined,
  fn() {
    const script = new URL("../../testdata/spa/check_vectors.py", import.meta.url).pathname;
    const r = new Deno.Command("python3", { args: [script, FILE.pathname] }).outputSync();
    const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    assert.ok(r.success, out);
    assert.match(out, /3 vectors OK/);
  },
});
