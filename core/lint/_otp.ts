/**
 * The view of a one-time sequences file the lint rules need (the config parser's reading of it).
 *
 * @module
 */
import { type OneTimeSequencesResult, parseOneTimeSequences } from "../config/mod.ts";

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
