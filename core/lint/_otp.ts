/**
 * The view of a one-time sequences file the lint rules need (the config parser's reading of it).
 *
 * @module
 */
import { type OneTimeSequencesResult, parseOneTimeSequences } from "../config/mod.ts";
import type { Directive, Door } from "../config/types.ts";
import { KEYS } from "./_directives.ts";

/** A parsed one-time sequences file: its valid entries in file order, and the lines knockd skips. */
export type OtpFile = OneTimeSequencesResult;

/**
 * Parses a one-time sequences file the way knockd scans it.
 *
 * @param text The file's text.
 * @param door Name of the (first) door using the file, for knockd's message texts.
 * @returns Its valid entries and the diagnostics for skipped lines.
 */
export function loadOtp(text: string, door?: string): OtpFile {
  return parseOneTimeSequences(text, door === undefined ? {} : { door });
}

/** A `One_Time_Sequences` directive, its door and the path it names (`""` when the value is missing). */
export interface OtpReference {
  readonly door: Door;
  readonly directive: Directive;
  readonly path: string;
}

/** Options of {@linkcode otpReferences}. */
export interface OtpReferencesOptions {
  /** Keep only the first directive naming each path, so a file shared by several doors counts once. */
  readonly firstPerPath?: boolean;
}

/**
 * Every `One_Time_Sequences` directive of `doors`, in file order.
 *
 * @param doors The config's doors.
 * @param options Whether to keep only the first reference to each path.
 * @returns The references.
 */
export function otpReferences(doors: readonly Door[], options: OtpReferencesOptions = {}): OtpReference[] {
  const keys: readonly string[] = KEYS.oneTimeSequences;
  const out: OtpReference[] = [];
  const seen = new Set<string>();
  for (const door of doors) {
    for (const directive of door.section.directives) {
      if (!keys.includes(directive.normalizedKey)) continue;
      const path = directive.value ?? "";
      if (options.firstPerPath === true) {
        if (seen.has(path)) continue;
        seen.add(path);
      }
      out.push({ door, directive, path });
    }
  }
  return out;
}
