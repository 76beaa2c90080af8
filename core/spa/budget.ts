/**
 * The public-key step's budget (docs/spa.md, "Flood"): a token bucket over the daemon's time, so that
 * datagrams which pass mac1 but are bogus (an enrolled user's mac1 secret in hostile hands) cost at most
 * `rate` X25519 and Ed25519 operations a second, whatever arrives. Pure.
 *
 * @module
 */

/** A token bucket: `rate` tokens a second, at most `rate` (one second's worth) saved. */
export class TokenBucket {
  readonly #rate: number;
  #tokens: number;
  #at: number | undefined;

  /**
   * A full bucket.
   *
   * @param rate Tokens a second (positive).
   */
  constructor(rate: number) {
    this.#rate = rate;
    this.#tokens = rate;
  }

  /**
   * Takes one token, if there is one.
   *
   * @param now The time, ms.
   * @returns True when a token was taken.
   */
  take(now: number): boolean {
    if (this.#at !== undefined && now > this.#at) {
      this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    }
    if (this.#at === undefined || now > this.#at) this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
