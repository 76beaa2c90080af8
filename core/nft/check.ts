/**
 * Whether the kernel holds the sets a config's nftables doors add to: each `Nft_Set`/`Nft_Set_6` names a
 * table that exists and a set in it with the door's key type and the `timeout` flag, not `constant`, and
 * libnftables accepts the door's element command on it (tried without committing it). Every problem comes
 * with the `nft` commands that fix it. Pure: the caller reads the ruleset and runs the trials (serve at
 * start and on reload, `lint --check-firewall`).
 *
 * @module
 */
import { type DoorNft, doorNft, NFT_KEYS, type NftSetRef } from "../config/nft.ts";
import type { Config, Directive } from "../config/types.ts";
import {
  addSetShellCommand,
  addTableShellCommand,
  deleteSetShellCommand,
  keyTypeText,
  nftSetName,
  setKeyType,
} from "./commands.ts";
import type { NftRuleset } from "./ruleset.ts";

/**
 * The codes of the firewall findings (class KT3xx: what the system around the config holds, checked by
 * `lint --check-firewall` and by serve at start and on reload).
 */
export const NFT_FIREWALL_CODES = {
  /** A table or set is missing. */
  missing: "KT301",
  /** A set cannot take the door's elements (type, flags), or libnftables refuses the element command. */
  mismatch: "KT302",
  /** The ruleset cannot be read (libnftables missing, no CAP_NET_ADMIN). */
  unreadable: "KT303",
} as const;

/** One set a door adds to, and what it must be. */
export interface NftRequirement {
  /** The door's name. */
  readonly door: string;
  /** The `Nft_Set` or `Nft_Set_6` line (for the finding's place). */
  readonly directive: Directive;
  /** The address family of its elements. */
  readonly addressFamily: 4 | 6;
  /** The set. */
  readonly ref: NftSetRef;
  /** `Nft_Port`'s ports (empty: address elements). */
  readonly ports: readonly number[];
  /** The key type the set must have ({@linkcode setKeyType}). */
  readonly keyType: readonly string[];
}

/** What is wrong with one requirement. */
export interface NftProblem {
  readonly requirement: NftRequirement;
  /**
   * `missing`: the table or the set does not exist; `mismatch`: the set exists but cannot take the door's
   * elements as they must be (type, flags), or libnftables refuses the element command.
   */
  readonly kind: "missing" | "mismatch";
  /** One sentence, no trailing period. */
  readonly message: string;
  /** What the commands do (`create it with`), when there are commands. */
  readonly fix: string;
  /** The `nft` shell commands that fix it (none when only the administrator can tell). */
  readonly commands: readonly string[];
}

/** Trials of the doors' element commands: nft's error for a requirement, by {@linkcode requirementKey}. */
export type NftTrials = ReadonlyMap<string, string>;

/** What the check needs of the kernel, or why it could not be read (libnftables missing, no permission). */
export type NftFacts =
  | { readonly ok: true; readonly ruleset: NftRuleset; readonly trials: NftTrials }
  | { readonly ok: false; readonly reason: string };

/**
 * The key of a requirement among the trials: the set and the element's shape.
 *
 * @param r The requirement.
 * @returns `inet filter knock4 4 22,443`.
 */
export function requirementKey(r: NftRequirement): string {
  return `${nftSetName(r.ref)} ${r.addressFamily} ${r.ports.join(",")}`;
}

/**
 * The sets a config's doors add to, in file order (a set named by two doors is listed twice).
 *
 * @param config A parsed config.
 * @returns One requirement per door and directive.
 */
export function nftRequirements(config: Config): NftRequirement[] {
  const out: NftRequirement[] = [];
  for (const door of config.doors) {
    const nft: DoorNft | undefined = doorNft(door);
    if (nft === undefined) continue;
    for (const [family, key, ref] of [[4, NFT_KEYS.set, nft.v4], [6, NFT_KEYS.set6, nft.v6]] as const) {
      const directive = door.extensions?.get(key);
      if (ref === undefined || directive === undefined) continue;
      out.push({
        door: door.name,
        directive,
        addressFamily: family,
        ref,
        ports: nft.ports,
        keyType: setKeyType(family, nft.ports.length > 0),
      });
    }
  }
  return out;
}

