/**
 * The IPv4 sources of the attempt table: an open-addressing hash (linear probing, backward-shift deletion,
 * no tombstones) from a source, as a 32-bit integer, to its first attempt's slot. The keys are not stored
 * twice: an entry is a slot, and the table's `keys` array (by slot) holds its source.
 *
 * @module
 */

/** No slot. */
export const NIL = -1;

const FIRST_SIZE = 2048;

/** Source → first slot, at most half full. */
export class Ipv4Heads {
  /** The source of each slot (the attempt table's array; replaced when it grows). */
  keys: Uint32Array = new Uint32Array(0);
  #hash = new Int32Array(FIRST_SIZE).fill(NIL);
  #shift = 32 - Math.log2(FIRST_SIZE);
  #size = 0;

  /** Sources held. */
  get size(): number {
    return this.#size;
  }

  /** The first slot of source `key4`, or {@linkcode NIL}. */
  get(key4: number): number {
    const hash = this.#hash;
    const mask = hash.length - 1;
    for (let i = Math.imul(key4, 0x9e3779b1) >>> this.#shift;; i = (i + 1) & mask) {
      const slot = hash[i]!;
      if (slot === NIL || this.keys[slot] === key4) return slot;
    }
  }

  /** Makes `slot` the first slot of source `key4` (which must be held). */
  replace(key4: number, slot: number): void {
    this.#hash[this.#index(key4)] = slot;
  }

  /** The hash position holding IPv4 source `key4` (which must be there). */
  #index(key4: number): number {
    const hash = this.#hash;
    const mask = hash.length - 1;
    for (let i = Math.imul(key4, 0x9e3779b1) >>> this.#shift;; i = (i + 1) & mask) {
      if (this.keys[hash[i]!] === key4) return i;
    }
  }

  /**
   * The first slot of source `key4` if held; otherwise adds it with first slot `slot` and returns
   * {@linkcode NIL}. One probe either way.
   */
  getOrInsert(key4: number, slot: number): number {
    if ((this.#size + 1) * 2 > this.#hash.length) this.#rehash(this.#hash.length * 2);
    const hash = this.#hash;
    const mask = hash.length - 1;
    let i = Math.imul(key4, 0x9e3779b1) >>> this.#shift;
    for (let held = hash[i]!; held !== NIL; held = hash[i]!) {
      if (this.keys[held] === key4) return held;
      i = (i + 1) & mask;
    }
    hash[i] = slot;
    this.#size++;
    return NIL;
  }

  /** Deletes `key4` by shifting back the entries of its probe run (no tombstones). */
  delete(key4: number): void {
    const hash = this.#hash;
    const mask = hash.length - 1;
    let hole = this.#index(key4);
    hash[hole] = NIL;
    this.#size--;
    for (let j = (hole + 1) & mask;; j = (j + 1) & mask) {
      const slot = hash[j]!;
      if (slot === NIL) return;
      const home = Math.imul(this.keys[slot]!, 0x9e3779b1) >>> this.#shift;
      // The entry stays when its home lies cyclically in (hole, j].
      const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      hash[hole] = slot;
      hash[j] = NIL;
      hole = j;
    }
  }

  #rehash(size: number): void {
    const old = this.#hash;
    const hash = new Int32Array(size).fill(NIL);
    const mask = size - 1;
    const shift = 32 - Math.log2(size);
    for (const slot of old) {
      if (slot === NIL) continue;
      let i = Math.imul(this.keys[slot]!, 0x9e3779b1) >>> shift;
      while (hash[i] !== NIL) i = (i + 1) & mask;
      hash[i] = slot;
    }
    this.#hash = hash;
    this.#shift = shift;
  }
}
