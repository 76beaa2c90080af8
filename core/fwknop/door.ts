/**
 * A datagram door (core/serve/datagram.ts) that accepts fwknop's SPA packets as fwknopd does with its
 * access.conf: for each stanza whose SOURCE (and DESTINATION) matches the packet, in file order, the HMAC
 * (constant time), the decryption and the digest; then the replay cache (only authenticated packets reach
 * it), the timestamp window, the allow address (`0.0.0.0` = the packet's source, refused with
 * REQUIRE_SOURCE_ADDRESS), REQUIRE_USERNAME and the requested ports against OPEN_PORTS/RESTRICT_PORTS. An
 * accepted packet runs the stanza's CMD_CYCLE_OPEN and, CMD_CYCLE_TIMER seconds later, CMD_CYCLE_CLOSE; a
 * stanza without CMD_CYCLE_OPEN opens in nftables instead, as fwknopd adds a firewall rule: the allow address
 * (and with `perPort` each requested port, `ADDRESS . PORT`) goes into the door's set with an element timeout
 * of the access time, which the kernel enforces (serve's `--fwknop-nft-set`, `--fwknop-nft-set-6`). Pure.
 *
 * @module
 */
import { tryParseIP } from "../address.ts";
import type { DoorNft, NftSetRef } from "../config/nft.ts";
import { type DoorCommands, MAX_COMMAND_BYTES } from "../serve/commands.ts";
import type { Datagram, DatagramDoor, DatagramVerdict } from "../serve/datagram.ts";
import type { LogEntry } from "../serve/messages.ts";
import { spaDigest } from "./_digest.ts";
import { inAddressList } from "./address_list.ts";
import type { AccessStanza, ProtoPort } from "./access.ts";
import { MessageType, parseAccessMessage, type SpaFields } from "./message.ts";
import { decodeSpa, plausibleSpa, type SpaFailure } from "./packet.ts";
import { ReplayCache } from "./replay.ts";

/** fwknopd's default port. */
export const FWKNOP_PORT = 62201;
/** fwknopd's default MAX_SPA_PACKET_AGE, s. */
export const FWKNOP_MAX_AGE = 120;

/** What builds an fwknop door. */
export interface FwknopDoorOptions {
  /** The door's name in logs (default `fwknop`). */
  readonly name?: string;
  /** UDP ports (default 62201). */
  readonly ports?: readonly number[];
  readonly stanzas: readonly AccessStanza[];
  /** The timestamp window, s (default 120): packets whose timestamp is further from now are refused. */
  readonly maxAge?: number;
  /** Where the replay cache is persisted. */
  readonly statePath: string;
  /** The replay cache as loaded. */
  readonly cache?: ReplayCache;
  /** Where the stanzas without CMD_CYCLE_OPEN open (without it, such stanzas are refused at load). */
  readonly nft?: FwknopNft;
}

/** The nftables sets the stanzas without CMD_CYCLE_OPEN open in (`--fwknop-nft-set`, `--fwknop-nft-set-6`). */
export interface FwknopNft {
  /** Where IPv4 allow addresses go. */
  readonly v4?: NftSetRef | undefined;
  /** Where IPv6 allow addresses go. */
  readonly v6?: NftSetRef | undefined;
  /**
   * `ADDRESS . PORT` elements, one per requested port (sets of type `ipv4_addr . inet_service` or
   * `ipv6_addr . inet_service`; the protocol is not in the element): `--fwknop-nft-per-port`.
   */
  readonly perPort: boolean;
}

const latin1 = new TextDecoder("latin1");

const FAILURE_ORDER: readonly SpaFailure[] = ["bad-mac", "decrypt", "format", "digest"];

/**
 * Substitutes fwknop's variables as fwknopd 2.6.10 does: `$IP`/`$SRC` (the allow address), `$PKT_SRC`, `$DST`,
 * `$PORT`, `$PROTO` (the protocol number: 6 or 17), `$TIMEOUT`.
 */
