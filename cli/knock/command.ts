/**
 * `knocktool knock`: a client compatible with knockd's `knock` (knockd-reference §4), plus doors
 * from a knockd.conf (`-c --door`, one-time sequences), raw flag knocks, decoys and a check that
 * the door opened.
 *
 * Service names work as in knock (`ssh`, `domain:udp`, from /etc/services). Differences from knock,
 * on purpose: an invalid port is an error (knock wraps 70000 to 4464),
 * protocol suffixes are case-insensitive (`:UDP`), and the exit status is 1 when a hit failed.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import { argument, command, constant, flag, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import {
  doorStrict,
  KNOCKTOOL_EXTENSIONS,
  markOneTimeSequenceUsed,
  parseConfig,
  parseOneTimeSequences,
} from "../../core/config/mod.ts";
import type { Door } from "../../core/config/types.ts";
import { flagMask, formatFlagSpec, parseFlagSpec, TCP_FLAG_BITS } from "../../core/flags.ts";
import { buildPacket, createRng, formatIP, type Rng, tryParseIP } from "../../core/packet/mod.ts";
import { parseIntField, parsePortItem, UsageError } from "../craft/values.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import { sanitize } from "../_text.ts";
import { PROGRAM_NAME } from "../version.ts";
import type { KnockNet } from "./net.ts";
import { type Hit, interleaveDecoys } from "./plan.ts";

/** The parser of `knocktool knock ...`. */
export const knockCommand = command(
  "knock",
  object({
    command: constant("knock"),
    udp: withDefault(
      flag("-u", "--udp", { description: message`Send every hit as UDP (overrides ${":tcp"}).` }),
      false,
    ),
    delay: optional(
      option("-d", "--delay", string({ metavar: "MS" }), {
        description: message`Wait MS milliseconds after every hit (default 0).`,
      }),
    ),
    ipv4: withDefault(flag("-4", "--ipv4", { description: message`Use IPv4 only.` }), false),
    ipv6: withDefault(flag("-6", "--ipv6", { description: message`Use IPv6 only.` }), false),
    verbose: withDefault(flag("-v", "--verbose", { description: message`Print each hit.` }), false),
    flags: optional(
      option("--flags", string({ metavar: "SPEC" }), {
        description:
          message`Send TCP hits through a raw socket with these flags, e.g. ${"fin,!ack"} or hping3's ${"FPU"} (needs root).`,
      }),
    ),
    config: optional(
      option("-c", "--config", string({ metavar: "FILE" }), {
        description: message`Take the door named by ${"--door"} from this knockd.conf.`,
      }),
    ),
    door: optional(
      option("--door", string({ metavar: "NAME" }), {
        description: message`The door of ${"--config"} to knock: its sequence, protocols and TCP flags.`,
      }),
    ),
    otpFile: optional(
      option("--otp-file", string({ metavar: "FILE" }), {
        description: message`The client's own copy of the door's one-time sequences file.`,
      }),
    ),
    decoys: optional(
      option("--decoys", string({ metavar: "N" }), {
        description: message`Interleave N knocks on random ports that belong to no door.`,
      }),
    ),
    verify: optional(
      option("--verify", string({ metavar: "PORT" }), {
        description: message`After knocking, try TCP connections to PORT until it opens.`,
      }),
    ),
    wait: optional(
      option("--wait", string({ metavar: "SECONDS" }), {
        description: message`How long ${"--verify"} keeps trying (default 10).`,
      }),
    ),
    seed: optional(
      option("--seed", string({ metavar: "N" }), {
        description: message`Seed for decoy ports and raw packet fields (reproducible runs).`,
      }),
    ),
    host: argument(string({ metavar: "HOST" }), {
      description: message`Host name or IP address to knock on.`,
    }),
    ports: multiple(
      argument(string({ metavar: "PORT[:PROTO]" }), {
        description: message`Ports to hit in order; PROTO is ${"tcp"} (default) or ${"udp"}.`,
      }),
    ),
  }),
  {
    brief: message`Send a knock sequence (compatible with knockd's knock).`,
    description:
      message`Send a port-knock sequence: one SYN per TCP hit (a non-blocking connect closed at once) and a one-byte datagram per UDP hit, as knockd's knock client does.`,
    footer:
      message`Exit status: 0 all hits sent (and the port opened with --verify), 1 a hit or the check failed, 2 usage error.`,
  },
);

