/**
 * Property test of the merged and coarse capture filters against knockd's (`knockdFilter`, the filter serve
 * installed before issue 20), run by the real libpcap: for random door sets (ports with neighbours and
 * repeats, TCP and UDP, `TCPFlags` including the flags knockd does not know, `Target`s of both families and
 * one that is not an address, `Strict`, `-4`, VLAN) and random packets (both families, IPv6 extension
 * headers, VLAN tags, ICMP, random flags, ports next to the doors' and anywhere), written to a pcap file and
 * filtered by `pcap_offline_filter` through an offline handle:
 *
 * - every packet the engine acts on (visible to a door, or a SYN/UDP datagram a strict door reacts to)
 *   passes knockd's filter, `buildFilter`'s and the coarse form at any limits;
 * - every other packet knockd's filter passes, the two others pass too, except IPv6 TCP packets whose flags
 *   no door accepts (knockd's filter tests no flags in IPv6, the merged one does when TCP follows the fixed
 *   header);
 * - in the `merged` form, `buildFilter`'s passes no packet that knockd's does not.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import type { Door, FlagState, TcpFlag } from "../../../core/config/types.ts";
import { decodeFrame } from "../../../core/decode/mod.ts";
import { createEngine } from "../../../core/engine/mod.ts";
import { buildFilter, type FilterAddresses, knockdFilter } from "../../../core/filter/mod.ts";
import { mergedFilter } from "../../../core/filter/_merged.ts";
import { withVlan } from "../../../core/filter/knockd_filter.ts";
import {
  buildPacket,
  createRng,
  encodeEthernet,
  encodePcap,
  ETHERTYPE,
  type Rng,
} from "../../../core/packet/mod.ts";
import { doorStrict } from "../../../core/config/extensions.ts";
import { flagMask } from "../../../core/config/flags.ts";
import { PcapHandle } from "../../../ffi/mod.ts";
import { cat, extHeader, sll2 } from "../decode/_frames.ts";
import { libpcapAvailable } from "../../integration/_pcap.ts";

const ignore = !(await libpcapAvailable());

const T0 = 1_800_000_000_000;
const ADDRESSES: readonly FilterAddresses[] = [
  { v4: ["10.77.0.1"], v6: [] },
  { v4: ["10.77.0.1", "10.77.0.2"], v6: ["fd77::1", "fe80::1"] },
  { v4: [], v6: [] },
  { v4: [], v6: ["fd77::1"] },
  { v4: ["10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.0.4"], v6: ["fd77::1", "fd77::2"] },
];
const TARGETS = ["10.77.0.9", "10.77.0.1", "fd77::9", "fd77::1", "10.77.0.8"];
const OTHERS = ["10.77.0.5", "fd77::5", "10.77.0.200", "fd77::200"];
const KNOCKD_FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg"];
const MAC = new Uint8Array([2, 0, 0, 0, 0, 9]);

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.int(0, values.length - 1)]!;
}

function chance(rng: Rng, percent: number): boolean {
  return rng.int(0, 99) < percent;
}

/** A random door set: ports clustered around a few bases (neighbours merge into ranges), some anywhere. */
function randomDoors(rng: Rng): Door[] {
  const bases = [pick(rng, [0, 1, 1000, 7000, 65520]), rng.int(1, 65500), 7000];
  const port = (): number => chance(rng, 85) ? pick(rng, bases) + rng.int(0, 15) : rng.int(0, 65535);
  let text = "";
  const count = rng.int(1, 7);
  for (let d = 0; d < count; d++) {
    const steps = Array.from({ length: rng.int(1, 4) }, () => `${port()}${chance(rng, 35) ? ":udp" : ""}`);
    text += `[door${d}]\nsequence = ${steps.join(",")}\n`;
    if (chance(rng, 60)) {
      const flags = KNOCKD_FLAGS.filter(() => chance(rng, 30)).map((f) => chance(rng, 70) ? f : `!${f}`);
      if (flags.length > 0) text += `tcpflags = ${flags.join(",")}\n`;
    }
    if (chance(rng, 25)) text += `target = ${chance(rng, 8) ? "example.com" : pick(rng, TARGETS)}\n`;
    if (chance(rng, 15)) text += "strict = yes\n";
  }
  const { config, ok, diagnostics } = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.ok(ok, JSON.stringify(diagnostics));
  return config.doors.map((door) => {
    if (!chance(rng, 20)) return door;
    // The flags knockd's dialect cannot spell.
    const flags = new Map<TcpFlag, FlagState>(door.tcpFlags);
    for (const flag of ["ece", "cwr", "ns"] as const) {
      if (chance(rng, 50)) flags.set(flag, chance(rng, 50) ? "set" : "clear");
    }
    return { ...door, tcpFlags: flags };
  });
}