export function substituteFwknop(
  command: string,
  v: { src: string; pktSrc: string; dst: string; port: ProtoPort; timeout: number },
): string {
  return command.replace(/\$(PKT_SRC|SRC|IP|DST|PORT|PROTO|TIMEOUT)\b/g, (_, name: string) => {
    switch (name) {
      case "PKT_SRC":
        return v.pktSrc;
      case "SRC":
      case "IP":
        return v.src;
      case "DST":
        return v.dst;
      case "PORT":
        return String(v.port.port);
      case "PROTO":
        // fwknopd substitutes the IP protocol number (observed: 6 for tcp), not its name.
        return v.port.proto === "tcp" ? "6" : "17";
      default:
        return String(v.timeout);
    }
  });
}

function portText(p: ProtoPort): string {
  return `${p.proto}/${p.port}`;
}

/** The fwknop door. */
export class FwknopDoor implements DatagramDoor {
  readonly name: string;
  readonly ports: readonly number[];
  readonly target: undefined = undefined;
  readonly #stanzas: readonly AccessStanza[];
  readonly #maxAge: number;
  readonly #statePath: string;
  readonly #cache: ReplayCache;
  readonly #nft: FwknopNft | undefined;

  constructor(options: FwknopDoorOptions) {
    this.name = options.name ?? "fwknop";
    this.ports = options.ports ?? [FWKNOP_PORT];
    this.#stanzas = options.stanzas;
    this.#maxAge = options.maxAge ?? FWKNOP_MAX_AGE;
    this.#statePath = options.statePath;
    this.#cache = options.cache ?? new ReplayCache();
    this.#nft = options.nft;
  }

  /** The replay cache (for tests and the metrics). */
  get cache(): ReplayCache {
    return this.#cache;
  }