/** The parsed arguments of `knock`. */
export interface KnockArgs {
  readonly udp: boolean;
  readonly delay?: string | undefined;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly verbose: boolean;
  readonly flags?: string | undefined;
  readonly config?: string | undefined;
  readonly door?: string | undefined;
  readonly otpFile?: string | undefined;
  readonly decoys?: string | undefined;
  readonly verify?: string | undefined;
  readonly wait?: string | undefined;
  readonly seed?: string | undefined;
  readonly host: string;
  readonly ports: readonly string[];
}

const SYN_ONLY = TCP_FLAG_BITS.syn;

function resolvePath(io: Io, path: string): string {
  return path.startsWith("/") ? path : `${io.cwd()}/${path}`;
}

/** What the door gives: the hits, the ports to keep decoys off, and a pending OTP update. */
interface DoorPlan {
  readonly hits: Hit[];
  readonly avoid: Set<number>;
  readonly otp?: { readonly path: string; readonly text: string; readonly line: number };
  /** The door has knocktool's `Strict = yes` (decoys would invalidate the attempt). */
  readonly strict?: boolean;
}

function readText(io: Io, path: string, what: string): string {
  try {
    return new TextDecoder().decode(io.readFile(path));
  } catch (error) {
    throw new RuntimeFailure(`${what} "${path}": ${osReason(error)}`);
  }
}

/** A failure at run time (not a usage error): exit status 1. */
class RuntimeFailure extends Error {}

function doorFlags(door: Door): number | undefined {
  const { set, clear } = flagMask(door.tcpFlags);
  // A plain connect SYN satisfies the door when SYN is allowed and nothing else is required.
  if ((set & ~SYN_ONLY) === 0 && (clear & SYN_ONLY) === 0) return undefined;
  return set;
}

function planDoor(args: KnockArgs, io: Io): DoorPlan {
  const path = args.config!;
  const text = readText(io, resolvePath(io, path), "Cannot read config");
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const first = errors[0]!;
    const where = first.span ? `${path}:${first.span.line}:${first.span.column}` : path;
    throw new UsageError(`${where}: ${first.message} (knockd would refuse this config)`);
  }
  const doors = parsed.config.doors;
  const door = doors.find((d) => d.name === args.door);
  if (door === undefined) {
    const names = doors.map((d) => `"${d.name}"`).join(", ");
    throw new UsageError(`--door: no door "${args.door}" in ${path} (doors: ${names || "none"})`);
  }
  const avoid = new Set<number>();
  for (const d of doors) {
    for (const step of d.sequence) avoid.add(step.port);
    if (d.oneTimeSequences !== undefined) {
      try {
        const otp = parseOneTimeSequences(
          new TextDecoder().decode(io.readFile(resolvePath(io, d.oneTimeSequences.value))),
        );
        for (const entry of otp.entries) for (const step of entry.steps) avoid.add(step.port);
      } catch {
        // The server's file is usually not on the client; its current ports come from the client's copy below.
      }
    }
  }
  const flags = doorFlags(door);
  const toHit = (step: { port: number; protocol: "tcp" | "udp" }): Hit => {
    const protocol = args.udp ? "udp" : step.protocol;
    return protocol === "tcp" && flags !== undefined
      ? { port: step.port, protocol, flags }
      : { port: step.port, protocol };
  };
  if (door.sequenceSource === "one_time_sequences" && door.oneTimeSequences !== undefined) {
    const otpPath = resolvePath(io, args.otpFile ?? door.oneTimeSequences.value);
    const otpText = readText(io, otpPath, "Cannot read one-time sequences file");
    const current = parseOneTimeSequences(otpText, { door: door.name }).current;
    if (current === undefined) throw new RuntimeFailure(`No unused one-time sequence left in "${otpPath}"`);
    for (const step of current.steps) avoid.add(step.port);
    return {
      hits: current.steps.map(toHit),
      avoid,
      otp: { path: otpPath, text: otpText, line: current.line },
      strict: doorStrict(door),
    };
  }
  if (args.otpFile !== undefined) {
    throw new UsageError(`--otp-file: door "${door.name}" has no One_Time_Sequences`);
  }
  if (door.sequence.length === 0) throw new UsageError(`--door: door "${door.name}" has no sequence`);
  return { hits: door.sequence.map(toHit), avoid, strict: doorStrict(door) };
}

