/**
 * `knocktool lint --format json`: one JSON document on standard output.
 *
 * The shape is stable (new fields may be added; existing ones keep their meaning):
 *
 * ```jsonc
 * {
 *   "tool": { "name": "knocktool", "version": "0.1.0" },
 *   "files": [
 *     // one entry per FILE argument, in order; "-" is standard input
 *     { "path": "knockd.conf", "errorCount": 1, "warningCount": 0, "ioError": null },
 *     // a file that could not be read: no findings, the OS reason in ioError
 *     { "path": "missing.conf", "errorCount": 0, "warningCount": 0, "ioError": "No such file or directory" }
 *   ],
 *   "diagnostics": [
 *     {
 *       "code": "KT003",            // rule code, see `knocktool lint --explain KT003`
 *       "severity": "error",        // "error" | "warning"
 *       "message": "…",             // one sentence, no trailing period
 *       "file": "knockd.conf",      // path as given ("-" for stdin)
 *       "line": 4,                  // 1-based; null for findings about the whole file
 *       "column": 17,               // 1-based, UTF-16 code units; null without a position
 *       "endColumn": 22,            // exclusive; null without a position
 *       "knockd": "config: …"       // what knockd itself prints, or null
 *     }
 *   ],
 *   "errorCount": 1,                // over all files
 *   "warningCount": 0
 * }
 * ```
 *
 * @module
 */
import { PROGRAM_NAME, VERSION } from "../version.ts";
import type { LintReport } from "./report.ts";

/** Renders a report as the JSON document described in this module's documentation (with a final newline). */
export function formatJson(report: LintReport): string {
  let errorCount = 0, warningCount = 0;
  const files = report.files.map((file) => {
    const errors = file.diagnostics.filter((d) => d.severity === "error").length;
    const warnings = file.diagnostics.length - errors;
    errorCount += errors;
    warningCount += warnings;
    return { path: file.path, errorCount: errors, warningCount: warnings, ioError: file.ioError ?? null };
  });
  const diagnostics = report.files.flatMap((file) =>
    file.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.file ?? file.path,
      line: d.span?.line ?? null,
      column: d.span?.column ?? null,
      endColumn: d.span?.endColumn ?? null,
      knockd: d.knockd ?? null,
    }))
  );
  const doc = {
    tool: { name: PROGRAM_NAME, version: VERSION },
    files,
    diagnostics,
    errorCount,
    warningCount,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
