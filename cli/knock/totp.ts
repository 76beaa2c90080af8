/**
 * `knock` and TOTP doors: the profile of a door (from a knockd.conf's TOTP door, its secret read, or from an
 * enrolment URI with `--profile`), the sequence of the current time step, what `--show` prints (the ports and
 * the seconds left, for people who type them into another client) and what `--enroll` prints (the
 * `otpauth://` URI and its QR code).
 *
 * @module
 */
import encodeQR from "@paulmillr/qr";
import { type DoorTotp, parseTotpSecret } from "../../core/config/totp.ts";
import {
  derivedSequence,
  encodeBase32,
  stepStartMs,
  totpCandidates,
  totpCounter,
} from "../../core/totp/mod.ts";
import { formatTotpUri, parseTotpUri, type TotpProfile } from "../../core/totp/uri.ts";
import { UsageError } from "../craft/values.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import { RuntimeFailure } from "./failure.ts";

/**
 * The profile of a config's TOTP door (its secret read from `TOTP_Secret_File` when it has one).
 *
 * @param name The door's name.
 * @param totp Its settings.
 * @param io Files.
 * @param resolve Makes a path absolute.
 * @returns The profile.
 * @throws {RuntimeFailure} When the secret cannot be read or is not base32.
 */
export function doorProfile(
  name: string,
  totp: DoorTotp,
  io: Io,
  resolve: (path: string) => string,
): TotpProfile {
  let text: string;
  if (totp.secret.kind === "file") {
    const path = resolve(totp.secret.path);
    try {
      text = new TextDecoder().decode(io.readFile(path));
    } catch (error) {
      throw new RuntimeFailure(`Cannot read TOTP secret file "${path}": ${osReason(error)}`);
    }
  } else {
    text = totp.secret.text;
  }
  const key = parseTotpSecret(text);
  if (key === undefined) throw new RuntimeFailure(`Door "${name}": the TOTP secret is not base32`);
  return {
    door: name,
    secret: encodeBase32(key),
    length: totp.length,
    protocols: totp.protocols,
    low: totp.low,
    high: totp.high,
    stepSeconds: totp.stepSeconds,
    skew: totp.skew,
    exclude: totp.exclude,
  };
}

/**
 * Reads `--profile`: a file holding an enrolment URI (what `--enroll` prints), or the URI itself.
 *
 * @param arg The argument.
 * @param io Files.
 * @returns The profile.
 * @throws {UsageError} When it holds no valid URI.
 */
export function readProfile(arg: string, io: Io): TotpProfile {
  let text = arg;
  if (!arg.startsWith("otpauth:")) {
    try {
      text = new TextDecoder().decode(io.readFile(arg));
    } catch (error) {
      throw new UsageError(`--profile: cannot read "${arg}": ${osReason(error)}`);
    }
  }
  const line = text.split("\n").map((l) => l.trim()).find((l) => l.startsWith("otpauth:")) ?? text;
  const parsed = parseTotpUri(line);
  if (!parsed.ok) throw new UsageError(`--profile: ${parsed.error} (write what --enroll prints)`);
  return parsed.profile;
}

/** A step's sequence and how long it lasts. */
export interface CurrentSequence {
  readonly counter: bigint;
  readonly knocks: readonly { readonly port: number; readonly protocol: "tcp" | "udp" }[];
  /** Milliseconds until the next step. */
  readonly leftMs: number;
}

/**
 * The sequence of the step `nowMs` is in.
 *
 * @param profile The door.
 * @param nowMs The wall clock.
 * @returns The sequence.
 * @throws {UsageError} When the range holds fewer ports than knocks.
 */
export function currentSequence(profile: TotpProfile, nowMs: number): CurrentSequence {
  const key = parseTotpSecret(profile.secret)!;
  const candidates = totpCandidates(profile.low, profile.high, profile.exclude);
  if (candidates.length < profile.length) {
    throw new UsageError(
      `Door "${profile.door}": ${candidates.length} usable ports for ${profile.length} knocks`,
    );
  }
  const counter = totpCounter(nowMs, profile.stepSeconds);
  const knocks = derivedSequence(
    { key, length: profile.length, protocols: profile.protocols, candidates },
    counter,
  );
  return { counter, knocks, leftMs: stepStartMs(counter + 1n, profile.stepSeconds) - nowMs };
}

/**
 * What `--show` prints: the ports with the seconds left and a `knock` command line, or one JSON object.
 *
 * @param profile The door.
 * @param host The host (for the command line).
 * @param nowMs The wall clock.
 * @param json `--json`.
 * @returns The text.
 */
export function showText(profile: TotpProfile, host: string, nowMs: number, json: boolean): string {
  const s = currentSequence(profile, nowMs);
  const items = s.knocks.map((k) => k.protocol === "tcp" ? `${k.port}` : `${k.port}:udp`);
  const left = Math.ceil(s.leftMs / 1000);
  if (json) {
    return JSON.stringify({
      door: profile.door,
      step: s.counter.toString(),
      stepSeconds: profile.stepSeconds,
      secondsLeft: left,
      validUntil: new Date(nowMs + s.leftMs).toISOString(),
      knocks: s.knocks,
    }) + "\n";
  }
  const grace = profile.skew === 0
    ? "not accepted after it"
    : `accepted ${profile.skew * profile.stepSeconds} s longer`;
  return `${profile.door}: ${
    items.join(" ")
  } (${left} s left of this ${profile.stepSeconds} s step; ${grace})\n` +
    `knock ${host} ${items.join(" ")}\n`;
}

/**
 * What `--enroll` prints: the URI and its QR code (text, two rows of modules per line).
 *
 * @param profile The door.
 * @returns The text.
 */
export function enrollText(profile: TotpProfile): string {
  const uri = formatTotpUri(profile);
  return `${uri}\n\n${encodeQR(uri, "ascii", { ecc: "medium", border: 2 })}\n`;
}