/**
 * A sample element of a requirement's shape, for the trial of its command (documentation addresses).
 *
 * @param r The requirement.
 * @returns The address and the port (the first of `Nft_Port`), if any.
 */
export function sampleElement(r: NftRequirement): { readonly address: string; readonly port?: number } {
  const address = r.addressFamily === 4 ? "192.0.2.1" : "2001:db8::1";
  return r.ports.length === 0 ? { address } : { address, port: r.ports[0]! };
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks each requirement against the kernel's ruleset and the trials of the element commands.
 *
 * @param requirements From {@linkcode nftRequirements}.
 * @param ruleset The kernel's tables and sets.
 * @param trials nft's errors for the element commands tried (none: all accepted, or not tried).
 * @returns The problems, in the order of the requirements, at most one each.
 */
export function checkNftSets(
  requirements: readonly NftRequirement[],
  ruleset: NftRuleset,
  trials: NftTrials = new Map(),
): NftProblem[] {
  const out: NftProblem[] = [];
  for (const r of requirements) {
    const problem = check(r, ruleset, trials);
    if (problem !== undefined) out.push(problem);
  }
  return out;
}

function check(r: NftRequirement, ruleset: NftRuleset, trials: NftTrials): NftProblem | undefined {
  const { ref } = r;
  const name = nftSetName(ref);
  const head = `Door "${r.door}" adds to nftables set ${name}`;
  const create = addSetShellCommand(ref, r.keyType);
  const table = ruleset.tables.some((t) => t.family === ref.family && t.name === ref.table);
  if (!table) {
    return {
      requirement: r,
      kind: "missing",
      message: `${head}, but table ${ref.family} ${ref.table} does not exist`,
      fix: "create them with",
      commands: [addTableShellCommand(ref), create],
    };
  }
  const set = ruleset.sets.find((s) =>
    s.family === ref.family && s.table === ref.table && s.name === ref.set
  );
  if (set === undefined) {
    return {
      requirement: r,
      kind: "missing",
      message: `${head}, which does not exist`,
      fix: "create it with",
      commands: [create],
    };
  }
  const recreate = {
    requirement: r,
    kind: "mismatch" as const,
    fix: "recreate it (once the rules that use it are deleted) with",
    commands: [deleteSetShellCommand(ref), create],
  };
  if (!same(set.type, r.keyType)) {
    const hint = r.ports.length === 0 && set.type.length > 1
      ? " (a door adds ADDRESS . PORT elements only with Nft_Port)"
      : r.ports.length > 0 && set.type.length === 1
      ? ` (Nft_Port = ${r.ports.join(",")} makes ADDRESS . PORT elements)`
      : "";
    return {
      ...recreate,
      message: `${head}, whose type is ${keyTypeText(set.type) || "unknown"}, not ${
        keyTypeText(r.keyType)
      }${hint}`,
    };
  }
  if (set.flags.includes("constant")) {
    return { ...recreate, message: `${head}, which is constant: no element can be added to it` };
  }
  if (!set.flags.includes("timeout")) {
    return {
      ...recreate,
      message: `${head}, which has no "timeout" flag, so its elements cannot expire by themselves`,
    };
  }
  const refused = trials.get(requirementKey(r));
  if (refused !== undefined) {
    return {
      requirement: r,
      kind: "mismatch",
      message: `${head}, but libnftables refuses the door's element command: ${refused}`,
      fix: "",
      commands: [],
    };
  }
  return undefined;
}

/**
 * A problem as one line: its message and the commands that fix it.
 *
 * @param p The problem.
 * @returns `… does not exist; create it with: nft add set …`.
 */
export function problemText(p: NftProblem): string {
  return p.commands.length === 0 ? p.message : `${p.message}; ${p.fix}: ${p.commands.join("; ")}`;
}

/**
 * Every command of the problems once, in order (`nft add table` once per table).
 *
 * @param problems The problems.
 * @returns The commands.
 */
export function fixCommands(problems: readonly NftProblem[]): string[] {
  const out: string[] = [];
  for (const p of problems) for (const c of p.commands) if (!out.includes(c)) out.push(c);
  return out;
}
