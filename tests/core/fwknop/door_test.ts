import assert from "node:assert/strict";
import {
  decodeB64,
  encodeSpa,
  FwknopDoor,
  MAX_REPLAY_ENTRIES,
  parseAccessConf,
  ReplayCache,
  substituteFwknop,
} from "../../../core/fwknop/mod.ts";
import type { Datagram } from "../../../core/serve/mod.ts";
import { type Captured, readCapture, testKeys } from "./_capture.ts";

const keys = testKeys();
const captured = readCapture();

function access(extra = "", source = "ANY"): string {
  return `SOURCE ${source}
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22, udp/53
CMD_CYCLE_OPEN open $SRC $PROTO/$PORT $TIMEOUT from $PKT_SRC to $DST
CMD_CYCLE_CLOSE close $IP $PROTO/$PORT
${extra}`;
}

function door(text = access(), cache?: ReplayCache): FwknopDoor {
  const conf = parseAccessConf(text, "access.conf");
  assert.deepEqual(conf.diagnostics.filter((d) => d.severity === "error"), []);
  return new FwknopDoor({
    stanzas: conf.stanzas,
    statePath: "/var/lib/knocktool/fwknop.digests",
    ...(cache === undefined ? {} : { cache }),
  });
}

function datagram(c: Captured, src = "127.0.0.1"): Datagram {
  return {
    family: 4,
    src,
    dst: "127.0.0.1",
    sport: c.sport,
    dport: 62201,
    payload: c.payload,
    timeMs: c.timeMs,
  };
}

/** The client's clock when it made packet n (its timestamp), ms. */
const at = (n: number) => captured[n - 1]!.timeMs;

Deno.test("the real client's -a packet opens: $SRC is the allow address, $PKT_SRC the sender", () => {
  const d = door();
  const v = d.datagram(datagram(captured[0]!), at(1));
  assert.equal(v.kind, "open");
  assert.ok(v.kind === "open");
  assert.equal(v.address, "10.1.2.3");
  assert.deepEqual(v.commands, {
    start: "open 10.1.2.3 6/22 30 from 127.0.0.1 to 127.0.0.1",
    stop: "close 10.1.2.3 6/22",
    cmdTimeout: 30,
  });
  assert.equal(v.persist?.path, "/var/lib/knocktool/fwknop.digests");
  assert.match(v.persist!.text, /^[A-Za-z0-9+/]{43} \d+\n$/);
  assert.match(v.log[0]!.message, /SPA packet accepted: user root, open tcp\/22 for 10\.1\.2\.3 for 30 s/);
});

Deno.test("a replay is refused: same source, another source, and after a restart from the persisted cache", () => {
  const d = door();
  const first = d.datagram(datagram(captured[0]!), at(1));
  assert.equal(first.kind, "open");
  const again = d.datagram(datagram(captured[0]!), at(1) + 1000);
  assert.equal(again.kind, "reject");
  assert.ok(again.kind === "reject" && again.reason === "replay");
  const other = d.datagram(datagram(captured[0]!, "192.0.2.99"), at(1) + 2000);
  assert.ok(other.kind === "reject" && other.reason === "replay");
  const parsed = ReplayCache.parse(first.kind === "open" ? first.persist!.text : "");
  assert.ok(parsed.ok);
  const restarted = door(access(), parsed.cache);
  const after = restarted.datagram(datagram(captured[0]!), at(1) + 3000);
  assert.ok(after.kind === "reject" && after.reason === "replay");
});

Deno.test("-s (0.0.0.0) opens for the packet's source; REQUIRE_SOURCE_ADDRESS refuses it", () => {
  const v = door().datagram(datagram(captured[1]!, "10.7.7.7"), at(2));
  assert.ok(v.kind === "open");
  assert.equal(v.address, "10.7.7.7");
  assert.equal(
    v.commands.start,
    "open 10.7.7.7 6/22 30 from 10.7.7.7 to 127.0.0.1\nopen 10.7.7.7 17/53 30 from 10.7.7.7 to 127.0.0.1",
  );
  const strict = door(access("REQUIRE_SOURCE_ADDRESS Y\n")).datagram(datagram(captured[1]!), at(2));
  assert.ok(strict.kind === "reject" && strict.reason === "source-required");
  assert.match(strict.log.message, /REQUIRE_SOURCE_ADDRESS/);
});

Deno.test("a port not in OPEN_PORTS is refused with the port named", () => {
  const v = door().datagram(datagram(captured[2]!), at(3));
  assert.ok(v.kind === "reject" && v.reason === "port");
  assert.match(v.log.message, /tcp\/2222 is not in OPEN_PORTS/);
});

Deno.test("the client's -f timeout is used, capped by MAX_FW_TIMEOUT; CMD_CYCLE_TIMER otherwise", () => {
  const ok = door(access("OPEN_PORTS tcp/2222\nMAX_FW_TIMEOUT 40\n")).datagram(datagram(captured[2]!), at(3));
  assert.ok(ok.kind === "open");
  assert.equal(ok.commands.cmdTimeout, 40);
  const timer = door(access("CMD_CYCLE_TIMER 90\n")).datagram(datagram(captured[0]!), at(1));
  assert.ok(timer.kind === "open");
  assert.equal(timer.commands.cmdTimeout, 90);
});

