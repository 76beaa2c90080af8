/**
 * One `knocktool knock` run, start to end: the option values, the plan, decoys, the target, the hits,
 * the one-time sequence, `--verify`; usage errors exit 2, run-time failures 1.
 *
 * @module
 */
import { createRng } from "../../core/packet/mod.ts";
import { UsageError } from "../craft/values.ts";
import type { Io } from "../runtime.ts";
import { sanitize } from "../_text.ts";
import { PROGRAM_NAME } from "../version.ts";
import type { KnockArgs } from "./command.ts";
import { doorTotpProfile, markUsed } from "./door.ts";
import { RuntimeFailure } from "./failure.ts";
import type { KnockNet } from "./net.ts";
import { knockOptions } from "./options.ts";
import { interleaveDecoys } from "./plan.ts";
import { sendHits } from "./send.ts";
import { planHits } from "./sequence.ts";
import { resolveTarget } from "./target.ts";
import { verify } from "./verify.ts";
import { enrollText, readProfile, showText } from "./totp.ts";

/**
 * Runs `knocktool knock` with real or recorded effects and returns the exit status.
 *
 * @param args The parsed arguments.
 * @param io Files and output.
 * @param net The network, clock and randomness.
 * @returns 0, 1 (a hit or the check failed) or 2 (usage error).
 */
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
  if (args.show === true || args.enroll === true) return totpInfo(args, io, net);
  if (args.json === true) throw new UsageError("--json needs --show");
  const options = knockOptions(args, net);
  const { decoys, verifyPort } = options;
  const plan = planHits(args, options, io, net);
  const rng = createRng(options.seed);
  let hits = plan.hits;
  if (decoys > 0) {
    if (verifyPort !== undefined) plan.avoid.add(verifyPort);
    hits = interleaveDecoys(plan.hits, decoys, plan.avoid, rng);
  }

  const address = resolveTarget(args, net);
  const failed = await sendHits(hits, address, args.verbose, options.delay, rng, io, net);

  if (plan.otp !== undefined) markUsed(plan.otp, failed, args.verbose, io, net);
  if (failed > 0) return 1;
  if (verifyPort !== undefined) return await verify(address, verifyPort, options.waitSeconds, io, net);
  return 0;
}

/** `--show` and `--enroll`: a TOTP door's current ports, or its enrolment URI and QR code; nothing is sent. */
function totpInfo(args: KnockArgs, io: Io, net: KnockNet): number {
  if (args.show === true && args.enroll === true) {
    throw new UsageError("--show and --enroll cannot be combined");
  }
  if (args.ports.length > 0) {
    throw new UsageError("PORT arguments cannot be combined with --show or --enroll");
  }
  let profile;
  if (args.profile !== undefined) {
    if (args.config !== undefined || args.door !== undefined) {
      throw new UsageError("--profile cannot be combined with -c/--door");
    }
    profile = readProfile(args.profile, io);
  } else if (args.config !== undefined && args.door !== undefined) {
    profile = doorTotpProfile(args, io);
  } else {
    throw new UsageError("--show and --enroll need -c FILE --door NAME, or --profile FILE");
  }
  io.stdout(
    args.show === true
      ? showText(profile, args.host, net.wallClock(), args.json === true)
      : enrollText(profile),
  );
  return 0;
}
