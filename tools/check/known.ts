/**
 * Violations against the list of known ones: what is new (a regression) and what is listed but fixed (a stale
 * entry, to be removed so that the list only shrinks).
 *
 * @module
 */
import type { KnownViolation, Violation } from "./types.ts";

/** The outcome of {@linkcode compareWithKnown}. */
export interface Comparison {
  /** Violations no entry tolerates. */
  readonly unexpected: readonly Violation[];
  /** Entries that match no violation any more. */
  readonly stale: readonly KnownViolation[];
}

/**
 * Splits violations into the tolerated ones and the rest, and finds the entries that tolerate nothing.
 * An entry tolerates every violation of its rule in its file.
 *
 * @param violations What the checks found.
 * @param known The tolerated violations.
 * @param rules The rules that were checked (default: every rule of `known` is taken as checked); an entry
 *   of a rule not checked is neither used nor stale.
 * @returns The unexpected violations and the stale entries.
 */
export function compareWithKnown(
  violations: readonly Violation[],
  known: readonly KnownViolation[],
  rules?: readonly string[],
): Comparison {
  const key = (rule: string, file: string) => `${rule}\u0000${file}`;
  const found = new Set(violations.map((v) => key(v.rule, v.file)));
  const listed = new Set(known.map((k) => key(k.rule, k.file)));
  return {
    unexpected: violations.filter((v) => !listed.has(key(v.rule, v.file))),
    stale: known.filter((k) =>
      (rules === undefined || rules.includes(k.rule)) && !found.has(key(k.rule, k.file))
    ),
  };
}
