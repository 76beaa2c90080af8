/**
 * An SPA door's replay state (docs/spa.md, "Replay"): per user, the timestamp of the last accepted request
 * (a later request must carry a strictly greater one), a bounded cache of the nonces accepted within the
 * window, and a floor under which no timestamp is taken (the time the state began, when it had no file).
 * Small and serializable: the interpreter writes {@linkcode ReplayState.serialize} atomically before the
 * door's commands run. Pure.
 *
 * Memory bound: at most {@linkcode MAX_NONCES} nonces (about 100 bytes each in the heap), one number per
 * user of the users file, and in memory only {@linkcode MAX_SEEN_EPHEMERALS} ephemeral keys (about 150 bytes
 * each: 2.4 MiB at most).
 *
 * @module
 */

/** Most nonces kept; the oldest is dropped first (the per-user timestamp still refuses its replay). */
export const MAX_NONCES = 4096;

/**
 * Most ephemeral keys remembered (in memory only) from datagrams that passed mac1 and were opened: a verbatim
 * replay of one of them is refused before any public-key work. The oldest is forgotten first (its replay
 * then costs the public-key step again, and is still refused by the timestamp).
 */
export const MAX_SEEN_EPHEMERALS = 16384;

/** Why a timestamp and nonce are refused, or `undefined` when they are fresh. */
export type ReplayVerdict = undefined | "replay" | "before-state";

interface StateJson {
  readonly v: 1;
  readonly floor: number;
  readonly users: Record<string, number>;
  readonly nonces: readonly (readonly [string, number])[];
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** The replay state of one SPA door. */
export class ReplayState {
  #floor: number;
  readonly #users = new Map<string, number>();
  /** Nonce (hex) -> when it may be forgotten (ms); insertion order is acceptance order. */
  readonly #nonces = new Map<string, number>();
  readonly #maxNonces: number;
  /** Ephemeral keys (hex) of datagrams already judged past mac1; not serialized (a cost guard only). */
  readonly #seen = new Set<string>();

  /**
   * A fresh state.
   *
   * @param floor No timestamp below this is accepted (ms): the time the state begins.
   * @param maxNonces The nonce cache's bound.
   */
  constructor(floor: number, maxNonces = MAX_NONCES) {
    this.#floor = floor;
    this.#maxNonces = maxNonces;
  }

  /**
   * Whether a datagram with this ephemeral key was already judged past mac1 (a verbatim replay).
   *
   * @param ephemeral The datagram's ephemeral public key.
   * @returns True when seen.
   */
  seenEphemeral(ephemeral: Uint8Array): boolean {
    return this.#seen.has(hex(ephemeral));
  }

  /**
   * Remembers an ephemeral key judged past mac1 (at most {@linkcode MAX_SEEN_EPHEMERALS}, oldest first out).
   *
   * @param ephemeral The datagram's ephemeral public key.
   */
  markEphemeral(ephemeral: Uint8Array): void {
    const key = hex(ephemeral);
    this.#seen.delete(key);
    this.#seen.add(key);
    if (this.#seen.size > MAX_SEEN_EPHEMERALS) this.#seen.delete(this.#seen.values().next().value!);
  }

  /** How many ephemeral keys are remembered. */
  get seenCount(): number {
    return this.#seen.size;
  }

  /** How many nonces are cached. */
  get nonceCount(): number {
    return this.#nonces.size;
  }

  /** How many users have a last timestamp. */
  get userCount(): number {
    return this.#users.size;
  }

  /** The floor, ms. */
  get floor(): number {
    return this.#floor;
  }

  /**
   * The last accepted timestamp of a user.
   *
   * @param user The user.
   * @returns Ms, or `undefined` when none.
   */
  last(user: string): number | undefined {
    return this.#users.get(user);
  }

  /**
   * Whether a request would be a replay.
   *
   * @param user The user.
   * @param timestampMs The request's timestamp.
   * @param nonce Its nonce.
   * @returns `replay` (not after the user's last, or a nonce seen), `before-state` (under the floor), or
   *   `undefined`.
   */
  check(user: string, timestampMs: number, nonce: Uint8Array): ReplayVerdict {
    if (timestampMs < this.#floor) return "before-state";
    const last = this.#users.get(user);
    if (last !== undefined && timestampMs <= last) return "replay";
    if (this.#nonces.has(hex(nonce))) return "replay";
    return undefined;
  }

  /**
   * Records an accepted request.
   *
   * @param user The user.
   * @param timestampMs Its timestamp.
   * @param nonce Its nonce.
   * @param forgetAt When its nonce may be forgotten (its timestamp plus the window, ms).
   * @param now The time (expired nonces are dropped).
   */
  accept(user: string, timestampMs: number, nonce: Uint8Array, forgetAt: number, now: number): void {
    this.#users.set(user, timestampMs);
    for (const [key, until] of this.#nonces) {
      if (until >= now && this.#nonces.size < this.#maxNonces) break;
      this.#nonces.delete(key);
    }
    this.#nonces.set(hex(nonce), forgetAt);
  }

  /**
   * Forgets the users not in `users` (revoked), so the state stays bounded by the users file.
   *
   * @param users The users now enrolled.
   */
  retain(users: ReadonlySet<string>): void {
    for (const user of [...this.#users.keys()]) if (!users.has(user)) this.#users.delete(user);
  }

  /** The state as the text of its file (JSON, one line). */
  serialize(): string {
    const json: StateJson = {
      v: 1,
      floor: this.#floor,
      users: Object.fromEntries(this.#users),
      nonces: [...this.#nonces],
    };
    return JSON.stringify(json) + "\n";
  }

  /**
   * Reads a state file's text.
   *
   * @param text The text.
   * @param maxNonces The nonce cache's bound.
   * @returns The state, or `undefined` when the text is not a state file.
   */
  static parse(text: string, maxNonces = MAX_NONCES): ReplayState | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof json !== "object" || json === null) return undefined;
    const j = json as Partial<StateJson>;
    if (j.v !== 1 || typeof j.floor !== "number" || typeof j.users !== "object" || !Array.isArray(j.nonces)) {
      return undefined;
    }
    const state = new ReplayState(j.floor, maxNonces);
    for (const [user, ts] of Object.entries(j.users ?? {})) {
      if (typeof ts !== "number") return undefined;
      state.#users.set(user, ts);
    }
    for (const entry of j.nonces.slice(-maxNonces)) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string" || typeof entry[1] !== "number") {
        return undefined;
      }
      state.#nonces.set(entry[0], entry[1]);
    }
    return state;
  }
}
