/**
 * The knock sequence of a run, before decoys: the hits of the PORT arguments (service names looked up for
 * their protocol) or of a door (`-c --door`), TCP hits with the flags of `--flags` when given.
 *
 * @module
 */
import type { Io } from "../runtime.ts";
import { parsePortItem, UsageError } from "../craft/values.ts";
import type { KnockArgs } from "./command.ts";
import { type DoorPlan, planDoor } from "./door.ts";
import type { KnockNet } from "./net.ts";
import type { KnockOptions } from "./options.ts";
import { currentSequence, readProfile } from "./totp.ts";

/**
 * The hits of a run before decoys: those of the door (`-c --door`) or of the PORT arguments, TCP ones
 * with the flags of `--flags` when given.
 *
 * @param args The parsed arguments.
 * @param options The checked option values.
 * @param io Files (the config, one-time sequences).
 * @param net Service names.
 * @returns The plan.
 * @throws {UsageError} For arguments that do not go together, or a bad PORT.
 */
export function planHits(args: KnockArgs, options: KnockOptions, io: Io, net: KnockNet): DoorPlan {
  const { decoys, forcedFlags } = options;
  let plan: DoorPlan;
  if (args.config !== undefined || args.door !== undefined) {
    if (args.config === undefined) throw new UsageError("--door needs -c/--config");
    if (args.door === undefined) throw new UsageError("-c/--config needs --door NAME");
    if (args.ports.length > 0) throw new UsageError("PORT arguments cannot be combined with --door");
    if (args.profile !== undefined) throw new UsageError("--profile cannot be combined with --door");
    plan = planDoor(args, io, net.wallClock());
    if (decoys > 0 && plan.strict) {
      throw new UsageError(
        `--decoys: door "${args.door}" is strict (Strict = yes): a decoy knock would invalidate the attempt`,
      );
    }
  } else if (args.profile !== undefined) {
    if (args.ports.length > 0) throw new UsageError("PORT arguments cannot be combined with --profile");
    const knocks = currentSequence(readProfile(args.profile, io), net.wallClock()).knocks;
    const hits = knocks.map((k) => ({ port: k.port, protocol: args.udp ? "udp" as const : k.protocol }));
    plan = { hits, avoid: new Set(hits.map((h) => h.port)) };
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
  return plan;
}