  #reject(d: Datagram, reason: string, detail: string): DatagramVerdict {
    return {
      kind: "reject",
      reason,
      log: {
        level: "warning",
        message: `${d.src}: ${this.name}: SPA packet refused: ${detail}`,
        fields: { event: "fwknop-reject", src: d.src, door: this.name, reason },
      },
    };
  }

  datagram(d: Datagram, now: number): DatagramVerdict {
    if (d.payload.length < 140 || d.payload.length > 1500) return { kind: "ignore" };
    const text = latin1.decode(d.payload);
    if (!plausibleSpa(text)) return { kind: "ignore" };
    const nowS = Math.floor(now / 1000);
    const candidates = this.#stanzas.filter((s) =>
      inAddressList(s.source, d.src) && inAddressList(s.destination, d.dst)
    );
    if (candidates.length === 0) {
      return this.#reject(d, "unknown-source", "no access.conf stanza for this source");
    }
    let failure: { reason: SpaFailure; detail: string; line: number } | undefined;
    let match: { stanza: AccessStanza; fields: SpaFields } | undefined;
    for (const stanza of candidates) {
      if (stanza.expire !== undefined && nowS >= stanza.expire) continue;
      const decoded = decodeSpa(text, stanza);
      if (decoded.ok) {
        match = { stanza, fields: decoded.fields };
        break;
      }
      if (
        failure === undefined || FAILURE_ORDER.indexOf(decoded.reason) > FAILURE_ORDER.indexOf(failure.reason)
      ) {
        failure = { reason: decoded.reason, detail: decoded.detail, line: stanza.line };
      }
    }
    if (match === undefined) {
      if (failure === undefined) {
        return this.#reject(d, "expired-stanza", "every matching stanza has expired");
      }
      return this.#reject(d, failure.reason, `${failure.detail} (stanza of line ${failure.line})`);
    }
    // The replay check comes after the HMAC: only authenticated packets are ever cached, so the digest of
    // one that fails it is never needed (fwknopd hashes every candidate first).
    const digest = spaDigest(d.payload);
    if (this.#cache.has(digest)) {
      return this.#reject(d, "replay", "replay of an accepted packet (digest cache)");
    }
    const { stanza, fields } = match;
    const where = `stanza of line ${stanza.line}`;
    // Authenticated: cached whatever follows (as fwknopd), so that a refused packet stays refused.
    if (this.#cache.full) {
      this.#cache.prune(nowS);
      if (this.#cache.full) return this.#reject(d, "budget", "the replay cache is full");
    }
    this.#cache.add(digest, fields.timestamp + this.#maxAge);
    const age = nowS - fields.timestamp;
    if (Math.abs(age) > this.#maxAge) {
      return this.#reject(
        d,
        "expired",
        `SPA data time difference is too great (${Math.abs(age)} seconds, ${where})`,
      );
    }
    if (fields.type === MessageType.command) {
      return this.#reject(d, "command", `command messages are not supported (${where})`);
    }
    if (fields.type !== MessageType.access && fields.type !== MessageType.clientTimeoutAccess) {
      return this.#reject(d, "nat", `NAT access messages are not supported (${where})`);
    }
    const request = parseAccessMessage(fields.message);
    if (request === undefined) {
      return this.#reject(d, "format", `malformed access message "${fields.message}"`);
    }
    let allow = request.allow;
    if (allow === "0.0.0.0") {
      if (stanza.requireSource) {
        return this.#reject(
          d,
          "source-required",
          `allow address 0.0.0.0 (-s) but REQUIRE_SOURCE_ADDRESS is Y (${where})`,
        );
      }
      allow = d.src;
    }
    const ip = tryParseIP(allow);
    if (ip === undefined) return this.#reject(d, "format", `allow address "${allow}" is not an address`);
    if (stanza.requireUsername !== undefined && stanza.requireUsername !== fields.username) {
      return this.#reject(d, "username", `username "${fields.username}" is not REQUIRE_USERNAME (${where})`);
    }
    for (const p of request.ports) {
      const listed = stanza.openPorts === undefined ||
        stanza.openPorts.some((o) => o.proto === p.proto && o.port === p.port);
      const restricted = stanza.restrictPorts.some((o) => o.proto === p.proto && o.port === p.port);
      if (!listed || restricted) {
        return this.#reject(
          d,
          "port",
          `${portText(p)} is ${restricted ? "in RESTRICT_PORTS" : "not in OPEN_PORTS"} (${where})`,
        );
      }
    }
    const timeout = fields.clientTimeout !== undefined && fields.clientTimeout > 0
      ? Math.min(fields.clientTimeout, stanza.maxTimeout)
      : stanza.cmdCycleTimer ?? stanza.accessTimeout;
    let commands: DoorCommands = { start: undefined, stop: undefined, cmdTimeout: timeout };
    let nft: DoorNft | undefined;
    const open = stanza.cmdCycleOpen;
    if (open === undefined) {
      const ref = ip.family === 6 ? this.#nft?.v6 : this.#nft?.v4;
      if (this.#nft === undefined || ref === undefined) {
        return this.#reject(
          d,
          "nft-family",
          `IPv${ip.family} allow address ${allow} but no --fwknop-nft-set${
            ip.family === 6 ? "-6" : ""
          } (${where})`,
        );
      }
      const numbers = this.#nft.perPort ? [...new Set(request.ports.map((p) => p.port))] : [];
      nft = {
        ...(ip.family === 6 ? { v6: ref } : { v4: ref }),
        ports: numbers,
        timeoutMs: Math.max(1, timeout) * 1000,
        timeoutSource: undefined,
      };
    } else {
      const vars = (port: ProtoPort) => ({ src: allow, pktSrc: d.src, dst: d.dst, port, timeout });
      const start = request.ports.map((p) => substituteFwknop(open, vars(p))).join("\n");
      const close = stanza.cmdCycleClose;
      const stop = close === undefined
        ? undefined
        : request.ports.map((p) => substituteFwknop(close, vars(p))).join("\n");
      const tooLong = new TextEncoder().encode(start + (stop ?? "")).length >= MAX_COMMAND_BYTES;
      if (tooLong) return this.#reject(d, "format", `the commands would exceed ${MAX_COMMAND_BYTES} bytes`);
      commands = { start, stop, cmdTimeout: timeout };
    }
    const ports = request.ports.map(portText).join(",");
    const log: LogEntry[] = [{
      level: "info",
      message:
        `${d.src}: ${this.name}: SPA packet accepted: user ${fields.username}, open ${ports} for ${allow} ` +
        `for ${timeout} s (${where})`,
      fields: {
        event: "fwknop-open",
        src: d.src,
        door: this.name,
        allow,
        ports,
        user: fields.username,
        timeout,
      },
    }];
    this.#cache.prune(nowS);
    return {
      kind: "open",
      door: this.name,
      address: allow,
      family: ip.family,
      commands,
      log,
      persist: { path: this.#statePath, text: this.#cache.serialize() },
      ...(nft === undefined ? {} : { nft }),
    };
  }
}
