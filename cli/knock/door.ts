/**
 * A door from a knockd.conf (`-c --door`): its hits with their protocols and TCP flags, the ports decoys
 * keep off, and its one-time sequence, marked used once every hit went out; a TOTP door's hits are those of
 * the current time step.
 *
 * @module
 */
import {
  doorStrict,
  doorTotp,
  KNOCKTOOL_EXTENSIONS,
  markOneTimeSequenceUsed,
  parseConfig,
  parseOneTimeSequences,
} from "../../core/config/mod.ts";
import type { Door } from "../../core/config/types.ts";
import { flagMask, TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { UsageError } from "../craft/values.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME } from "../version.ts";
import type { KnockArgs } from "./command.ts";
import { RuntimeFailure } from "./failure.ts";
import type { KnockNet } from "./net.ts";
import type { Hit } from "./plan.ts";
import { currentSequence, doorProfile } from "./totp.ts";
import type { TotpProfile } from "../../core/totp/uri.ts";

const SYN_ONLY = TCP_FLAG_BITS.syn;

/**
 * A path as given, relative to the working directory.
 *
 * @param io The working directory.
 * @param path The path.
 * @returns An absolute path.
 */
export function resolvePath(io: Io, path: string): string {
  return path.startsWith("/") ? path : `${io.cwd()}/${path}`;
}

/** What the door gives: the hits, the ports to keep decoys off, and a pending OTP update. */
export interface DoorPlan {
  /** The hits in order. */
  readonly hits: Hit[];
  /** Ports no decoy may use. */
  readonly avoid: Set<number>;
  /** The one-time sequence used: its file, that file's text and the line to mark used. */
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

function doorFlags(door: Door): number | undefined {
  const { set, clear } = flagMask(door.tcpFlags);
  // A plain connect SYN satisfies the door when SYN is allowed and nothing else is required.
  if ((set & ~SYN_ONLY) === 0 && (clear & SYN_ONLY) === 0) return undefined;
  return set;
}

/**
 * The door `--door NAME` of `-c FILE`, and the config's doors.
 *
 * @param args The parsed arguments (`config` and `door` given).
 * @param io Files.
 * @returns The door.
 * @throws {UsageError} For a config knockd would refuse, an unknown door.
 */
function findDoor(args: KnockArgs, io: Io): { readonly door: Door; readonly doors: readonly Door[] } {
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
  return { door, doors };
}

/**
 * The TOTP profile of `--door NAME` in `-c FILE`.
 *
 * @param args The parsed arguments (`config` and `door` given).
 * @param io Files.
 * @returns The profile.
 * @throws {UsageError} When the door is not a TOTP door.
 */
export function doorTotpProfile(args: KnockArgs, io: Io): TotpProfile {
  const { door } = findDoor(args, io);
  const totp = doorTotp(door);
  if (totp === undefined) {
    throw new UsageError(`--door: door "${door.name}" is not a TOTP door (no TOTP_Secret)`);
  }
  return doorProfile(door.name, totp, io, (p) => resolvePath(io, p));
}

/**
 * The plan of `--door NAME` in `-c FILE`.
 *
 * @param args The parsed arguments (`config` and `door` given).
 * @param io Files.
 * @returns The plan.
 * @throws {UsageError} For a config knockd would refuse, an unknown door, a door without a sequence.
 * @throws {RuntimeFailure} For an unreadable file, or no unused one-time sequence left.
 */
export function planDoor(args: KnockArgs, io: Io, nowMs = 0): DoorPlan {
  const { door, doors } = findDoor(args, io);
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
  const totp = doorTotp(door);
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
  if (totp !== undefined) {
    const profile = doorProfile(door.name, totp, io, (p) => resolvePath(io, p));
    const hits = currentSequence(profile, nowMs).knocks.map(toHit);
    for (const h of hits) avoid.add(h.port);
    return { hits, avoid, strict: doorStrict(door) };
  }
  if (door.sequence.length === 0) throw new UsageError(`--door: door "${door.name}" has no sequence`);
  return { hits: door.sequence.map(toHit), avoid, strict: doorStrict(door) };
}

/**
 * Marks the plan's one-time sequence used in its file (atomically), unless a hit failed: then it says so.
 *
 * @param otp The plan's one-time sequence.
 * @param failed How many hits failed.
 * @param verbose Say when it was marked.
 * @param io Output.
 * @param net The atomic file write.
 * @throws {RuntimeFailure} When the file cannot be written.
 */
export function markUsed(
  otp: NonNullable<DoorPlan["otp"]>,
  failed: number,
  verbose: boolean,
  io: Io,
  net: KnockNet,
): void {
  if (failed > 0) {
    io.stderr(
      `${PROGRAM_NAME} knock: one-time sequence on line ${otp.line} of "${otp.path}" not marked used (a hit failed)\n`,
    );
  } else {
    const updated = markOneTimeSequenceUsed(otp.text, otp.line);
    try {
      net.writeFileAtomic(otp.path, new TextEncoder().encode(updated));
    } catch (error) {
      throw new RuntimeFailure(`Cannot update "${otp.path}": ${osReason(error)}`);
    }
    if (verbose) {
      io.stdout(`marked one-time sequence on line ${otp.line} of ${otp.path} used\n`);
    }
  }
}
