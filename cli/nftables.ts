/**
 * libnftables for `serve` and `lint --check-firewall`: the process's one nftables context (ffi/nftables.ts,
 * opened on first use), and the facts the check of a config's sets needs (core/nft/): the kernel's tables
 * and sets, and a trial of each door's element command without committing it (nft parses it and checks it
 * against the real set: a name nft cannot parse, an element of the wrong shape).
 *
 * @module
 */
import { errorMessage } from "../core/error_message.ts";
import {
  addElementsCommand,
  checkNftSets,
  nftElement,
  type NftFacts,
  type NftRequirement,
  parseNftListing,
  requirementKey,
  sampleElement,
} from "../core/nft/mod.ts";
import { NftablesMissingError, NftContext, type NftRunOptions, type NftRunResult } from "../ffi/nftables.ts";

/** What runs nft commands (the process's libnftables context; a fake in tests). */
export interface Nftables {
  /** Runs commands as one transaction (see `NftContext.run`). */
  run(commands: string, options?: NftRunOptions): NftRunResult;
}

let shared: NftContext | undefined;

/**
 * The process's libnftables context, opened on first use (every later call returns it).
 *
 * @returns The context.
 * @throws {NftablesMissingError} When libnftables is not installed.
 */
export function processNftables(): Nftables {
  return shared ??= NftContext.open();
}

/**
 * The first line of nft's error output, without its `Error: ` prefix; a `Operation not permitted` says what
 * is missing.
 *
 * @param error nft's error output.
 * @returns One line.
 */
export function nftErrorLine(error: string): string {
  const line = error.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";
  const text = line.replace(/^(?:netlink: )?Error: /, "");
  return /Operation not permitted/.test(text) ? `${text} (CAP_NET_ADMIN is needed)` : text;
}

/**
 * Reads the kernel's tables and sets and tries the element command of every requirement that the listing
 * finds no problem with, as a dry run (committed never: nothing changes in the kernel).
 *
 * @param open Opens (or returns) the nftables context; may throw.
 * @param requirements The config's sets (`nftRequirements`).
 * @returns The facts, or why nftables could not be read (libnftables missing, no permission).
 */
export function readNftFacts(open: () => Nftables, requirements: readonly NftRequirement[]): NftFacts {
  let nft: Nftables;
  try {
    nft = open();
  } catch (error) {
    return { ok: false, reason: error instanceof NftablesMissingError ? error.message : errorMessage(error) };
  }
  const tables = nft.run("list tables", { json: true });
  if (!tables.ok) {
    return { ok: false, reason: `cannot list the nftables tables: ${nftErrorLine(tables.error)}` };
  }
  const sets = nft.run("list sets", { json: true, terse: true });
  if (!sets.ok) return { ok: false, reason: `cannot list the nftables sets: ${nftErrorLine(sets.error)}` };
  const listing = parseNftListing(tables.output, sets.output);
  if (!listing.ok) return { ok: false, reason: listing.reason };
  const failing = new Set(checkNftSets(requirements, listing.ruleset).map((p) => p.requirement));
  const trials = new Map<string, string>();
  for (const r of requirements) {
    if (failing.has(r) || trials.has(requirementKey(r))) continue;
    const sample = sampleElement(r);
    const command = addElementsCommand(r.ref, [nftElement(sample.address, sample.port)], 1000);
    const tried = nft.run(command, { dryRun: true });
    if (!tried.ok) trials.set(requirementKey(r), nftErrorLine(tried.error));
  }
  return { ok: true, ruleset: listing.ruleset, trials };
}
