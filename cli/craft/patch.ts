/**
 * Per-packet variation of a prebuilt packet: the fields the user left random (the addresses with
 * `--rand-source`/`--rand-dest`, IPv4 id, source port, TCP sequence and acknowledgment numbers,
 * ICMP echo id) are drawn again and written in place, and the checksums are updated incrementally
 * (RFC 1624, eqn. 3) instead of rebuilding.
 *
 * @module
 */
import type { Rng } from "../../core/packet/rng.ts";
import { type Block, randomAddress } from "./blocks.ts";

/** Which fields change from packet to packet. */
export interface Varying {
  /** A random source address in this block per packet. */
  readonly srcBlock?: Block;
  /** A random destination address in this block per packet. */
  readonly dstBlock?: Block;
  readonly id: boolean;
  readonly sport: boolean;
  readonly seq: boolean;
  readonly ack: boolean;
  readonly icmpId: boolean;
}

/** Rewrites the varying fields of `bytes` in place. */
export type Patcher = (bytes: Uint8Array, rng: Rng) => void;

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** HC' = ~(~HC + ~m + m') for one 16-bit word `m` → `m2`. */
function adjust(checksum: number, before: number, after: number): number {
  return ~fold((~checksum & 0xffff) + (~before & 0xffff) + after) & 0xffff;
}

/**
 * Makes a patcher for packets shaped like `template` (an IPv4 or IPv6 datagram carrying TCP, UDP,
 * ICMP or ICMPv6 right after the fixed header and options). Returns `undefined` when nothing varies.
 * The draw order matches `buildPacket`: id, sport, seq, ack, ICMP id.
 */
export function makePatcher(template: Uint8Array, varying: Varying): Patcher | undefined {
  const addresses = varying.srcBlock !== undefined || varying.dstBlock !== undefined;
  if (!addresses && !varying.id && !varying.sport && !varying.seq && !varying.ack && !varying.icmpId) {
    return undefined;
  }
  const v4 = template[0]! >> 4 === 4;
  const l4 = v4 ? (template[0]! & 15) * 4 : 40;
  const protocol = v4 ? template[9]! : template[6]!;
  const tcp = protocol === 6;
  const udp = protocol === 17;
  const icmp = protocol === 1 || protocol === 58;
  const sumAt = l4 + (tcp ? 16 : udp ? 6 : icmp ? 2 : -1);
  const id = varying.id && v4;
  const sport = varying.sport && (tcp || udp);
  const seq = varying.seq && tcp;
  const ack = varying.ack && tcp;
  const icmpId = varying.icmpId && icmp;
  // TCP, UDP and ICMPv6 checksums cover the addresses (the pseudo-header); ICMPv4's does not.
  const pseudo = tcp || udp || protocol === 58;
  const srcAt = v4 ? 12 : 8;
  const dstAt = v4 ? 16 : 24;
  return (bytes, rng) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let l4sum = sumAt >= 0 ? view.getUint16(sumAt) : 0;
    const set16 = (offset: number, value: number): void => {
      l4sum = adjust(l4sum, view.getUint16(offset), value);
      view.setUint16(offset, value);
    };
    const setAddress = (at: number, block: Block): void => {
      const address = randomAddress(block, rng);
      let ipsum = v4 ? view.getUint16(10) : 0;
      for (let i = 0; i < address.length; i += 2) {
        const before = view.getUint16(at + i);
        const after = (address[i]! << 8) | address[i + 1]!;
        if (v4) ipsum = adjust(ipsum, before, after);
        if (pseudo && sumAt >= 0) l4sum = adjust(l4sum, before, after);
        view.setUint16(at + i, after);
      }
      if (v4) view.setUint16(10, ipsum);
    };
    if (varying.srcBlock !== undefined) setAddress(srcAt, varying.srcBlock);
    if (varying.dstBlock !== undefined) setAddress(dstAt, varying.dstBlock);
    if (id) {
      const value = rng.int(0, 0xffff);
      view.setUint16(10, adjust(view.getUint16(10), view.getUint16(4), value));
      view.setUint16(4, value);
    }
    if (sport) set16(l4, rng.int(32768, 60999));
    if (seq) {
      const value = rng.nextU32();
      set16(l4 + 4, value >>> 16);
      set16(l4 + 6, value & 0xffff);
    }
    if (ack) {
      const value = rng.nextU32();
      set16(l4 + 8, value >>> 16);
      set16(l4 + 10, value & 0xffff);
    }
    if (icmpId) set16(l4 + 4, rng.int(0, 0xffff));
    if (sumAt >= 0) view.setUint16(sumAt, udp && l4sum === 0 ? 0xffff : l4sum);
  };
}