interface Frame {
  readonly data: Uint8Array;
  readonly tagged: boolean;
  /** An IPv6 TCP packet without extension headers: the merged filter tests its flags, knockd's does not. */
  readonly v6tcp: boolean;
}

/** A random packet to one of the addresses involved (or others), on a port near a door's or anywhere. */
function randomFrame(rng: Rng, linktype: number, doors: readonly Door[], addresses: FilterAddresses): Frame {
  const dsts = [...addresses.v4, ...addresses.v6, ...TARGETS, ...OTHERS];
  const dst = pick(rng, dsts);
  const v6 = dst.includes(":");
  const ports = doors.flatMap((d) => d.sequence.map((s) => s.port));
  const dport = chance(rng, 75)
    ? Math.min(65535, Math.max(0, pick(rng, ports) + pick(rng, [-1, 0, 0, 0, 1])))
    : pick(rng, [0, 65535, rng.int(0, 65535)]);
  const kind = rng.int(0, 9);
  // A SYN, random flags, or flags that one door accepts (its set bits, random others, its clear bits clear).
  const door = pick(rng, doors);
  const { set, clear } = flagMask(door.tcpFlags);
  const flags = pick(rng, [0x02, rng.int(0, 0x1ff), (set | rng.int(0, 0x1ff)) & ~clear]);
  const transport = kind < 5
    ? { protocol: "tcp" as const, sport: rng.int(1024, 65535), dport, flags, seq: rng.nextU32() }
    : kind < 9
    ? { protocol: "udp" as const, sport: rng.int(1024, 65535), dport }
    : { protocol: v6 ? "icmpv6" as const : "icmp" as const };
  let ip = buildPacket({ src: v6 ? "fd77::2" : "10.77.0.20", dst, transport }, rng);
  const extension = v6 && chance(rng, 20);
  const v6tcp = v6 && kind < 5 && !extension;
  if (extension) {
    // A destination options header between the IPv6 header and the transport.
    const inserted = cat(ip.subarray(0, 40), extHeader(ip[6]!, rng.int(0, 2)), ip.subarray(40));
    inserted[6] = 60;
    new DataView(inserted.buffer).setUint16(4, inserted.length - 40);
    ip = inserted;
  }
  const etherType = v6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4;
  if (linktype === 276) return { data: sll2(etherType, ip), tagged: false, v6tcp };
  if (linktype === 101) return { data: ip, tagged: false, v6tcp };
  const tagged = chance(rng, 20);
  const vlan = tagged ? { vlan: { id: rng.int(1, 4094) } } : {};
  return { data: encodeEthernet({ dst: MAC, src: MAC, etherType, ...vlan }, ip), tagged, v6tcp };
}

/** Indexes of the frames of `file` that `expression` passes, filtered by libpcap. */
function passing(file: string, expression: string): Set<number> {
  using handle = PcapHandle.openOffline(file);
  handle.setFilter(expression);
  const out = new Set<number>();
  while (handle.dispatch(-1, (tsMs) => out.add(Math.round(tsMs - T0))) > 0) {
    // read on
  }
  return out;
}

