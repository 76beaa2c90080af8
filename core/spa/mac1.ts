/**
 * mac1 checked at the rate junk arrives (docs/spa.md, "Flood"): the same keyed BLAKE2s-128 as
 * `computeMac1` (./seal.ts), with the keyed state prepared once per secret (the key block, and the
 * version byte every datagram that reaches mac1 starts with, already absorbed) and copied into one reused
 * instance for each datagram, and the tag written into a preallocated output; compared in constant time.
 * Nothing is allocated per datagram but what the hash itself does. Pure.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { type _BLAKE2s, blake2s } from "@noble/hashes/blake2.js";
import { DATAGRAM_BYTES, EPHEMERAL_OFFSET, MAC1_BYTES, SPA_VERSION } from "./wire.ts";

/** A mac1 secret, prepared to check datagrams. */
export class Mac1Check {
  /** The state after the key block (the key absorbed, nothing else). */
  readonly #keyed: _BLAKE2s;
  /**
   * The state after the key block and the version byte {@linkcode SPA_VERSION}: the key block is compressed
   * once here rather than once per datagram (one of the six compressions of a datagram's mac1).
   */
  readonly #afterVersion: _BLAKE2s;
  /** The instance each datagram is hashed with (a prepared state copied in first). */
  readonly #work: _BLAKE2s;
  /** The computed tag. */
  readonly #tag = new Uint8Array(MAC1_BYTES);

  /**
   * Prepares a secret.
   *
   * @param secret The mac1 secret (32 bytes).
   */
  constructor(secret: Uint8Array) {
    this.#keyed = blake2s.create({ key: secret, dkLen: MAC1_BYTES });
    this.#afterVersion = this.#keyed.clone().update(Uint8Array.of(SPA_VERSION));
    this.#work = this.#keyed.clone();
  }

  /**
   * Computes a datagram's mac1 into a buffer that the next call overwrites.
   *
   * @param datagram A datagram of {@linkcode DATAGRAM_BYTES} (its mac1 bytes are not read).
   * @returns The 16 bytes (valid until the next call).
   */
  compute(datagram: Uint8Array): Uint8Array {
    const rest = datagram.subarray(EPHEMERAL_OFFSET, DATAGRAM_BYTES);
    let work: _BLAKE2s;
    if (datagram[0] === SPA_VERSION) work = this.#afterVersion._cloneInto(this.#work);
    else work = this.#keyed._cloneInto(this.#work).update(datagram.subarray(0, 1));
    work.update(rest);
    work.digestInto(this.#tag);
    return this.#tag;
  }

  /**
   * Whether a datagram's mac1 is right (constant-time comparison, `crypto.timingSafeEqual`).
   *
   * @param datagram A datagram of {@linkcode DATAGRAM_BYTES}.
   * @returns True when it is.
   */
  check(datagram: Uint8Array): boolean {
    return timingSafeEqual(this.compute(datagram), datagram.subarray(1, 1 + MAC1_BYTES));
  }
}
