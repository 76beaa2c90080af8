/**
 * The config `serve` runs, at start and on every reload: read, parsed and checked exactly as
 * `knocktool lint` checks it (the same rules, the same reading of the files it names), and refused on any
 * error of class KT0xx (knockd refuses the file) or KT1xx (a door cannot work as written). Warnings
 * (KT2xx) do not stop it.
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import type { Diagnostic } from "../../core/diagnostic.ts";
import { lintConfig } from "../../core/lint/mod.ts";
import { formatHuman } from "../lint/human.ts";
import { fileFactsReader, readRegularFile } from "../lint/read.ts";
import type { Io } from "../runtime.ts";

/** A loaded config, or the diagnostics that make `serve` refuse it. */
export type LoadedConfig =
  | { readonly ok: true; readonly config: Config }
  | {
    readonly ok: false;
    /** The lint-style report (with source lines), for stderr at startup. */
    readonly report: string;
    /** One line per problem (`file:line:col: error[KTxxx]: message`), for the log on reload. */
    readonly lines: readonly string[];
  };

/**
 * Whether `serve` refuses a config with this finding: an error of class KT0xx or KT1xx.
 *
 * @param d A finding of `lintConfig`.
 * @returns True for a refusing error.
 */
export function refuses(d: Diagnostic): boolean {
  return d.severity === "error" && /^KT[01]\d\d$/.test(d.code);
}

function diagnosticLine(path: string, d: Diagnostic): string {
  const file = d.file ?? path;
  const where = d.span === undefined ? file : `${file}:${d.span.line}:${d.span.column}`;
  return `${where}: ${d.severity}[${d.code}]: ${d.message}`;
}

/**
 * Reads the config and lints it like `knocktool lint PATH` does; any KT0xx/KT1xx error refuses it.
 *
 * @param path The config path.
 * @param io File access (relative paths in the config are resolved against `io.cwd()`, as knockd does).
 * @returns The config, or the report and lines of what refuses it.
 */
export function loadConfig(path: string, io: Io): LoadedConfig {
  const input = readRegularFile(io, path);
  if (!input.ok) {
    const line = `${path}: error: cannot read config file: ${input.error}`;
    return { ok: false, report: `${line}\n`, lines: [line] };
  }
  const sources = new Map<string, string>();
  const readFile = fileFactsReader(io, sources);
  const { text } = input;
  const result = lintConfig(
    text,
    input.mode === undefined ? { file: path, readFile } : {
      file: path,
      mode: input.mode,
      readFile,
    },
  );
  const errors = result.diagnostics.filter(refuses);
  if (errors.length === 0) return { ok: true, config: result.config };
  return {
    ok: false,
    report: formatHuman({ files: [{ path, text, sources, diagnostics: errors }] }, { color: false }),
    lines: errors.map((d) => diagnosticLine(path, d)),
  };
}
