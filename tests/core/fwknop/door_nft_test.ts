import assert from "node:assert/strict";
import { FwknopDoor, type FwknopNft, parseAccessConf } from "../../../core/fwknop/mod.ts";
import type { Datagram } from "../../../core/serve/mod.ts";
import { type Captured, readCapture, testKeys } from "./_capture.ts";

const keys = testKeys();
const captured = readCapture();
const v4 = { family: "inet", table: "filter", set: "fwknop4" } as const;
const v6 = { family: "inet", table: "filter", set: "fwknop6" } as const;

/** A stanza without CMD_CYCLE_OPEN (fwknopd would add a firewall rule for it). */
function access(extra = ""): string {
  return `SOURCE ANY
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22, udp/53
FW_ACCESS_TIMEOUT 45
${extra}`;
}

function door(nft: FwknopNft | undefined, text = access()): FwknopDoor {
  const conf = parseAccessConf(text, "access.conf", { nft: nft !== undefined });
  assert.deepEqual(conf.diagnostics.filter((d) => d.severity === "error"), []);
  return new FwknopDoor({
    stanzas: conf.stanzas,
    statePath: "/var/lib/knocktool/fwknop.digests",
    ...(nft === undefined ? {} : { nft }),
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

const at = (n: number) => captured[n - 1]!.timeMs;

Deno.test("KT164 fires without CMD_CYCLE_OPEN unless the stanzas open in nftables", () => {
  const plain = parseAccessConf(access(), "access.conf");
  assert.deepEqual(plain.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["KT164"]);
  assert.equal(plain.stanzas.length, 0);
  assert.match(plain.diagnostics[0]!.message, /--fwknop-nft-set/);
  const nft = parseAccessConf(access(), "access.conf", { nft: true });
  assert.deepEqual(nft.diagnostics.filter((d) => d.severity === "error"), []);
  assert.equal(nft.stanzas.length, 1);
  assert.equal(nft.stanzas[0]!.cmdCycleOpen, undefined);
  // Half a cycle stays an error either way.
  const half = parseAccessConf(access("CMD_CYCLE_OPEN x\n"), "access.conf", { nft: true });
  assert.deepEqual(half.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["KT165"]);
});

Deno.test("a stanza without CMD_CYCLE_OPEN opens in the IPv4 set: the allow address, FW_ACCESS_TIMEOUT, no command", () => {
  const v = door({ v4, v6, perPort: false }).datagram(datagram(captured[0]!), at(1));
  assert.ok(v.kind === "open", JSON.stringify(v));
  assert.equal(v.address, "10.1.2.3");
  assert.deepEqual(v.commands, { start: undefined, stop: undefined, cmdTimeout: 45 });
  assert.deepEqual(v.nft, { v4, ports: [], timeoutMs: 45_000, timeoutSource: undefined });
  assert.ok(v.persist !== undefined, "the replay cache is still written first");
  assert.match(v.log[0]!.message, /open tcp\/22 for 10\.1\.2\.3 for 45 s/);
});

Deno.test("per port: one ADDRESS . PORT element per requested port (tcp/22 and udp/53 of -s)", () => {
  const v = door({ v4, perPort: true }).datagram(datagram(captured[1]!, "10.7.7.7"), at(2));
  assert.ok(v.kind === "open", JSON.stringify(v));
  assert.equal(v.address, "10.7.7.7");
  assert.deepEqual(v.nft, { v4, ports: [22, 53], timeoutMs: 45_000, timeoutSource: undefined });
});

Deno.test("the client's -f timeout, capped by MAX_FW_TIMEOUT, is the element timeout", () => {
  const v = door({ v4, perPort: true }, access("OPEN_PORTS tcp/2222\nMAX_FW_TIMEOUT 40\n")).datagram(
    datagram(captured[2]!),
    at(3),
  );
  assert.ok(v.kind === "open", JSON.stringify(v));
  assert.equal(v.nft?.timeoutMs, 40_000);
  assert.deepEqual(v.nft?.ports, [2222]);
});

Deno.test("an allow address of a family without a set is refused, naming the option", () => {
  const v = door({ v6, perPort: false }).datagram(datagram(captured[0]!), at(1));
  assert.ok(v.kind === "reject" && v.reason === "nft-family", JSON.stringify(v));
  assert.match(v.log.message, /IPv4 allow address 10\.1\.2\.3 but no --fwknop-nft-set \(stanza of line 1\)/);
});

Deno.test("a stanza with CMD_CYCLE_OPEN still runs its commands and adds nothing to nftables", () => {
  const text = access("CMD_CYCLE_OPEN open $SRC\nCMD_CYCLE_CLOSE NONE\n");
  const v = door({ v4, perPort: false }, text).datagram(datagram(captured[0]!), at(1));
  assert.ok(v.kind === "open");
  assert.equal(v.commands.start, "open 10.1.2.3");
  assert.equal(v.nft, undefined);
});
