/**
 * The nftables sets of the fwknop door (`serve --fwknop-nft-set`, `--fwknop-nft-set-6`,
 * `--fwknop-nft-per-port`): read from the command line, then checked in the kernel at start and on reload
 * as the `Nft_Set` doors' sets are (./nft_check.ts: each table and set must exist with the key type and the
 * `timeout` flag, and take a sample element in a trial), refused with the `nft` commands that create them.
 *
 * @module
 */
import { type NftSetRef, parseNftSetValue } from "../../core/config/nft.ts";
import type { Directive } from "../../core/config/types.ts";
import type { FwknopNft } from "../../core/fwknop/mod.ts";
import {
  checkNftSets,
  fixCommands,
  NFT_FIREWALL_CODES,
  type NftRequirement,
  setKeyType,
} from "../../core/nft/mod.ts";
import { readNftFacts } from "../nftables.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";

/** The sets read from the command line, or the lines that refuse them. */
export type FwknopNftOptions =
  | { readonly ok: true; readonly nft: FwknopNft | undefined }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Reads `--fwknop-nft-set`, `--fwknop-nft-set-6` and `--fwknop-nft-per-port`.
 *
 * @param settings The command line.
 * @returns The door's sets (`undefined` without either option), or why a value names no set.
 */
export function fwknopNftOptions(
  settings: Pick<ServeSettings, "fwknopNftSet" | "fwknopNftSet6" | "fwknopNftPerPort">,
): FwknopNftOptions {
  const errors: string[] = [];
  const read = (value: string | undefined, family: 4 | 6): NftSetRef | undefined => {
    if (value === undefined) return undefined;
    const option = family === 4 ? "--fwknop-nft-set" : "--fwknop-nft-set-6";
    const parsed = parseNftSetValue(value.trim(), family, option);
    if (parsed.ok) return parsed.ref;
    errors.push(`${option}: error[${parsed.code}]: ${parsed.message}`);
    return undefined;
  };
  const v4 = read(settings.fwknopNftSet, 4);
  const v6 = read(settings.fwknopNftSet6, 6);
  if (errors.length > 0) return { ok: false, errors };
  if (v4 === undefined && v6 === undefined) {
    if (settings.fwknopNftPerPort === true) {
      return {
        ok: false,
        errors: ["--fwknop-nft-per-port: error: it needs --fwknop-nft-set or --fwknop-nft-set-6"],
      };
    }
    return { ok: true, nft: undefined };
  }
  return { ok: true, nft: { v4, v6, perPort: settings.fwknopNftPerPort === true } };
}

const SAMPLE_PORT = 22;

/** A stand-in for the directive of a requirement: the option names the set, not a config line. */
function optionDirective(key: string, value: string): Directive {
  const span = { line: 1, column: 1, endColumn: 1, offset: 0 };
  return { key, normalizedKey: key.toUpperCase(), keySpan: span, value, span };
}

/**
 * The requirements of the fwknop door's sets, for `checkNftSets`.
 *
 * @param nft The sets.
 * @returns One per set.
 */
export function fwknopNftRequirements(nft: FwknopNft): NftRequirement[] {
  const out: NftRequirement[] = [];
  for (
    const [family, key, ref] of [[4, "--fwknop-nft-set", nft.v4], [6, "--fwknop-nft-set-6", nft.v6]] as const
  ) {
    if (ref === undefined) continue;
    out.push({
      door: "fwknop",
      directive: optionDirective(key, `${ref.family} ${ref.table} ${ref.set}`),
      addressFamily: family,
      ref,
      ports: nft.perPort ? [SAMPLE_PORT] : [],
      keyType: setKeyType(family, nft.perPort),
    });
  }
  return out;
}

/** nft_check's hints name the knockd.conf directive; here the option makes the element's shape. */
function optionHint(message: string): string {
  return message
    .replace(
      " (a door adds ADDRESS . PORT elements only with Nft_Port)",
      " (--fwknop-nft-per-port makes ADDRESS . PORT elements)",
    )
    .replace(
      / \(Nft_Port = [^)]* makes ADDRESS \. PORT elements\)/,
      " (--fwknop-nft-per-port makes ADDRESS . PORT elements)",
    );
}

/**
 * Checks the fwknop door's sets in the kernel (nothing in a dry run).
 *
 * @param nft The sets.
 * @param settings `--dry-run`.
 * @param platform The runtime's libnftables.
 * @returns The lines that refuse the sets, with the `nft` commands that create them.
 */
export function fwknopNftErrors(
  nft: FwknopNft,
  settings: Pick<ServeSettings, "dryRun">,
  platform: Pick<ServePlatform, "nftables">,
): string[] {
  if (settings.dryRun) return [];
  const requirements = fwknopNftRequirements(nft);
  const facts = readNftFacts(() => platform.nftables(), requirements);
  if (!facts.ok) {
    return [
      `--fwknop-nft-set: error[${NFT_FIREWALL_CODES.unreadable}]: fwknop's nftables sets need libnftables: ${facts.reason}`,
    ];
  }
  const problems = checkNftSets(requirements, facts.ruleset, facts.trials);
  const lines = problems.map((p) =>
    `${p.requirement.directive.key}: error[${
      p.kind === "missing" ? NFT_FIREWALL_CODES.missing : NFT_FIREWALL_CODES.mismatch
    }]: ${optionHint(p.message)}`
  );
  const commands = fixCommands(problems);
  if (commands.length === 0) return lines;
  const deletes = commands.some((c) => c.startsWith("nft delete "));
  lines.push(
    `these nft commands create the sets the fwknop door needs${
      deletes ? " (a set is deleted only once the rules that use it are)" : ""
    }:`,
    ...commands.map((c) => `  ${c}`),
  );
  return lines;
}
