/**
 * An SPA door (a `DatagramDoor`, core/serve/datagram.ts): judges each datagram to its ports in the order of
 * docs/spa.md, "Verification": length and version (else ignored, silently), mac1, an ephemeral key already judged (a verbatim
 * replay, refused without public-key work), the public-key budget,
 * decryption, the body, the user, the signature, the door, replay (a used timestamp or nonce), the time window, the replay floor, the duration. Pure:
 * the time comes with each datagram, the replay state it changes is given back to be written.
 *
 * @module
 */
import type { KeyObject } from "node:crypto";
import { formatIPv4, formatIPv6 } from "../address.ts";
import { doorNft } from "../config/nft.ts";
import type { Door } from "../config/types.ts";
import { doorCommands } from "../serve/commands.ts";
import type { Datagram, DatagramDoor, DatagramReject, DatagramVerdict } from "../serve/datagram.ts";
import type { LogEntry } from "../serve/messages.ts";
import { TokenBucket } from "./budget.ts";
import type { ReplayState } from "./replay.ts";
import { Mac1Check } from "./mac1.ts";
import { checkSignature, type ServerKeys, unseal } from "./seal.ts";
import { CIPHERTEXT_OFFSET, DATAGRAM_BYTES, decodeBody, EPHEMERAL_OFFSET, SPA_VERSION } from "./wire.ts";

/** What an SPA door is made of. */
export interface SpaDoorOptions {
  /** The door's section in the config (its commands, `Cmd_Timeout`, `Target`, nftables sets). */
  readonly door: Door;
  /** `SPA_Port`. */
  readonly ports: readonly number[];
  /** The server's keys. */
  readonly keys: ServerKeys;
  /** The enrolled users' Ed25519 public keys, by name. */
  readonly users: ReadonlyMap<string, KeyObject>;
  /** `SPA_Window`, ms. */
  readonly windowMs: number;
  /** `SPA_Budget`, verifications a second. */
  readonly budget: number;
  /** The replay state (kept across reloads by the loader). */
  readonly replay: ReplayState;
  /** Where the replay state is written. */
  readonly statePath: string;
}

/**
 * A signed time difference for log lines: `+12 ms`, `-3.4 s`.
 *
 * @param ms The difference (client minus server), ms.
 * @returns The text.
 */
export function formatSkew(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const a = Math.abs(ms);
  return a < 1000 ? `${sign}${Math.round(a)} ms` : `${sign}${(a / 1000).toFixed(1)} s`;
}

/** The verdict for a datagram of another length or version (one object: ignoring allocates nothing). */
const IGNORE: DatagramVerdict = Object.freeze({ kind: "ignore" });

/** The line of a bad mac1 (junk: what a flood without the enrolment bundle is made of). */
const BAD_MAC1 = "bad mac1 (not sealed with this server's mac1 secret, or changed)";

/**
 * A refusal whose log line is built when it is read: refusals are logged at most once a second per kind
 * (core/serve/rejects.ts), so a flood of junk must not build a line per datagram it will never log.
 */
class SpaReject implements DatagramReject {
  readonly kind = "reject";
  readonly reason: string;
  readonly #src: string;
  readonly #door: string;
  readonly #text: string;
  readonly #extra: Record<string, string | number> | undefined;
  #log: LogEntry | undefined;

  constructor(
    src: string,
    door: string,
    reason: string,
    text: string,
    extra: Record<string, string | number> | undefined,
  ) {
    this.reason = reason;
    this.#src = src;
    this.#door = door;
    this.#text = text;
    this.#extra = extra;
  }

  get log(): LogEntry {
    return this.#log ??= {
      level: "info",
      message: `${this.#src}: ${this.#door}: SPA refused: ${this.#text}`,
      fields: { event: "spa-reject", src: this.#src, door: this.#door, reason: this.reason, ...this.#extra },
    };
  }
}

/** An SPA door. */
export class SpaDoor implements DatagramDoor {
  readonly name: string;
  readonly ports: readonly number[];
  readonly target: string | undefined;
  readonly #o: SpaDoorOptions;
  readonly #bucket: TokenBucket;
  readonly #mac1: Mac1Check;

  /**
   * An SPA door.
   *
   * @param options Its parts.
   */
  constructor(options: SpaDoorOptions) {
    this.#o = options;
    this.name = options.door.name;
    this.ports = options.ports;
    this.target = options.door.target?.value;
    this.#bucket = new TokenBucket(options.budget);
    this.#mac1 = new Mac1Check(options.keys.mac1);
  }

