import assert from "node:assert/strict";
import {
  answerKey,
  buildPacket,
  createRng,
  icmpErrorName,
  ipOfFrame,
  probeKey,
  readPacket,
  TCP_FLAG_BITS,
} from "../../../core/packet/mod.ts";

const rng = createRng(3);
const syn = buildPacket({
  src: "10.0.0.1",
  dst: "10.0.0.2",
  transport: { protocol: "tcp", sport: 40000, dport: 22, seq: 1000 },
}, rng);
const synAck = buildPacket({
  src: "10.0.0.2",
  dst: "10.0.0.1",
  ip: { df: true, id: 0, ttl: 64 },
  transport: {
    protocol: "tcp",
    sport: 22,
    dport: 40000,
    seq: 5,
    ack: 1001,
    flags: TCP_FLAG_BITS.syn | TCP_FLAG_BITS.ack,
    window: 64240,
  },
}, rng);

Deno.test("readPacket: the fields of a SYN/ACK; probeKey of a probe is answerKey of its answer", () => {
  const v = readPacket(synAck)!;
  assert.deepEqual(v, {
    version: 4,
    src: "10.0.0.2",
    dst: "10.0.0.1",
    length: 40,
    ttl: 64,
    id: 0,
    df: true,
    transport: { protocol: "tcp", sport: 22, dport: 40000, seq: 5, ack: 1001, flags: 0x12, window: 64240 },
  });
  assert.equal(probeKey(readPacket(syn)!), "tcp 10.0.0.1 10.0.0.2 40000 22");
  assert.equal(answerKey(v), probeKey(readPacket(syn)!));
  // The probe itself does not answer itself (other direction).
  assert.notEqual(answerKey(readPacket(syn)!), probeKey(readPacket(syn)!));
});

Deno.test("an ICMP error answers the datagram it quotes (v4 and v6), whoever sends it", () => {
  const udp = buildPacket({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    transport: { protocol: "udp", sport: 5, dport: 23 },
  }, rng);
  const unreachable = buildPacket({
    src: "10.9.9.9",
    dst: "10.0.0.1",
    transport: { protocol: "icmp", type: 3, code: 3, rest: new Uint8Array(4) },
    payload: udp.subarray(0, 28),
  }, rng);
  const v = readPacket(unreachable)!;
  assert.equal(v.transport.protocol, "icmp");
  assert.equal(answerKey(v), probeKey(readPacket(udp)!));
  assert.equal(answerKey(v), "udp 10.0.0.1 10.0.0.2 5 23");
  // The first 8 bytes of a quoted TCP header are enough.
  const quotedSyn = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "icmp", type: 11, code: 0, rest: new Uint8Array(4) },
    payload: syn.subarray(0, 28),
  }, rng);
  assert.equal(answerKey(readPacket(quotedSyn)!), probeKey(readPacket(syn)!));
  const udp6 = buildPacket({
    src: "fd00::1",
    dst: "fd00::2",
    transport: { protocol: "udp", sport: 5, dport: 23 },
  }, rng);
  const unreachable6 = buildPacket({
    src: "fd00::2",
    dst: "fd00::1",
    transport: { protocol: "icmpv6", type: 1, code: 4, rest: new Uint8Array(4) },
    payload: udp6,
  }, rng);
  assert.equal(answerKey(readPacket(unreachable6)!), "udp fd00::1 fd00::2 5 23");
  assert.equal(readPacket(unreachable6)!.length, 40 + 8 + 48);
});

Deno.test("echo replies answer echo requests by id and sequence; other ICMP answers nothing", () => {
  const request = buildPacket({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    transport: { protocol: "icmp", id: 77, seq: 3 },
  }, rng);
  const reply = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "icmp", type: 0, id: 77, seq: 3 },
  }, rng);
  assert.equal(probeKey(readPacket(request)!), "echo 10.0.0.1 10.0.0.2 77 3");
  assert.equal(answerKey(readPacket(reply)!), "echo 10.0.0.1 10.0.0.2 77 3");
  assert.equal(answerKey(readPacket(request)!), undefined);
  const timestamp = buildPacket({
    src: "10.0.0.2",
    dst: "10.0.0.1",
    transport: { protocol: "icmp", type: 14 },
  }, rng);
  assert.equal(answerKey(readPacket(timestamp)!), undefined);
  const v6 = buildPacket({
    src: "fd00::2",
    dst: "fd00::1",
    transport: { protocol: "icmpv6", type: 129, id: 1, seq: 2 },
  }, rng);
  assert.equal(answerKey(readPacket(v6)!), "echo fd00::1 fd00::2 1 2");
});

Deno.test("ipOfFrame strips Ethernet (with VLAN tags), Linux cooked v1/v2, raw and BSD null links", () => {
  const mac = new Uint8Array(12);
  const eth = Uint8Array.of(...mac, 0x08, 0x00, ...synAck);
  assert.deepEqual(ipOfFrame(1, eth), synAck);
  const vlan = Uint8Array.of(...mac, 0x81, 0x00, 0, 5, 0x08, 0x00, ...synAck);
  assert.deepEqual(ipOfFrame(1, vlan), synAck);
  const sll = Uint8Array.of(...new Uint8Array(14), 0x08, 0x00, ...synAck);
  assert.deepEqual(ipOfFrame(113, sll), synAck);
  const sll2 = Uint8Array.of(0x86, 0xdd, ...new Uint8Array(18), ...synAck);
  assert.deepEqual(ipOfFrame(276, sll2), synAck);
  assert.deepEqual(ipOfFrame(12, synAck), synAck);
  assert.deepEqual(ipOfFrame(0, Uint8Array.of(2, 0, 0, 0, ...synAck)), synAck);
  assert.equal(ipOfFrame(1, Uint8Array.of(...mac, 0x08, 0x06, 0)), undefined, "ARP");
  assert.equal(ipOfFrame(1, mac), undefined, "truncated");
  assert.equal(ipOfFrame(105, synAck), undefined, "unknown link type");
});

Deno.test("readPacket never throws on cut or malformed datagrams", () => {
  for (let cut = 0; cut <= synAck.length; cut++) {
    const v = readPacket(synAck.subarray(0, cut));
    if (cut < 20) assert.equal(v, undefined, `cut at ${cut}`);
    else assert.ok(v !== undefined);
  }
  assert.equal(readPacket(Uint8Array.of(0x45, ...new Uint8Array(18))), undefined);
  assert.equal(readPacket(Uint8Array.of(0x41, ...new Uint8Array(30))), undefined, "IHL below 5");
  assert.equal(readPacket(Uint8Array.of(0x75, ...new Uint8Array(30))), undefined, "version 7");
  for (let i = 0; i < 2000; i++) readPacket(rng.bytes(rng.int(0, 120)));
});

Deno.test("icmpErrorName: hping3's names", () => {
  assert.equal(icmpErrorName(4, 3, 3), "ICMP Port Unreachable");
  assert.equal(icmpErrorName(4, 3, 13), "ICMP Packet filtered");
  assert.equal(icmpErrorName(4, 11, 0), "ICMP Time Exceeded");
  assert.equal(icmpErrorName(6, 1, 4), "ICMPv6 Port Unreachable");
  assert.equal(icmpErrorName(6, 1, 1), "ICMPv6 Administratively Prohibited");
  assert.equal(icmpErrorName(4, 3, 99), "ICMP Unreachable code 99");
  assert.equal(icmpErrorName(4, 42, 1), "ICMP type 42 code 1");
});
