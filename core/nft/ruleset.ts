/**
 * What the kernel holds, as far as nftables doors care: its tables and its sets (family, table, name, key
 * type, flags), read from libnftables' JSON listings (`nft -j list tables`, `nft -j list sets`;
 * libnftables-json(5)). Pure: the caller runs the listings.
 *
 * @module
 */
import { errorMessage } from "../error_message.ts";

/** A table. */
export interface NftTableFact {
  /** Its family (`inet`). */
  readonly family: string;
  /** Its name. */
  readonly name: string;
}

/** A named set. */
export interface NftSetFact {
  /** Its table's family. */
  readonly family: string;
  /** Its table's name. */
  readonly table: string;
  /** Its name. */
  readonly name: string;
  /** Its key type's parts: `["ipv4_addr"]`, `["ipv4_addr", "inet_service"]`. */
  readonly type: readonly string[];
  /** Its flags: `timeout`, `interval`, `constant`, `dynamic`. */
  readonly flags: readonly string[];
}

/** The tables and sets of the kernel's ruleset. */
export interface NftRuleset {
  /** Every table. */
  readonly tables: readonly NftTableFact[];
  /** Every named set. */
  readonly sets: readonly NftSetFact[];
}

/** The listings read, or why they could not be. */
export type NftListing = { readonly ok: true; readonly ruleset: NftRuleset } | {
  readonly ok: false;
  readonly reason: string;
};

function objects(json: string, kind: string): Record<string, unknown>[] {
  const doc = JSON.parse(json) as unknown;
  const list = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(list)) throw new Error(`no "nftables" array`);
  const out: Record<string, unknown>[] = [];
  for (const item of list) {
    const value = (item as Record<string, unknown> | null)?.[kind];
    if (typeof value === "object" && value !== null) out.push(value as Record<string, unknown>);
  }
  return out;
}

const text = (v: unknown): string => typeof v === "string" ? v : "";
const texts = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];

/**
 * Reads the two JSON listings.
 *
 * @param tablesJson The output of `list tables` with JSON output.
 * @param setsJson The output of `list sets` with JSON output.
 * @returns The ruleset, or why the text is not such a listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNftListing } from "./ruleset.ts";
 *
 * const tables = '{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "filter"}}]}';
 * const sets = '{"nftables": [{"set": {"family": "inet", "table": "filter", "name": "k4", ' +
 *   '"type": "ipv4_addr", "flags": ["timeout"]}}]}';
 * const listing = parseNftListing(tables, sets);
 * assert.ok(listing.ok);
 * assert.deepEqual(listing.ruleset.sets[0]!.type, ["ipv4_addr"]);
 * ```
 */
export function parseNftListing(tablesJson: string, setsJson: string): NftListing {
  try {
    const tables = objects(tablesJson, "table").map((t) => ({ family: text(t.family), name: text(t.name) }));
    const sets = objects(setsJson, "set").map((s) => ({
      family: text(s.family),
      table: text(s.table),
      name: text(s.name),
      type: texts(s.type),
      flags: texts(s.flags),
    }));
    return { ok: true, ruleset: { tables, sets } };
  } catch (error) {
    return {
      ok: false,
      reason: `libnftables' JSON listing is not readable: ${errorMessage(error)}`,
    };
  }
}
