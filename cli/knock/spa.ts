/**
 * `knocktool knock --spa PROFILE`: sends one SPA datagram (docs/spa.md) to the door of a client profile
 * (`knocktool keygen profile`, in `$XDG_CONFIG_HOME/knocktool/spa/` or `~/.config/knocktool/spa/`), or of
 * an enrolment URI given directly with `--uri` and `--user-key`. It asks for the datagram's source address
 * (`-s`, the default: what the server sees, after NAT) or for an address named with `-a` (IPv4 or IPv6),
 * and optionally for a duration shorter than the door's `Cmd_Timeout`. Nothing comes back: the server
 * never answers.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import { command, constant, flag, option } from "@optique/core/primitives";
import { integer, string } from "@optique/core/valueparser";
import { tryParseIP } from "../../core/packet/mod.ts";
import {
  parseBundle,
  parseUserKey,
  type RequestedAddress,
  sealSpa,
  type SpaBundle,
} from "../../core/spa/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import { resolveHost } from "../../ffi/resolve.ts";
import { parseProfile, PROFILE_NAME, profileDir } from "../keygen/files.ts";
import { resolvePath } from "../lint/read.ts";
import { type Io, osReason } from "../runtime.ts";
import { sanitize } from "../_text.ts";
import { PROGRAM_NAME } from "../version.ts";
import { hinted } from "./hints.ts";
import { udpKnock } from "./wire.ts";

/** The parser of `knocktool knock --spa ...`. */
export const knockSpaCommand = command(
  "knock",
  object({
    command: constant("knock-spa"),
    spa: option("--spa", string({ metavar: "PROFILE" }), {
      description:
        message`Send one SPA datagram to the door of this client profile (or ${"-"} with ${"--uri"}).`,
    }),
    uri: optional(option("--uri", string({ metavar: "URI" }), {
      description: message`The door's enrolment URI instead of the profile's.`,
    })),
    userKey: optional(option("--user-key", string({ metavar: "FILE" }), {
      description: message`The user key file instead of the profile's.`,
    })),
    address: optional(option("-a", "--address", string({ metavar: "ADDR" }), {
      description: message`Ask to open for this IPv4 or IPv6 address.`,
    })),
    source: withDefault(
      flag("-s", "--source", {
        description: message`Ask to open for the datagram's source address as the server sees it (default).`,
      }),
      false,
    ),
    door: optional(option("--door", string({ metavar: "NAME" }), {
      description: message`Ask for this door instead of the profile's.`,
    })),
    duration: optional(option("--duration", integer({ min: 1, metavar: "S" }), {
      description: message`Ask to stay open S seconds (at most the door's Cmd_Timeout; default: that).`,
    })),
    host: optional(option("--host", string({ metavar: "HOST" }), {
      description: message`Send to this host instead of the profile's.`,
    })),
    ipv4: withDefault(flag("-4", "--ipv4", { description: message`Resolve the host to IPv4 only.` }), false),
    ipv6: withDefault(flag("-6", "--ipv6", { description: message`Resolve the host to IPv6 only.` }), false),
    verbose: withDefault(flag("-v", "--verbose", { description: message`Say what was sent.` }), false),
  }),
  {
    brief: message`Send one SPA datagram (knocktool's single packet authorization).`,
    description:
      message`Send one signed, encrypted UDP datagram that opens a door for one address: docs/spa.md. The server never answers.`,
    footer: message`Exit status: 0 sent, 1 a file could not be read or the datagram not sent, 2 usage error.`,
  },
);

/** The parsed arguments of `knock --spa`. */
export interface KnockSpaArgs {
  readonly spa: string;
  readonly uri?: string | undefined;
  readonly userKey?: string | undefined;
  readonly address?: string | undefined;
  readonly source: boolean;
  readonly door?: string | undefined;
  readonly duration?: number | undefined;
  readonly host?: string | undefined;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly verbose: boolean;
}

/** What `knock --spa` does to the outside world. */
export interface SpaNet {
  /** Resolves a host name to addresses. */
  resolve(host: string, family: 0 | 4 | 6): Uint8Array[];
  /** Sends one datagram. */
  send(address: Uint8Array, port: number, payload: Uint8Array): void;
  /** Wall-clock ms since the epoch. */
  now(): number;
  /** Fresh random bytes. */
  random(n: number): Uint8Array;
}

/** The real network, clock and randomness. */
export function realSpaNet(): SpaNet {
  return {
    resolve: (host, family) => resolveHost(host, family),
    send: (address, port, payload) => hinted(() => udpKnock(address, port, payload)),
    now: () => Date.now(),
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  };
}

class Failure extends Error {
  constructor(message: string, readonly code: 1 | 2) {
    super(message);
  }
}

