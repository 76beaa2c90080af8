/**
 * serve's config loading: reads and parses knockd.conf; any error diagnostic refuses it (as knockd does).
 *
 * @module
 */
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../core/config/mod.ts";
import type { Config } from "../../core/config/types.ts";
import type { Diagnostic } from "../../core/diagnostic.ts";
import { formatHuman } from "../lint/human.ts";
import { type Io, osReason } from "../runtime.ts";

/** A loaded config, or the diagnostics that make knockd refuse it. */
export type LoadedConfig =
  | { readonly ok: true; readonly config: Config }
  | {
    readonly ok: false;
    /** The lint-style report (with source lines), for stderr at startup. */
    readonly report: string;
    /** One line per problem (`file:line:col: error[KTxxx]: message`), for the log on reload. */
    readonly lines: readonly string[];
  };

function diagnosticLine(path: string, d: Diagnostic): string {
  const where = d.span === undefined ? path : `${path}:${d.span.line}:${d.span.column}`;
  return `${where}: ${d.severity}[${d.code}]: ${d.message}`;
}

/**
 * Reads and parses the config; any error diagnostic refuses it (as knockd does).
 *
 * @param path The config path.
 * @param io File access.
 * @returns The config or the diagnostics.
 */
export function loadConfig(path: string, io: Io): LoadedConfig {
  let text: string;
  try {
    text = new TextDecoder().decode(io.readFile(path));
  } catch (error) {
    const line = `${path}: error: cannot read config file: ${osReason(error)}`;
    return { ok: false, report: `${line}\n`, lines: [line] };
  }
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return { ok: true, config: parsed.config };
  return {
    ok: false,
    report: formatHuman({ files: [{ path, text, diagnostics: errors }] }, { color: false }),
    lines: errors.map((d) => diagnosticLine(path, d)),
  };
}
