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
import { markUsed } from "./door.ts";
import { fwknopKnock } from "./fwknop.ts";
import { RuntimeFailure } from "./failure.ts";
import type { KnockNet } from "./net.ts";
import { knockOptions } from "./options.ts";
import { interleaveDecoys } from "./plan.ts";
import { sendHits } from "./send.ts";
import { planHits } from "./sequence.ts";
import { resolveTarget } from "./target.ts";
import { verify } from "./verify.ts";

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
  if (args.fwknop === true) return await fwknopKnock(args, io, net);
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