/**
 * Whether `knock` arguments ask for SPA (`--spa` anywhere before a `--`).
 *
 * @param args The arguments after `knock`.
 * @returns True for `knock --spa ...`.
 */
export function wantsSpa(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--spa" || a.startsWith("--spa=")) return true;
  }
  return false;
}

function readText(io: Io, path: string): string {
  try {
    return new TextDecoder().decode(io.readFile(resolvePath(io.cwd(), path)));
  } catch (error) {
    throw new Failure(`cannot read "${path}": ${osReason(error)}`, 1);
  }
}

function loadProfile(args: KnockSpaArgs, io: Io): { bundle: SpaBundle; userKeyPath: string } {
  let uri = args.uri;
  let userKeyPath = args.userKey;
  if (args.spa !== "-") {
    if (!PROFILE_NAME.test(args.spa)) throw new Failure(`"${args.spa}" is not a profile name`, 2);
    const dir = profileDir(io);
    if (dir === undefined) {
      throw new Failure("neither XDG_CONFIG_HOME nor HOME is set: where are the profiles?", 1);
    }
    const path = `${dir}/${args.spa}.conf`;
    const profile = parseProfile(readText(io, path));
    if (typeof profile === "string") throw new Failure(`${path}: ${profile}`, 1);
    uri ??= profile.uri;
    userKeyPath ??= profile.userKey;
  }
  if (uri === undefined || userKeyPath === undefined) {
    throw new Failure(`--spa - needs --uri and --user-key`, 2);
  }
  const bundle = parseBundle(uri);
  if (!bundle.ok) throw new Failure(`the enrolment URI: ${bundle.reason}`, args.uri === undefined ? 1 : 2);
  return { bundle: bundle.bundle, userKeyPath };
}

function target(host: string, family: 0 | 4 | 6, net: SpaNet): Uint8Array {
  const literal = tryParseIP(host);
  if (literal !== undefined) {
    if (family !== 0 && literal.bytes.length !== (family === 4 ? 4 : 16)) {
      throw new Failure(`-${family}: "${host}" is not an IPv${family} address`, 2);
    }
    return literal.bytes;
  }
  let addresses: Uint8Array[];
  try {
    addresses = net.resolve(host, family);
  } catch (error) {
    throw new Failure(`Failed to resolve hostname "${host}": ${errorMessage(error)}`, 1);
  }
  const first = addresses[0];
  if (first === undefined) throw new Failure(`Failed to resolve hostname "${host}": no address`, 1);
  return first;
}

/**
 * Runs `knocktool knock --spa`.
 *
 * @param args The parsed arguments.
 * @param io Files and output.
 * @param net The network, clock and randomness.
 * @returns The exit status.
 */
export function runKnockSpa(args: KnockSpaArgs, io: Io, net: SpaNet): number {
  try {
    if (args.address !== undefined && args.source) throw new Failure("-a and -s exclude each other", 2);
    if (args.ipv4 && args.ipv6) throw new Failure("-4 and -6 exclude each other", 2);
    const { bundle, userKeyPath } = loadProfile(args, io);
    const user = parseUserKey(readText(io, userKeyPath));
    if (!user.ok) throw new Failure(`"${userKeyPath}" line ${user.line}: ${user.message}`, 1);
    let address: RequestedAddress = { kind: "source" };
    if (args.address !== undefined) {
      const ip = tryParseIP(args.address);
      if (ip === undefined) throw new Failure(`-a: "${args.address}" is not an IPv4 or IPv6 address`, 2);
      address = { kind: ip.bytes.length === 4 ? 4 : 6, bytes: ip.bytes };
    }
    const door = args.door ?? bundle.door;
    const host = args.host ?? bundle.host;
    const to = target(host, args.ipv4 ? 4 : args.ipv6 ? 6 : 0, net);
    let datagram: Uint8Array;
    try {
      datagram = sealSpa({
        serverPublic: bundle.serverPublic,
        mac1: bundle.mac1,
        userPrivate: user.key.privateKey,
        ephemeralPrivate: net.random(32),
        request: {
          user: user.key.name,
          timestampMs: Math.floor(net.now()),
          nonce: net.random(16),
          address,
          door,
          durationS: args.duration ?? 0,
        },
      });
    } catch (error) {
      throw new Failure(errorMessage(error), 2);
    }
    try {
      net.send(to, bundle.port, datagram);
    } catch (error) {
      throw new Failure(`cannot send to ${host} port ${bundle.port}/udp: ${errorMessage(error)}`, 1);
    }
    if (args.verbose) {
      io.stdout(
        `sent SPA for user "${user.key.name}", door "${door}", ${
          args.address === undefined ? "source address" : args.address
        } to ${host} port ${bundle.port}/udp (${datagram.length} bytes)\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    io.stderr(`${PROGRAM_NAME} knock --spa: ${sanitize(error.message)}\n`);
    return error.code;
  }
}