function resolveTarget(args: KnockArgs, net: KnockNet): Uint8Array {
  const family = args.ipv4 ? 4 : args.ipv6 ? 6 : 0;
  const literal = tryParseIP(
    args.host.startsWith("[") && args.host.endsWith("]") ? args.host.slice(1, -1) : args.host,
  );
  if (literal !== undefined) {
    if (family !== 0 && literal.bytes.length !== (family === 4 ? 4 : 16)) {
      throw new UsageError(`-${family}: "${args.host}" is not an IPv${family} address`);
    }
    return literal.bytes;
  }
  let addresses: Uint8Array[];
  try {
    addresses = net.resolve(args.host, family);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RuntimeFailure(`Failed to resolve hostname "${args.host}": ${reason}`);
  }
  const first = addresses[0];
  if (first === undefined) throw new RuntimeFailure(`Failed to resolve hostname "${args.host}": no address`);
  return first;
}

function endpoint(address: Uint8Array, port: number): string {
  return `${formatIP(address)}:${port}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `knocktool knock` with real or recorded effects and returns the exit status. */
export async function runKnock(args: KnockArgs, io: Io, net: KnockNet): Promise<number> {
  const prefix = `${PROGRAM_NAME} knock`;
  try {
    return await knock(args, io, net);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${prefix}: ${sanitize(error.message)}\n`);
      return 2;
    }
    if (error instanceof RuntimeFailure) {
      io.stderr(`${prefix}: ${sanitize(error.message)}\n`);
      return 1;
    }
    throw error;
  } finally {
    net.close();
  }
}

async function knock(args: KnockArgs, io: Io, net: KnockNet): Promise<number> {
  if (args.ipv4 && args.ipv6) throw new UsageError("-4 and -6 cannot be combined");
  const delay = args.delay === undefined ? 0 : parseDelay(args.delay);
  const decoys = args.decoys === undefined ? 0 : parseIntField("--decoys", args.decoys, 0, 10000);
  const verifyPort = args.verify === undefined ? undefined : parseIntField("--verify", args.verify, 1, 65535);
  const waitSeconds = args.wait === undefined ? 10 : parseIntField("--wait", args.wait, 0, 86400);
  if (args.wait !== undefined && verifyPort === undefined) throw new UsageError("--wait needs --verify");
  const seed = args.seed === undefined
    ? net.randomSeed()
    : parseIntField("--seed", args.seed, 0, 2 ** 53 - 1);
  let forcedFlags: number | undefined;
  if (args.flags !== undefined) {
    const parsed = parseFlagSpec(args.flags, { dialect: "craft" });
    if (parsed.diagnostics.length > 0) throw new UsageError(`--flags: ${parsed.diagnostics[0]!.message}`);
    forcedFlags = flagMask(parsed.spec).set;
  }

  let plan: DoorPlan;
  if (args.config !== undefined || args.door !== undefined) {
    if (args.config === undefined) throw new UsageError("--door needs -c/--config");
    if (args.door === undefined) throw new UsageError("-c/--config needs --door NAME");
    if (args.ports.length > 0) throw new UsageError("PORT arguments cannot be combined with --door");
    plan = planDoor(args, io);
    if (decoys > 0 && plan.strict) {
      throw new UsageError(
        `--decoys: door "${args.door}" is strict (Strict = yes): a decoy knock would invalidate the attempt`,
      );
    }
  } else {
    if (args.otpFile !== undefined) throw new UsageError("--otp-file needs -c/--config and --door");
    if (args.ports.length === 0) throw new UsageError("Expected at least one PORT[:PROTO] after HOST");
    const hits = args.ports.map((text) => {
      const item = parsePortItem(
        "PORT",
        text,
        (name, protocol) => net.service(name, args.udp ? "udp" : protocol),
      );
      return { port: item.port, protocol: args.udp ? "udp" as const : item.protocol };
    });
    plan = { hits, avoid: new Set(hits.map((h) => h.port)) };
  }
  if (forcedFlags !== undefined) {
    plan = {
      ...plan,
      hits: plan.hits.map((
        h,
      ) => (h.protocol === "tcp" ? { port: h.port, protocol: h.protocol, flags: forcedFlags } : h)),
    };
  }
  const rng = createRng(seed);
  let hits = plan.hits;
  if (decoys > 0) {
    if (verifyPort !== undefined) plan.avoid.add(verifyPort);
    hits = interleaveDecoys(plan.hits, decoys, plan.avoid, rng);
  }

  const address = resolveTarget(args, net);
  let source: Uint8Array | undefined;
  let failed = 0;
  for (const hit of hits) {
    const raw = hit.protocol === "tcp" && hit.flags !== undefined;
    if (args.verbose) {
      const notes = [
        ...(raw
          ? [formatFlagSpec(new Map(flagNames(hit.flags!).map((f) => [f, "set" as const]))) || "no flags"]
          : []),
        ...(hit.decoy ? ["decoy"] : []),
      ];
      io.stdout(
        `hitting ${hit.protocol} ${endpoint(address, hit.port)}${
          notes.length ? ` (${notes.join(", ")})` : ""
        }\n`,
      );
    }
    try {
      if (raw) {
        source ??= net.sourceFor(address);
        net.raw(rawSyn(source, address, hit, rng), address);
      } else if (hit.protocol === "tcp") {
        net.tcp(address, hit.port);
      } else {
        net.udp(address, hit.port);
      }
    } catch (error) {
      failed++;
      io.stderr(
        `${PROGRAM_NAME} knock: ${hit.protocol} ${endpoint(address, hit.port)}: ${
          sanitize(describeError(error))
        }\n`,
      );
    }
    if (delay > 0) await net.sleep(delay);
  }

  if (plan.otp !== undefined) {
    if (failed > 0) {
      io.stderr(
        `${PROGRAM_NAME} knock: one-time sequence on line ${plan.otp.line} of "${plan.otp.path}" not marked used (a hit failed)\n`,
      );
    } else {
      const updated = markOneTimeSequenceUsed(plan.otp.text, plan.otp.line);
      try {
        net.writeFileAtomic(plan.otp.path, new TextEncoder().encode(updated));
      } catch (error) {
        throw new RuntimeFailure(`Cannot update "${plan.otp.path}": ${osReason(error)}`);
      }
      if (args.verbose) {
        io.stdout(`marked one-time sequence on line ${plan.otp.line} of ${plan.otp.path} used\n`);
      }
    }
  }
  if (failed > 0) return 1;
  if (verifyPort !== undefined) return await verify(address, verifyPort, waitSeconds, io, net);
  return 0;
}

