/**
 * The values of `knock`'s options, checked: delay, decoys, `--verify` and `--wait`, the seed and
 * `--flags`. (The option parser itself is in `command.ts`.)
 *
 * @module
 */
import { flagMask, parseFlagSpec } from "../../core/config/flags.ts";
import { parseIntField, UsageError } from "../craft/values.ts";
import type { KnockArgs } from "./command.ts";
import type { KnockNet } from "./net.ts";

/** The checked option values of one `knock` run. */
export interface KnockOptions {
  /** Milliseconds to wait after every hit. */
  readonly delay: number;
  /** How many decoys to interleave. */
  readonly decoys: number;
  /** The port `--verify` tries, if given. */
  readonly verifyPort: number | undefined;
  /** How long `--verify` keeps trying, in seconds. */
  readonly waitSeconds: number;
  /** The seed of decoy ports and raw packet fields. */
  readonly seed: number;
  /** The TCP flag bits of `--flags`, if given. */
  readonly forcedFlags: number | undefined;
}

/**
 * Checks the option values, in the order knocktool has always reported them.
 *
 * @param args The parsed arguments.
 * @param net For a fresh seed when `--seed` is not given.
 * @returns The values.
 * @throws {UsageError} For a bad or contradictory value.
 */
export function knockOptions(args: KnockArgs, net: KnockNet): KnockOptions {
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
  return { delay, decoys, verifyPort, waitSeconds, seed, forcedFlags };
}

function parseDelay(text: string): number {
  if (/^\s*-/.test(text)) throw new UsageError(`-d/--delay: delay cannot be negative, got ${text.trim()}`);
  return parseIntField("-d/--delay", text, 0, 86_400_000);
}