  #reject(
    d: Datagram,
    reason: string,
    text: string,
    extra?: Record<string, string | number>,
  ): DatagramVerdict {
    return new SpaReject(d.src, this.name, reason, text, extra);
  }

  datagram(d: Datagram, now: number): DatagramVerdict {
    const p = d.payload;
    if (p.length !== DATAGRAM_BYTES || p[0] !== SPA_VERSION) return IGNORE;
    const o = this.#o;
    if (!this.#mac1.check(p)) return this.#reject(d, "bad-mac", BAD_MAC1);
    const ephemeral = p.subarray(EPHEMERAL_OFFSET, CIPHERTEXT_OFFSET);
    if (o.replay.seenEphemeral(ephemeral)) {
      return this.#reject(d, "replay", "replay of a datagram already judged (same ephemeral key)");
    }
    if (!this.#bucket.take(now)) {
      return this.#reject(d, "budget", `public-key budget of ${o.budget}/s spent (flood?)`);
    }
    const unsealed = unseal(o.keys, p);
    // Judged once: the same datagram again costs a lookup, not the public-key step.
    o.replay.markEphemeral(ephemeral);
    if (!unsealed.ok) {
      return unsealed.reason === "bad-key"
        ? this.#reject(d, "bad-key", "ephemeral key refused by X25519 (low-order point)")
        : this.#reject(d, "bad-seal", "does not decrypt (sealed to another server key, or changed)");
    }
    const body = decodeBody(unsealed.body);
    if (!body.ok) return this.#reject(d, "malformed", body.reason);
    const r = body.request;
    const userKey = o.users.get(r.user);
    if (userKey === undefined) {
      return this.#reject(d, "unknown-user", `unknown user "${r.user}" (not in the users file)`, {
        user: r.user,
      });
    }
    if (!checkSignature(userKey, o.keys.publicKey, unsealed)) {
      return this.#reject(d, "bad-signature", `bad signature for user "${r.user}"`, { user: r.user });
    }
    if (r.door !== this.name) {
      return this.#reject(d, "wrong-door", `user "${r.user}" asked for door "${r.door}"`, { user: r.user });
    }
    const skew = r.timestampMs - now;
    const replay = o.replay.check(r.user, r.timestampMs, r.nonce);
    if (replay === "replay") {
      return this.#reject(d, "replay", `user "${r.user}": replay (timestamp or nonce already used)`, {
        user: r.user,
        skew_ms: skew,
      });
    }
    if (Math.abs(skew) > o.windowMs) {
      return this.#reject(
        d,
        "expired",
        `user "${r.user}": timestamp outside the window (clock skew ${formatSkew(skew)}, window ±${
          o.windowMs / 1000
        } s)`,
        { user: r.user, skew_ms: skew },
      );
    }
    if (replay === "before-state") {
      return this.#reject(
        d,
        "replay",
        `user "${r.user}": timestamp before the replay state began (possible replay)`,
        {
          user: r.user,
          skew_ms: skew,
        },
      );
    }
    const door = o.door;
    if (r.durationS > 0 && r.durationS > door.cmdTimeout.value) {
      return this.#reject(
        d,
        "duration",
        `user "${r.user}" asked for ${r.durationS} s, more than the door's Cmd_Timeout of ${door.cmdTimeout.value} s`,
        { user: r.user },
      );
    }
    const a = r.address;
    const family: 4 | 6 = a.kind === "source" ? d.family : a.kind;
    const address = a.kind === "source" ? d.src : a.kind === 4 ? formatIPv4(a.bytes) : formatIPv6(a.bytes);
    const commands = doorCommands(door, family, address);
    const nft = doorNft(door);
    o.replay.accept(r.user, r.timestampMs, r.nonce, r.timestampMs + o.windowMs, now);
    const seconds = r.durationS > 0 ? r.durationS : commands.cmdTimeout;
    const log: LogEntry = {
      level: "info",
      message: `${d.src}: ${this.name}: SPA OPEN for user "${r.user}": ${address}${
        a.kind === "source" ? " (source)" : ""
      } for ${seconds} s (clock skew ${formatSkew(skew)})`,
      fields: { event: "spa-open", src: d.src, door: this.name, user: r.user, address, skew_ms: skew },
    };
    return {
      kind: "open",
      door: this.name,
      address,
      family,
      commands: r.durationS > 0 ? { ...commands, cmdTimeout: r.durationS } : commands,
      log: [log],
      persist: { path: o.statePath, text: o.replay.serialize() },
      ...(nft === undefined ? {} : {
        nft: r.durationS > 0 ? { ...nft, timeoutMs: r.durationS * 1000 } : nft,
      }),
    };
  }
}
