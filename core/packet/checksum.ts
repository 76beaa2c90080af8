/**
 * The Internet checksum (RFC 1071) and the pseudo-headers TCP, UDP and ICMPv6 cover.
 *
 * @module
 */
import { checkAddress, checkUint } from "./_validate.ts";

/**
 * Sums `parts` as one byte string in 16-bit one's complement arithmetic (RFC 1071) and
 * returns the one's complement of the sum, ready to be stored in a checksum field.
 *
 * The parts are treated as if concatenated: an odd-length part continues into the next one,
 * and the final odd byte is padded with a zero byte.
 *
 * @example
 * ```ts
 * import { internetChecksum } from "./checksum.ts";
 * // RFC 1071 §3 example: the sum is 0xddf2, the checksum its complement.
 * internetChecksum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])); // 0x220d
 * ```
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

/** The folded 16-bit one's complement sum of `parts` taken as one byte string (not complemented). */
export function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd = false; // true when the previous part ended in the middle of a 16-bit word
  for (const part of parts) {
    let i = 0;
    if (odd && part.length > 0) {
      sum += part[0]!;
      i = 1;
      odd = false;
    }
    const n = part.length;
    for (; i + 1 < n; i += 2) {
      sum += (part[i]! << 8) | part[i + 1]!;
    }
    if (i < n) {
      sum += part[i]! << 8;
      odd = true;
    }
    // Fold now and then so the sum stays a small integer.
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * The pseudo-header a transport checksum covers: RFC 793 for IPv4 (12 bytes),
 * RFC 8200 §8.1 for IPv6 (40 bytes). The family follows the address length.
 */
export function pseudoHeader(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): Uint8Array {
  checkUint("protocol", protocol, 8);
  if (src.length === 4) {
    checkAddress("dst", dst, 4);
    checkUint("length", length, 16);
    const out = new Uint8Array(12);
    out.set(src, 0);
    out.set(dst, 4);
    out[9] = protocol;
    out[10] = length >>> 8;
    out[11] = length & 0xff;
    return out;
  }
  checkAddress("src", src, 16);
  checkAddress("dst", dst, 16);
  checkUint("length", length, 32);
  const out = new Uint8Array(40);
  out.set(src, 0);
  out.set(dst, 16);
  new DataView(out.buffer).setUint32(32, length);
  out[39] = protocol;
  return out;
}

/**
 * A checksum guaranteed to be wrong for data whose correct checksum is `correct`:
 * `correct ^ 0x5555` (as `hping3 -b` does), or `0xaaaa` when that would be 0, so that a UDP
 * receiver never reads it as "no checksum". Neither value is one's-complement-equal to `correct`.
 */
export function wrongChecksum(correct: number): number {
  checkUint("checksum", correct, 16);
  return (correct ^ 0x5555) || 0xaaaa;
}