Deno.test("timestamp window: 120 s either way; an old packet is refused (and then cached)", () => {
  const d = door();
  const old = captured[5]!; // --time-offset-minus 300s
  const v = d.datagram(datagram(old), old.timeMs);
  assert.ok(v.kind === "reject" && v.reason === "expired");
  assert.match(v.log.message, /time difference is too great \(30\d seconds/);
  const late = door().datagram(datagram(captured[0]!), at(1) + 121_000);
  assert.ok(late.kind === "reject" && late.reason === "expired");
  const early = door().datagram(datagram(captured[0]!), at(1) - 119_000);
  assert.equal(early.kind, "open");
});

Deno.test("wrong HMAC key, wrong KEY, no stanza for the source, REQUIRE_USERNAME, SHA512 HMAC stanza", () => {
  const wrongHmac = access().replace(
    keys.hmacKeyBase64,
    keys.hmacKeyBase64.replace(/^./, (c) => c === "A" ? "B" : "A"),
  );
  const v1 = door(wrongHmac).datagram(datagram(captured[0]!), at(1));
  assert.ok(v1.kind === "reject" && v1.reason === "bad-mac");
  const wrongKey = access().replace(keys.keyBase64, "c".repeat(43) + "=");
  const v2 = door(wrongKey).datagram(datagram(captured[0]!), at(1));
  assert.ok(v2.kind === "reject" && (v2.reason === "decrypt" || v2.reason === "digest"), JSON.stringify(v2));
  const v3 = door(access("", "10.0.0.0/8")).datagram(datagram(captured[0]!), at(1));
  assert.ok(v3.kind === "reject" && v3.reason === "unknown-source");
  const v4 = door(access("REQUIRE_USERNAME alice\n")).datagram(datagram(captured[0]!), at(1));
  assert.ok(v4.kind === "reject" && v4.reason === "username");
  const v5 = door(access("REQUIRE_USERNAME alice\nHMAC_DIGEST_TYPE SHA512\n")).datagram(
    datagram(captured[3]!),
    at(4),
  );
  assert.equal(v5.kind, "open");
});

Deno.test("the first stanza that matches wins; a stanza whose keys fail lets the next one try", () => {
  const text = access("", "192.0.2.0/24").replace(keys.keyBase64, "c".repeat(43) + "=") + "\n" +
    access("CMD_CYCLE_TIMER 7\n").replace("OPEN_PORTS tcp/22, udp/53", "OPEN_PORTS tcp/22");
  const v = door(text).datagram(datagram(captured[0]!, "192.0.2.1"), at(1));
  assert.ok(v.kind === "open");
  assert.equal(v.commands.cmdTimeout, 7);
  const expired = door(access("ACCESS_EXPIRE_EPOCH 1000\n")).datagram(datagram(captured[0]!), at(1));
  assert.ok(expired.kind === "reject" && expired.reason === "expired-stanza");
});

Deno.test("what is not an SPA packet is ignored silently", () => {
  const d = door();
  const c = captured[0]!;
  for (
    const payload of [
      new Uint8Array(20),
      new TextEncoder().encode("U2FsdGVkX1" + c.text),
      new Uint8Array(200),
    ]
  ) {
    assert.deepEqual(d.datagram({ ...datagram(c), payload }, at(1)), { kind: "ignore" });
  }
});

Deno.test("the replay cache is bounded: entries out of the window are dropped; full, it refuses", () => {
  const cache = new ReplayCache(2);
  cache.add("a", 100);
  cache.add("b", 200);
  assert.ok(cache.full);
  cache.prune(150);
  assert.equal(cache.size, 1);
  assert.equal(MAX_REPLAY_ENTRIES, 10_000);
  const key = decodeB64(keys.keyBase64)!;
  const hmacKey = decodeB64(keys.hmacKeyBase64)!;
  const full = new ReplayCache(1);
  const d = door(access(), full);
  const now = 1_800_000_000_000;
  const packet = (i: number) =>
    new TextEncoder().encode(encodeSpa(
      {
        random: String(1e15 + i),
        username: "u",
        timestamp: now / 1000,
        version: "3.0.0",
        type: 1,
        message: "1.2.3.4,tcp/22",
      },
      { key, hmacKey, hmacType: "SHA256" },
      Uint8Array.of(i, 1, 2, 3, 4, 5, 6, 7),
    ));
  const base = datagram(captured[0]!);
  assert.equal(d.datagram({ ...base, payload: packet(1) }, now).kind, "open");
  const v = d.datagram({ ...base, payload: packet(2) }, now + 1000);
  assert.ok(v.kind === "reject" && v.reason === "budget");
  // Once the first is out of the window, there is room again.
  assert.equal(d.datagram({ ...base, payload: packet(3) }, now + 121_000 + 1000).kind, "reject"); // itself expired
  assert.equal(full.size, 1);
  assert.ok(!ReplayCache.parse("garbage\n").ok);
});

Deno.test("substituteFwknop: every variable, longest name first", () => {
  assert.equal(
    substituteFwknop("$PKT_SRC $SRC $IP $DST $PROTO $PORT $TIMEOUT $SRCX", {
      src: "1.1.1.1",
      pktSrc: "2.2.2.2",
      dst: "3.3.3.3",
      port: { proto: "udp", port: 53 },
      timeout: 9,
    }),
    "2.2.2.2 1.1.1.1 1.1.1.1 3.3.3.3 17 53 9 $SRCX",
  );
});
