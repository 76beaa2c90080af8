/**
 * Host names of knocking sources for `serve -l` (knockd's `--lookup`): knockd calls `gethostbyaddr()` on the
 * packet path, so a slow resolver delays detection. Here the daemon only asks for a name (a `lookup` effect
 * the interpreter resolves in the background) and shows `IP (name)` in log lines once it is known; until then
 * the address alone. Bounded, so a flood of spoofed sources cannot turn into a flood of DNS queries or an
 * unbounded cache: at most {@linkcode MAX_LOOKUPS_PER_SECOND} lookups start per second, at most
 * {@linkcode MAX_PENDING_LOOKUPS} are in flight, and {@linkcode MAX_NAMES} answers (names and "no name")
 * are kept, the oldest dropped first. Pure.
 *
 * @module
 */

/** Most names (and negative answers) kept. */
export const MAX_NAMES = 4096;
/** Most lookups waiting for an answer. */
export const MAX_PENDING_LOOKUPS = 16;
/** Most lookups started per second. */
export const MAX_LOOKUPS_PER_SECOND = 10;

/** Names of sources, as far as known. */
export class HostNames {
  readonly #names = new Map<string, string | null>();
  readonly #pending = new Set<string>();
  #windowStart = -Infinity;
  #startedInWindow = 0;

  /** The name to show for `address`, if known. */
  nameOf(address: string): string | undefined {
    return this.#names.get(address) ?? undefined;
  }

  /**
   * Whether to look `address` up now (unknown, not in flight, within the bounds).
   *
   * @returns The address to resolve, or `undefined`.
   */
  wanted(address: string, now: number): string | undefined {
    if (this.#names.has(address) || this.#pending.has(address)) return undefined;
    if (this.#pending.size >= MAX_PENDING_LOOKUPS) return undefined;
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#startedInWindow = 0;
    }
    if (this.#startedInWindow >= MAX_LOOKUPS_PER_SECOND) return undefined;
    this.#startedInWindow++;
    this.#pending.add(address);
    return address;
  }

  /** The answer for `address` (`undefined`: it has no name, or the lookup failed). */
  resolved(address: string, name: string | undefined): void {
    this.#pending.delete(address);
    this.#names.delete(address);
    this.#names.set(address, name === undefined || name === "" ? null : name);
    if (this.#names.size > MAX_NAMES) this.#names.delete(this.#names.keys().next().value!);
  }

  /** Lookups in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Answers kept. */
  get size(): number {
    return this.#names.size;
  }
}
