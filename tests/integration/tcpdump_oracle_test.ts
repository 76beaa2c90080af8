/**
 * Differential test: the same pcap files through tcpdump (`-nn -q -tt`) and through libpcap + decodeFrame.
 * Every knock the decoder reports must be what tcpdump prints for that packet, and every well-formed
 * generated packet must decode.
 */
import assert from "node:assert/strict";
import { decodeFrame, LinkType } from "../../core/decode/mod.ts";
import type { Knock } from "../../core/knock.ts";
import { buildPacket, createRng, encodeEthernet, type Rng } from "../../core/packet/mod.ts";
import { PcapHandle } from "../../ffi/mod.ts";
import { cat, extHeader, fragHeader, sll, sll2 } from "../core/decode/_frames.ts";
import { libpcapAvailable, writeTempPcap } from "./_pcap.ts";

async function tcpdumpMissing(): Promise<boolean> {
  try {
    await new Deno.Command("tcpdump", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return false;
  } catch {
    // deno-lint-ignore no-console
    console.log("skipping tcpdump differential test: tcpdump is not installed");
    return true;
  }
}

const ignore = !(await libpcapAvailable()) || await tcpdumpMissing();

function randomV4(rng: Rng): string {
  return [10, rng.nextU32() & 255, rng.nextU32() & 255, 1 + (rng.nextU32() % 254)].join(".");
}

function randomV6(rng: Rng): string {
  // Zero-heavy groups exercise "::" placement; tcpdump prints with inet_ntop.
  const groups = Array.from({ length: 8 }, (_, i) => {
    const r = rng.nextU32() % 4;
    return i === 0 ? "fd00" : r < 2 ? "0" : (rng.nextU32() & 0xffff).toString(16);
  });
  return groups.join(":");
}

/** One random IP packet, sometimes with IPv6 extension headers inserted. */
function randomIp(rng: Rng): Uint8Array {
  const v6 = rng.nextU32() % 2 === 0;
  const tcp = rng.nextU32() % 2 === 0;
  const sport = 1024 + (rng.nextU32() % 60000);
  const dport = 1 + (rng.nextU32() % 65535);
  const packet = buildPacket({
    src: v6 ? randomV6(rng) : randomV4(rng),
    dst: v6 ? randomV6(rng) : randomV4(rng),
    transport: tcp
      ? { protocol: "tcp", sport, dport, flags: rng.nextU32() & 0xff, seq: rng.nextU32() }
      : { protocol: "udp", sport, dport },
    payload: new Uint8Array(rng.nextU32() % 16),
  }, rng);
  if (!v6 || rng.nextU32() % 3 !== 0) return packet;
  // Insert a destination options or a first-fragment header after the fixed IPv6 header.
  const next = packet[6]!;
  const fragment = rng.nextU32() % 2 === 0;
  const ext = fragment ? fragHeader(next, 0, true) : extHeader(next, rng.nextU32() % 3);
  const out = cat(packet.subarray(0, 40), ext, packet.subarray(40));
  out[6] = fragment ? 44 : 60;
  new DataView(out.buffer).setUint16(4, out.length - 40);
  return out;
}

const MAC = new Uint8Array([2, 0, 0, 0, 0, 9]);

function frameFor(linktype: number, ip: Uint8Array, rng: Rng): Uint8Array {
  const etherType = ip[0]! >> 4 === 6 ? 0x86dd : 0x0800;
  switch (linktype) {
    case LinkType.ETHERNET:
      return rng.nextU32() % 4 === 0
        ? encodeEthernet({ dst: MAC, src: MAC, etherType, vlan: { id: rng.nextU32() % 4095 } }, ip)
        : encodeEthernet({ dst: MAC, src: MAC, etherType }, ip);
    case LinkType.LINUX_SLL:
      return sll(etherType, ip);
    case LinkType.LINUX_SLL2:
      return sll2(etherType, ip);
    default:
      return ip;
  }
}

// tcpdump also decodes ports of a capture shorter than the IP length: "IP truncated-ip - 187 bytes missing! …".
const PLAIN =
  /^\d+\.\d+ .*?\b(IP6?) (?:truncated-ip6? - \d+ bytes missing! ?)?(\S+)\.(\d+) > (\S+)\.(\d+): (tcp|UDP)\b/;
// After IPv6 extension headers: "IP6 A > B: DSTOPT 60573 > 35350: tcp 15", "… frag (0|24) 1 > 2: UDP, …".
const EXTENDED =
  /^\d+\.\d+ .*?\b(IP6) (?:truncated-ip6 - \d+ bytes missing!)?(\S+) > (\S+): .*?\b(\d+) > (\d+): (tcp|UDP)\b/;

/** tcpdump's view of a packet as "IP6 src.sport > dst.dport: tcp", or undefined when it shows no ports. */
function parseLine(line: string): string | undefined {
  const m = PLAIN.exec(line);
  if (m !== null) return `${m[1]} ${m[2]}.${m[3]} > ${m[4]}.${m[5]}: ${m[6]}`;
  const e = EXTENDED.exec(line);
  if (e !== null) return `${e[1]} ${e[2]}.${e[4]} > ${e[3]}.${e[5]}: ${e[6]}`;
  return undefined;
}

async function tcpdump(path: string): Promise<Map<number, string>> {
  const out = await new Deno.Command("tcpdump", {
    args: ["-nn", "-q", "-tt", "-r", path],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  const lines = new Map<number, string>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const sec = Number(line.split(".")[0]);
    if (line !== "" && !lines.has(sec)) lines.set(sec, line);
  }
  return lines;
}

function render(k: Knock): string {
  return `${k.family === 6 ? "IP6" : "IP"} ${k.src}.${k.sport} > ${k.dst}.${k.dport}: ${
    k.protocol === "tcp" ? "tcp" : "UDP"
  }`;
}

Deno.test({
  name: "decodeFrame() agrees with tcpdump on random valid and mutated frames of every link type",
  ignore,
  async fn() {
    const rng = createRng(20261125);
    for (
      const linktype of [LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.LINKTYPE_RAW]
    ) {
      const frames: { data: Uint8Array; valid: boolean }[] = [];
      for (let i = 0; i < 600; i++) {
        const data = frameFor(linktype, randomIp(rng), rng);
        const valid = i % 3 !== 2;
        if (!valid) {
          for (let f = 0; f < 3; f++) data[rng.nextU32() % data.length] = rng.nextU32() & 0xff;
        }
        frames.push({ data, valid });
      }
      // Second i carries frame i, so lines and frames can be matched by timestamp.
      await using file = await writeTempPcap(
        frames.map((f, i) => ({ timeMs: (i + 1) * 1000, data: f.data })),
        {
          linkType: linktype,
        },
      );
      const printed = await tcpdump(file.path);
      using pcap = PcapHandle.openOffline(file.path);
      const dlt = pcap.datalink();
      let index = 0;
      let agreed = 0;
      while (
        pcap.dispatch(-1, (tsMs, _caplen, _len, bytes) => {
          const i = index++;
          const sec = Math.round(tsMs / 1000);
          const line = printed.get(sec) ?? "";
          const result = decodeFrame(dlt, bytes, tsMs);
          const context = `linktype ${linktype} frame ${i}: ${line} / ${JSON.stringify(result)}`;
          const seen = parseLine(line);
          if (frames[i]!.valid) assert.ok(result.ok && seen !== undefined, context);
          if (result.ok) {
            assert.equal(seen, render(result.knock), context);
            agreed++;
          }
        }) > 0
      ) { /* drain */ }
      assert.equal(index, frames.length);
      assert.ok(agreed >= 400, `only ${agreed} agreements for linktype ${linktype}`);
    }
  },
});
