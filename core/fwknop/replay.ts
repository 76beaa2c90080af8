/**
 * The fwknop door's replay cache: the SHA-256 digest of every authenticated payload (fwknopd's key), kept
 * until the packet's timestamp is out of the window (then the age check refuses it anyway), at most
 * {@linkcode MAX_REPLAY_ENTRIES} entries; when full, new packets are refused rather than old entries
 * forgotten. Serialized as one `digest expiry` line per entry. Pure.
 *
 * @module
 */

/** The most digests the cache holds (fwknopd's is unbounded). */
export const MAX_REPLAY_ENTRIES = 10_000;

/** The cache. */
export class ReplayCache {
  /** Digest → the Unix second after which the packet is too old anyway. */
  readonly #entries = new Map<string, number>();
  readonly #max: number;

  constructor(max: number = MAX_REPLAY_ENTRIES) {
    this.#max = max;
  }

  /** How many digests it holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether it holds as many as it may. */
  get full(): boolean {
    return this.#entries.size >= this.#max;
  }

  /** Whether a digest was seen. */
  has(digest: string): boolean {
    return this.#entries.has(digest);
  }

  /** Adds a digest that matters until `expiry` (Unix seconds). */
  add(digest: string, expiry: number): void {
    this.#entries.set(digest, expiry);
  }

  /** Adds another cache's entries (beyond the bound if need be: forgetting one would allow its replay). */
  merge(other: ReplayCache): void {
    for (const [digest, expiry] of other.#entries) {
      this.#entries.set(digest, Math.max(expiry, this.#entries.get(digest) ?? 0));
    }
  }

  /** Drops the entries whose packets are out of the window at `nowS`. */
  prune(nowS: number): void {
    for (const [digest, expiry] of this.#entries) if (expiry < nowS) this.#entries.delete(digest);
  }

  /** The state file's text. */
  serialize(): string {
    let text = "";
    for (const [digest, expiry] of this.#entries) text += `${digest} ${expiry}\n`;
    return text;
  }

  /**
   * Reads a state file's text.
   *
   * @param text The file's text.
   * @param max The cache's bound.
   * @returns The cache, or the 1-based line that is not `digest expiry`.
   */
  static parse(
    text: string,
    max: number = MAX_REPLAY_ENTRIES,
  ): { ok: true; cache: ReplayCache } | { ok: false; line: number } {
    const cache = new ReplayCache(max);
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === "") continue;
      const m = /^([A-Za-z0-9+/]{43}) (\d{1,12})$/.exec(l);
      if (m === null) return { ok: false, line: i + 1 };
      cache.add(m[1]!, Number(m[2]));
    }
    return { ok: true, cache };
  }
}
