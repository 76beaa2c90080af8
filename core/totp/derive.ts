/**
 * A TOTP door's knock sequence for one time step: HMAC-SHA256 of the step's counter under the door's
 * secret, expanded into distinct ports drawn uniformly (rejection sampling, no modulo bias) from the door's
 * port range, less the excluded ports. Client and server compute the same sequence from the same
 * parameters; nothing else (no list of the server's listening sockets) enters it.
 *
 * Byte by byte (docs/totp.md): block `j` (j = 0, 1, ...) is
 * `HMAC-SHA256(secret, counter as 8 bytes big-endian || "knocktool-totp-v1" || j as 4 bytes big-endian)`;
 * each block gives eight 32-bit big-endian numbers `x`. With `m` = candidate ports × protocols, an `x` of at
 * least `floor(2^32 / m) * m` is skipped; otherwise `i = x mod m` names port `candidates[floor(i / P)]` with
 * protocol `protocols[i mod P]` (P = how many protocols); a port already drawn is skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { derivedSequence, totpCandidates } from "./derive.ts";
 *
 * const params = {
 *   key: new TextEncoder().encode("12345678901234567890"),
 *   length: 3,
 *   protocols: ["tcp"] as const,
 *   candidates: totpCandidates(20000, 40000, []),
 * };
 * const steps = derivedSequence(params, 1n);
 * assert.equal(steps.length, 3);
 * assert.deepEqual(derivedSequence(params, 1n), steps); // the same step gives the same sequence
 * ```
 *
 * @module
 */
import { counterBytes, hmac } from "./hotp.ts";

/** The info string of the derivation (version 1). */
export const TOTP_INFO = "knocktool-totp-v1";
const INFO = new TextEncoder().encode(TOTP_INFO);

/**
 * Ports from 1024 up never drawn: registered ports servers commonly listen on (proxies, VPNs, databases,
 * remote desktops, web alternates). Ports below 1024 are never drawn either.
 */
export const TOTP_RESERVED_PORTS: readonly number[] = [
  1080,
  1194,
  1433,
  1521,
  1701,
  1723,
  1812,
  1813,
  2049,
  2375,
  2376,
  3000,
  3128,
  3306,
  3389,
  3690,
  4443,
  5000,
  5060,
  5061,
  5222,
  5269,
  5353,
  5432,
  5671,
  5672,
  5900,
  5901,
  6000,
  6379,
  6443,
  6881,
  8000,
  8008,
  8080,
  8081,
  8443,
  8888,
  9000,
  9090,
  9092,
  9100,
  9200,
  9300,
  9418,
  10250,
  11211,
  25565,
  27017,
  51820,
];

/** Lowest port a TOTP door draws. */
export const TOTP_MIN_PORT = 1024;

/** What a door's sequence is derived from (besides the counter). */
export interface DerivationParams {
  /** The shared secret. */
  readonly key: Uint8Array;
  /** How many knocks. */
  readonly length: number;
  /** The protocols knocks are drawn with (in this order: `tcp` before `udp`). */
  readonly protocols: readonly ("tcp" | "udp")[];
  /** The ports to draw from, ascending ({@linkcode totpCandidates}). */
  readonly candidates: readonly number[];
}

/**
 * The ports a door draws from: `low` to `high`, less ports under 1024, {@linkcode TOTP_RESERVED_PORTS} and
 * `exclude`.
 *
 * @param low First port of the range.
 * @param high Last port of the range.
 * @param exclude The door's own excluded ports.
 * @returns The candidates, ascending.
 */
export function totpCandidates(low: number, high: number, exclude: Iterable<number>): number[] {
  const skip = new Set<number>([...TOTP_RESERVED_PORTS, ...exclude]);
  const out: number[] = [];
  for (let p = Math.max(low, TOTP_MIN_PORT); p <= Math.min(high, 65535); p++) if (!skip.has(p)) out.push(p);
  return out;
}

/** One derived knock. */
export interface DerivedKnock {
  /** The destination port. */
  readonly port: number;
  /** Its protocol. */
  readonly protocol: "tcp" | "udp";
}

/**
 * The sequence of one time step.
 *
 * @param params The door's parameters.
 * @param counter The step's counter (RFC 6238's T).
 * @returns `length` knocks on distinct ports.
 * @throws {RangeError} When there are fewer candidates than knocks.
 */
export function derivedSequence(params: DerivationParams, counter: bigint): DerivedKnock[] {
  const { candidates, protocols, length } = params;
  if (candidates.length < length || protocols.length === 0) {
    throw new RangeError(`${candidates.length} candidate ports for ${length} knocks`);
  }
  const m = candidates.length * protocols.length;
  const limit = Math.floor(2 ** 32 / m) * m;
  const c = counterBytes(counter);
  const out: DerivedKnock[] = [];
  const used = new Set<number>();
  const index = new Uint8Array(4);
  for (let j = 0; out.length < length; j++) {
    new DataView(index.buffer).setUint32(0, j);
    const block = hmac("sha256", params.key, c, INFO, index);
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    for (let k = 0; k + 4 <= block.length && out.length < length; k += 4) {
      const x = view.getUint32(k);
      if (x >= limit) continue;
      const i = x % m;
      const port = candidates[Math.floor(i / protocols.length)]!;
      if (used.has(port)) continue;
      used.add(port);
      out.push({ port, protocol: protocols[i % protocols.length]! });
    }
  }
  return out;
}