function parseDelay(text: string): number {
  if (/^\s*-/.test(text)) throw new UsageError(`-d/--delay: delay cannot be negative, got ${text.trim()}`);
  return parseIntField("-d/--delay", text, 0, 86_400_000);
}

function flagNames(bits: number): (keyof typeof TCP_FLAG_BITS)[] {
  return (Object.keys(TCP_FLAG_BITS) as (keyof typeof TCP_FLAG_BITS)[]).filter((f) =>
    (bits & TCP_FLAG_BITS[f]) !== 0
  );
}

function rawSyn(source: Uint8Array, address: Uint8Array, hit: Hit, rng: Rng): Uint8Array {
  return buildPacket(
    {
      src: source,
      dst: address,
      transport: { protocol: "tcp", dport: hit.port, flags: hit.flags ?? SYN_ONLY },
    },
    rng,
  );
}

async function verify(
  address: Uint8Array,
  port: number,
  waitSeconds: number,
  io: Io,
  net: KnockNet,
): Promise<number> {
  const start = net.now();
  const deadline = start + waitSeconds * 1000;
  let last = "no attempt";
  for (;;) {
    const left = deadline - net.now();
    const result = await net.probe(address, port, Math.max(1, Math.min(1000, left)));
    if (result.state === "open") {
      const seconds = ((net.now() - start) / 1000).toFixed(1);
      io.stdout(`${endpoint(address, port)} is open (after ${seconds} s)\n`);
      return 0;
    }
    last = result.state === "timeout" ? "no answer" : result.reason;
    if (net.now() >= deadline) break;
    // A refusal comes back at once: pace the retries instead of spinning.
    if (result.state === "closed") await net.sleep(Math.min(200, Math.max(0, deadline - net.now())));
    if (net.now() >= deadline) break;
  }
  io.stdout(`${endpoint(address, port)} did not open within ${waitSeconds} s (last attempt: ${last})\n`);
  return 1;
}
