import assert from "node:assert/strict";
import { AddressSyntaxError } from "../../../core/packet/address.ts";
import { buildPacket, buildPacketDetailed, type PacketSpec } from "../../../core/packet/build.ts";
import { wrongChecksum } from "../../../core/packet/checksum.ts";
import { createRng } from "../../../core/packet/rng.ts";
import { TCP_FLAG_BITS } from "../../../core/packet/tcp.ts";
import { hex, parseIp, parseTcp, transportChecksumOk } from "./_parse.ts";

const SYN: PacketSpec = { src: "10.213.0.1", dst: "10.213.0.2", transport: { protocol: "tcp", dport: 7000 } };

Deno.test("buildPacket: TCP SYN defaults (TTL 64, window 64240, SYN, random id/sport/seq)", () => {
  const built = buildPacketDetailed(SYN, createRng(1));
  const ip = parseIp(built.bytes);
  assert.equal(ip.version, 4);
  assert.equal(ip.ttl, 64);
  assert.equal(ip.tos, 0);
  assert.equal(ip.flagsAndOffset, 0);
  assert.ok(ip.headerChecksumOk);
  assert.ok(transportChecksumOk(ip));
  const tcp = parseTcp(ip.payload);
  assert.equal(tcp.flags, TCP_FLAG_BITS.syn);
  assert.equal(tcp.window, 64240);
  assert.equal(tcp.dport, 7000);
  assert.equal(tcp.ack, 0);
  assert.ok(tcp.sport >= 32768 && tcp.sport <= 60999);
  // The report matches the bytes.
  assert.deepEqual(built.transport, {
    protocol: "tcp",
    sport: tcp.sport,
    dport: 7000,
    seq: tcp.seq,
    ack: 0,
    flags: 2,
    window: 64240,
    checksum: tcp.checksum,
  });
  assert.equal(built.ip.id, ip.id);
  assert.equal(built.src, "10.213.0.1");
  assert.equal(built.family, 4);
});

Deno.test("buildPacket: the same seed gives the same bytes; another seed does not", () => {
  const a = buildPacket(SYN, createRng(42));
  assert.deepEqual(buildPacket(SYN, createRng(42)), a);
  assert.notDeepEqual(buildPacket(SYN, createRng(43)), a);
  // Draw order: IPv4 id, sport, seq (documented in build.ts).
  const rng = createRng(42);
  const id = rng.int(0, 0xffff), sport = rng.int(32768, 60999), seq = rng.nextU32();
  const p = parseIp(a);
  const tcp = parseTcp(p.payload);
  assert.deepEqual([p.id, tcp.sport, tcp.seq], [id, sport, seq]);
});

Deno.test("buildPacket: fields given by the user are not drawn from the RNG", () => {
  const spec: PacketSpec = {
    src: "10.213.0.1",
    dst: "10.213.0.2",
    ip: { id: 0xe43f, ttl: 255 },
    transport: {
      protocol: "tcp",
      sport: 40000,
      dport: 7000,
      seq: 0x796e4756,
      flags: TCP_FLAG_BITS.fin | TCP_FLAG_BITS.psh | TCP_FLAG_BITS.urg,
      window: 65535,
    },
  };
  const rng = createRng(5);
  const bytes = buildPacket(spec, rng);
  assert.equal(
    hex(bytes),
    "45000028e43f0000ff06c1e30ad500010ad50002" + "9c401b58796e4756000000005029ffff21b20000",
  );
  // Nothing was drawn: the generator is still at its first value.
  assert.equal(rng.nextU32(), createRng(5).nextU32());
});

Deno.test("buildPacket: ACK flag without an ack number draws one; without ACK it stays 0", () => {
  const withAck = parseTcp(
    parseIp(buildPacket({
      ...SYN,
      transport: { protocol: "tcp", dport: 1, sport: 2, seq: 3, flags: TCP_FLAG_BITS.ack },
    }, createRng(8))).payload,
  );
  const rng = createRng(8);
  rng.int(0, 0xffff); // the IPv4 id
  assert.equal(withAck.ack, rng.nextU32());
  const fin = parseTcp(
    parseIp(buildPacket({ ...SYN, transport: { protocol: "tcp", dport: 1, flags: 1 } }, createRng(8)))
      .payload,
  );
  assert.equal(fin.ack, 0);
});

Deno.test("buildPacket: IPv6 TCP with traffic class, flow label and hop limit", () => {
  const built = buildPacketDetailed({
    src: "FD00:213:0::1",
    dst: "fd00:213::2",
    ip: { ttl: 33, tos: 0xb8, flowLabel: 0x12345 },
    transport: {
      protocol: "tcp",
      dport: 7000,
      options: [{ type: "mss", value: 1220 }, { type: "nop" }, { type: "wscale", shift: 7 }],
    },
    payload: new TextEncoder().encode("hi"),
  }, createRng(1));
  const ip = parseIp(built.bytes);
  assert.equal(built.src, "fd00:213::1");
  assert.equal(ip.version, 6);
  assert.equal(ip.ttl, 33);
  assert.equal(ip.tos, 0xb8);
  assert.equal(ip.flowLabel, 0x12345);
  assert.equal(ip.protocol, 6);
  assert.ok(transportChecksumOk(ip));
  assert.equal(parseTcp(ip.payload).dataOffset, 7);
  assert.equal(built.ip.id, undefined);
});

