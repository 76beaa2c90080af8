/**
 * The library surface (`mod.ts`) is an explicit promise: its runtime exports are exactly this list, so that
 * adding or dropping one is a deliberate change made here too. (Types vanish at run time; `deno doc --lint`
 * in tests/hygiene_test.ts keeps them documented and complete.)
 */
import assert from "node:assert/strict";
import * as api from "../mod.ts";

const EXPORTS = [
  // Configuration.
  "DEFAULT_CMD_TIMEOUT",
  "DEFAULT_SEQ_TIMEOUT",
  "KNOCKTOOL_EXTENSIONS",
  "MAX_SEQUENCE_LENGTH",
  "doorCooldownMs",
  "doorStrict",
  "markOneTimeSequenceUsed",
  "parseConfig",
  "parseOneTimeSequences",
  "parseSequence",
  // TOTP doors.
  "derivedSequence",
  "doorTotp",
  "formatTotpUri",
  "hotp",
  "parseTotpUri",
  "totpCandidates",
  "totpCounter",
  // Linting.
  "RULES",
  "explainRule",
  "lintConfig",
  // Decoding.
  "LinkType",
  "decodeFrame",
  "isSupportedLinkType",
  // Detection.
  "KnockEngine",
  "createEngine",
  // Capture filter.
  "MATCH_NOTHING",
  "buildFilter",
  // Single packet authorization (client side).
  "DATAGRAM_BYTES",
  "formatBundle",
  "parseBundle",
  "parseUserKey",
  "publicKeyOf",
  "sealSpa",
  // Packets.
  "AddressSyntaxError",
  "ETHERTYPE",
  "HexSyntaxError",
  "LINKTYPE",
  "TCP_FLAG_BITS",
  "buildPacket",
  "buildPacketDetailed",
  "canonicalIP",
  "createRng",
  "encodeEthernet",
  "encodePcap",
  "encodePcapHeader",
  "encodePcapRecord",
  "formatIP",
  "formatMac",
  "parseHexPayload",
  "parseIP",
  "parseMac",
  "textPayload",
  "tryParseIP",
  // fwknop.
  "decodeFwknopSpa",
  "encodeFwknopSpa",
  "parseAccessConf",
];

Deno.test("mod.ts exports exactly the documented library surface", () => {
  assert.deepEqual(Object.keys(api).sort(), [...EXPORTS].sort());
});

Deno.test("mod.ts: an SPA client seals a request from an enrolment URI and a user key", () => {
  const uri = api.formatBundle({
    host: "192.0.2.1",
    port: 62201,
    door: "ssh",
    serverPublic: api.publicKeyOf("x25519", new Uint8Array(32).fill(1)),
    mac1: new Uint8Array(32).fill(2),
  });
  const bundle = api.parseBundle(uri);
  assert.ok(bundle.ok);
  const datagram = api.sealSpa({
    ...bundle.bundle,
    userPrivate: new Uint8Array(32).fill(3),
    ephemeralPrivate: new Uint8Array(32).fill(4),
    request: {
      user: "alice",
      timestampMs: 1,
      nonce: new Uint8Array(16),
      address: { kind: "source" },
      door: bundle.bundle.door,
      durationS: 0,
    },
  });
  assert.equal(datagram.length, api.DATAGRAM_BYTES);
  assert.equal(datagram[0], 1);
});

Deno.test("mod.ts exports no daemon internals", () => {
  const names = new Set(Object.keys(api));
  for (
    const internal of ["standbyLine", "HelperLoad", "DueQueue", "plainArgv", "formatJsonLine", "eventMessage"]
  ) {
    assert.ok(!names.has(internal), internal);
  }
});

Deno.test("mod.ts: a config parsed, linted, and its door detected end to end", () => {
  const text = "[ssh]\nsequence = 7000,8000,9000\ntcpflags = syn\n";
  const { config, ok } = api.parseConfig(text);
  assert.ok(ok);
  assert.equal(api.lintConfig(text).errorCount, 0);
  const engine = api.createEngine(config.doors, { localAddresses: ["10.0.0.1"] });
  let opened = false;
  for (const [i, dport] of [7000, 8000, 9000].entries()) {
    const frame = api.encodeEthernet(
      {
        src: api.parseMac("02:00:00:00:00:02"),
        dst: api.parseMac("02:00:00:00:00:01"),
        etherType: api.ETHERTYPE.ipv4,
      },
      api.buildPacket(
        { src: "10.0.0.2", dst: "10.0.0.1", transport: { protocol: "tcp", dport } },
        api.createRng(i),
      ),
    );
    const decoded = api.decodeFrame(api.LinkType.ETHERNET, frame, 1000 + i);
    assert.ok(decoded.ok, JSON.stringify(decoded));
    opened ||= engine.observe(decoded.knock).some((e) => e.type === "open");
  }
  assert.ok(opened);
  assert.match(
    api.buildFilter(config.doors, { v4: ["10.0.0.1"], v6: [] }).expression,
    /7000 or 8000 or 9000/,
  );
});
