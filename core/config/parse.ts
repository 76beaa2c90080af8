/**
 * `parseConfig`: knockd.conf text → {@link Config} plus diagnostics, with
 * knockd 0.8's exact acceptance rules (`parseconfig()` in knockd.c).
 *
 * The pieces, in the order a line meets them: `_chunks.ts` cuts the text the
 * way `fgets()` does, `_line.ts` tells a header from a directive,
 * `_door.ts` opens sections and reads door keys, `_directive.ts` decides
 * where a directive is accepted (`_options.ts` for `[options]`), and
 * `_collector.ts` keeps the diagnostics.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import { asciiUpper } from "../_ctext.ts";
import type { Config, ConfigExtension, Options, Section } from "./types.ts";
import { forEachChunk } from "./_chunks.ts";
import { DiagnosticCollector } from "./_collector.ts";
import { readLine } from "./_line.ts";
import { finishDoors, openSection } from "./_door.ts";
import { applyDirective } from "./_directive.ts";
import type { ParseState } from "./_state.ts";

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /** Extra directives to accept and keep in `Door.extensions` / `Options.extensions`. */
  readonly extensions?: readonly ConfigExtension[];
  /**
   * Keep at most this many diagnostics (default 10,000) so that a huge
   * garbage input cannot exhaust memory; the rest are only counted in
   * `ParseResult.omittedDiagnostics`.
   */
  readonly maxDiagnostics?: number;
}

/** Default of `ParseOptions.maxDiagnostics`. */
export const DEFAULT_MAX_DIAGNOSTICS = 10_000;

/** Result of {@link parseConfig}. */
export interface ParseResult {
  /** The config, as complete as the text allows even when it has errors. */
  readonly config: Config;
  /**
   * Every problem, sorted by line then column. Any diagnostic with severity
   * `error` means knockd would refuse the file (it stops at the first one,
   * we report them all).
   */
  readonly diagnostics: Diagnostic[];
  /** True when there is no `error` diagnostic (omitted ones included), i.e. knockd would accept the file. */
  readonly ok: boolean;
  /** How many diagnostics were dropped beyond `ParseOptions.maxDiagnostics` (normally 0). */
  readonly omittedDiagnostics: number;
}

/**
 * Parses knockd.conf text. Pure and total: never throws, linear in the size
 * of the input, no recursion. See the module documentation of `mod.ts`.
 */
export function parseConfig(text: string, options: ParseOptions = {}): ParseResult {
  const extensions = new Map<string, ConfigExtension>();
  for (const ext of options.extensions ?? []) extensions.set(asciiUpper(ext.key.trim()), ext);
  const state: ParseState = {
    extensions,
    diagnostics: new DiagnosticCollector(options.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS),
    sections: [],
    doors: [],
    options: {},
  };
  forEachChunk(text, (chunk) => {
    const line = readLine(chunk);
    if (line === undefined) return;
    if (line.kind === "header") openSection(state, line);
    else applyDirective(state, line);
  });
  const doors = finishDoors(state);
  const config: Config = {
    options: state.options as Options,
    doors,
    sections: state.sections as readonly Section[],
  };
  const { diagnostics: collector } = state;
  return {
    config,
    diagnostics: collector.sorted(),
    ok: collector.ok,
    omittedDiagnostics: collector.omitted,
  };
}