Deno.test("buildPacket: UDP, ICMP and ICMPv6 checksums verify", () => {
  const payload = Uint8Array.of(1, 2, 3, 4, 5);
  for (
    const spec of [
      { src: "10.0.0.1", dst: "10.0.0.2", transport: { protocol: "udp", dport: 9999 }, payload },
      { src: "fd00::1", dst: "fd00::2", transport: { protocol: "udp", dport: 9999 }, payload },
      { src: "10.0.0.1", dst: "10.0.0.2", transport: { protocol: "icmp" }, payload },
      { src: "fd00::1", dst: "fd00::2", transport: { protocol: "icmpv6", seq: 3 }, payload },
    ] satisfies PacketSpec[]
  ) {
    const ip = parseIp(buildPacket(spec, createRng(1)));
    assert.ok(ip.headerChecksumOk, spec.transport.protocol);
    assert.ok(transportChecksumOk(ip), `${spec.transport.protocol} over ${spec.src}`);
  }
  const icmp = buildPacketDetailed(
    { src: "10.0.0.1", dst: "10.0.0.2", transport: { protocol: "icmp" } },
    createRng(1),
  );
  assert.equal(icmp.transport.protocol === "icmp" && icmp.transport.type, 8);
  const icmp6 = buildPacketDetailed(
    { src: "::1", dst: "::1", transport: { protocol: "icmpv6" } },
    createRng(1),
  );
  assert.equal(icmp6.transport.protocol === "icmpv6" && icmp6.transport.type, 128);
});

Deno.test("buildPacket: raw protocol carries the payload as the IP payload", () => {
  const bytes = buildPacket({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    ip: { id: 1 },
    transport: { protocol: "raw", number: 253 },
    payload: Uint8Array.of(0xca, 0xfe),
  }, createRng(1));
  const ip = parseIp(bytes);
  assert.equal(ip.protocol, 253);
  assert.deepEqual(ip.payload, Uint8Array.of(0xca, 0xfe));
});

Deno.test("buildPacket: a wrong checksum only when asked", () => {
  const good = buildPacketDetailed(SYN, createRng(1));
  const badTcp = buildPacketDetailed({ ...SYN, badChecksum: true }, createRng(1));
  const ipGood = parseIp(good.bytes), ipBad = parseIp(badTcp.bytes);
  assert.ok(transportChecksumOk(ipGood));
  assert.ok(!transportChecksumOk(ipBad));
  assert.ok(ipBad.headerChecksumOk);
  assert.equal(
    badTcp.transport.protocol === "tcp" && badTcp.transport.checksum,
    wrongChecksum(parseTcp(ipGood.payload).checksum),
  );

  const badIp = parseIp(buildPacket({ ...SYN, badChecksum: "ip" }, createRng(1)));
  assert.ok(!badIp.headerChecksumOk);
  assert.ok(transportChecksumOk(badIp));

  const both = parseIp(buildPacket({ ...SYN, badChecksum: "both" }, createRng(1)));
  assert.ok(!both.headerChecksumOk && !transportChecksumOk(both));

  const none = parseIp(buildPacket({ ...SYN, badChecksum: false }, createRng(1)));
  assert.ok(none.headerChecksumOk && transportChecksumOk(none));

  for (const protocol of ["udp", "icmpv6"] as const) {
    const spec: PacketSpec = protocol === "udp"
      ? { src: "fd00::1", dst: "fd00::2", transport: { protocol, dport: 1 }, badChecksum: "transport" }
      : { src: "fd00::1", dst: "fd00::2", transport: { protocol }, badChecksum: "transport" };
    assert.ok(!transportChecksumOk(parseIp(buildPacket(spec, createRng(1)))), protocol);
  }
});

Deno.test("buildPacket: errors name the problem", () => {
  const rng = createRng(1);
  assert.throws(
    () => buildPacket({ ...SYN, dst: "fd00::2" }, rng),
    /^RangeError: "dst" is IPv6 but "src" is IPv4$/,
  );
  assert.throws(() => buildPacket({ ...SYN, family: 6 }, rng), /"family" is 6 but the addresses are IPv4/);
  assert.throws(() => buildPacket({ ...SYN, src: "10.0.0.300" }, rng), AddressSyntaxError);
  assert.throws(
    () => buildPacket({ ...SYN, src: new Uint8Array(5) }, rng),
    /"src" must be 4 or 16 bytes, got 5/,
  );
  assert.throws(
    () => buildPacket({ ...SYN, ip: { ttl: 300 } }, rng),
    /^RangeError: "ttl" must be 0\.\.255, got 300$/,
  );
  assert.throws(() => buildPacket({ ...SYN, ip: { flowLabel: 1 } }, rng), /"flowLabel" applies to IPv6 only/);
  const v6 = { ...SYN, src: "::1", dst: "::1" };
  assert.throws(() => buildPacket({ ...v6, ip: { df: true } }, rng), /"df" applies to IPv4 only/);
  assert.throws(() => buildPacket({ ...v6, ip: { options: [] } }, rng), /"options" applies to IPv4 only/);
  assert.throws(() => buildPacket({ ...v6, badChecksum: "ip" }, rng), /"badChecksum" "ip" needs IPv4/);
  assert.throws(
    () => buildPacket({ ...SYN, transport: { protocol: "icmpv6" } }, rng),
    /"icmpv6" does not fit IPv4; use "icmp"/,
  );
  assert.throws(
    () =>
      buildPacket({ ...SYN, transport: { protocol: "tcp", dport: 1, checksum: 1 }, badChecksum: true }, rng),
    /"badChecksum" and "checksum" are both set for TCP/,
  );
  assert.throws(
    () => buildPacket({ ...SYN, transport: { protocol: "raw", number: 6 }, badChecksum: true }, rng),
    /"badChecksum" needs a TCP, UDP or ICMP transport/,
  );
  assert.throws(
    () => buildPacket({ ...SYN, transport: { protocol: "tcp", dport: 70000 } }, rng),
    /"dport" must be 0\.\.65535, got 70000/,
  );
});