/** Indexes of the frames the engine acts on: visible to a door, or a SYN or UDP datagram to a strict door. */
function engineActsOn(
  frames: readonly Frame[],
  linktype: number,
  doors: readonly Door[],
  addresses: FilterAddresses,
  onlyIPv4: boolean,
  vlan: boolean,
): Set<number> {
  const local = new Set([...addresses.v4, ...addresses.v6]);
  const isLocal = (dst: string): boolean => local.size === 0 || local.has(dst);
  const engine = createEngine(doors, { isLocal });
  const out = new Set<number>();
  frames.forEach((frame, i) => {
    const decoded = decodeFrame(linktype, frame.data, T0 + i);
    // serve drops IPv6 with -4, and only passes tagged frames with VLAN on.
    if (!decoded.ok || (onlyIPv4 && decoded.knock.family === 6) || (frame.tagged && !vlan)) return;
    const knock = decoded.knock;
    const invisible = engine.stats().invisible;
    engine.observe(knock, T0 + i);
    const strictRelevant = (knock.protocol === "udp" || (knock.flags & 0x12) === 0x02) &&
      doors.some((d) =>
        doorStrict(d) && (d.target === undefined ? isLocal(knock.dst) : d.target.value === knock.dst)
      );
    if (engine.stats().invisible === invisible || strictRelevant) out.add(i);
  });
  return out;
}

function missing(from: ReadonlySet<number>, inside: ReadonlySet<number>): number[] {
  return [...from].filter((i) => !inside.has(i));
}

Deno.test({
  name:
    "filter equivalence: merged and coarse pass all knockd's filter passes that the engine acts on (libpcap)",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    let merged = 0;
    let coarsened = 0;
    let acted = 0;
    let flagDropped = 0;
    try {
      for (let trial = 0; trial < 120; trial++) {
        const rng = createRng(20_000 + trial);
        const doors = randomDoors(rng);
        const addresses = pick(rng, ADDRESSES);
        const linktype = pick(rng, [1, 1, 1, 276, 101]);
        const options = { onlyIPv4: chance(rng, 20), vlan: linktype === 1 && chance(rng, 70) };
        const frames = Array.from({ length: 160 }, () => randomFrame(rng, linktype, doors, addresses));
        const file = `${dir}/t${trial}.pcap`;
        await Deno.writeFile(
          file,
          encodePcap(frames.map((f, i) => ({ timeMs: T0 + i, data: f.data })), { linkType: linktype }),
        );
        const old = knockdFilter(doors, addresses, options).expression;
        const built = buildFilter(doors, addresses, options);
        const limits = { maxTerms: rng.int(1, 24), maxHosts: rng.int(0, 3) };
        const coarse = mergedFilter(doors, addresses, options, limits);
        const context = JSON.stringify({ trial, addresses, options, limits, old, new: built.expression });
        const oldPass = passing(file, old);
        const newPass = passing(file, built.expression);
        const acts = engineActsOn(frames, linktype, doors, addresses, options.onlyIPv4, options.vlan);
        acted += acts.size;
        assert.deepEqual(
          missing(acts, oldPass),
          [],
          `knockd's filter misses packets the engine acts on: ${context}`,
        );
        assert.deepEqual(
          missing(acts, newPass),
          [],
          `buildFilter misses packets the engine acts on: ${context}`,
        );
        // What knockd's passes and buildFilter's does not: only IPv6 TCP whose flags no door accepts.
        const dropped = missing(oldPass, newPass);
        assert.deepEqual(
          dropped.filter((i) => !frames[i]!.v6tcp),
          [],
          `buildFilter drops packets: ${context}`,
        );
        flagDropped += dropped.length;
        if (built.form === "merged") {
          merged++;
          assert.deepEqual(missing(newPass, oldPass), [], `merged passes more than knockd's: ${context}`);
        }
        if (coarse.form === "coarse") coarsened++;
        if (coarse.expression !== undefined) {
          const expression = withVlan(coarse.expression, options.vlan);
          const coarsePass = passing(file, expression);
          const lost = missing(oldPass, coarsePass).filter((i) => !frames[i]!.v6tcp || acts.has(i));
          assert.deepEqual(lost, [], `coarse drops packets: ${expression} ${context}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    // The random sets did exercise the merged form and the engine (not only single doors or empty sets).
    assert.ok(merged > 20, `only ${merged} merged filters`);
    assert.ok(coarsened > 40, `only ${coarsened} coarse filters`);
    assert.ok(acted > 1000, `the engine acted on only ${acted} packets`);
    assert.ok(flagDropped > 50, `only ${flagDropped} IPv6 packets dropped for their flags`);
  },
});
