/**
 * `knocktool lint --format sarif`: a SARIF 2.1.0 log, as consumed by GitHub
 * code scanning (`github/codeql-action/upload-sarif`) and editors.
 *
 * One run; `tool.driver.rules` lists every known rule (then any code seen in a
 * result that no rule describes), and each result's `ruleIndex` points into it.
 * Locations are relative to `%SRCROOT%` (the current directory) when the file
 * lies under it, absolute `file://` URIs otherwise; standard input is `-`.
 * Files that could not be read appear as error notifications of the invocation,
 * which is then marked unsuccessful.
 *
 * @module
 */
import type { Diagnostic } from "../../core/diagnostic.ts";
import type { RuleInfo } from "../../core/lint/types.ts";
import { INFORMATION_URI, PROGRAM_NAME, VERSION } from "../version.ts";
import type { LintReport } from "./report.ts";

/** The SARIF 2.1.0 schema location written into `$schema`. */
export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** Options of {@link formatSarif}. */
export interface SarifOptions {
  /** Known rules, in the order they appear in `tool.driver.rules`. */
  readonly rules: readonly RuleInfo[];
  /** Absolute current directory (POSIX or Windows); paths under it become relative URIs. */
  readonly cwd: string;
}

function toSlashes(path: string): string {
  return path.replace(/\\/g, "/");
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}

function encodePath(path: string): string {
  return path.split("/").map((part) => encodeURIComponent(part).replace(/%3A/gi, ":")).join("/");
}

/** The `artifactLocation` of a path as given on the command line. */
export function artifactLocation(path: string, cwd: string): { uri: string; uriBaseId?: string } {
  if (path === "-") return { uri: "-" };
  let p = toSlashes(path);
  if (isAbsolute(p)) {
    const base = toSlashes(cwd).replace(/\/+$/, "") + "/";
    if (!p.startsWith(base)) {
      const abs = p.startsWith("/") ? p : "/" + p;
      return { uri: "file://" + encodePath(abs) };
    }
    p = p.slice(base.length);
  }
  while (p.startsWith("./")) p = p.slice(2);
  return { uri: encodePath(p), uriBaseId: "%SRCROOT%" };
}

function firstParagraph(text: string): string {
  return text.trim().split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, " ");
}

function sarifRule(rule: RuleInfo) {
  return {
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: firstParagraph(rule.explanation) || rule.summary },
    defaultConfiguration: { level: rule.severity },
    help: {
      text:
        `${rule.explanation.trim()}\n\nRun \`${PROGRAM_NAME} lint --explain ${rule.code}\` for this text.`,
    },
  };
}

function unknownRule(d: Diagnostic) {
  return {
    id: d.code,
    name: d.code,
    shortDescription: { text: d.message },
    fullDescription: { text: d.message },
    defaultConfiguration: { level: d.severity },
    help: { text: d.message },
  };
}

/** Renders a report as a SARIF 2.1.0 JSON document (with a final newline). */
export function formatSarif(report: LintReport, options: SarifOptions): string {
  const rules: ReturnType<typeof sarifRule>[] = options.rules.map(sarifRule);
  const index = new Map<string, number>(rules.map((r, i) => [r.id, i]));
  const results = [];
  const notifications = [];
  for (const file of report.files) {
    if (file.ioError !== undefined) {
      notifications.push({
        level: "error",
        message: { text: `${file.path}: ${file.ioError}` },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(file.path, options.cwd) } }],
      });
    }
    for (const d of file.diagnostics) {
      let ruleIndex = index.get(d.code);
      if (ruleIndex === undefined) {
        ruleIndex = rules.push(unknownRule(d)) - 1;
        index.set(d.code, ruleIndex);
      }
      const physicalLocation = {
        artifactLocation: artifactLocation(d.file ?? file.path, options.cwd),
        ...(d.span === undefined
          ? {}
          : { region: { startLine: d.span.line, startColumn: d.span.column, endColumn: d.span.endColumn } }),
      };
      results.push({
        ruleId: d.code,
        ruleIndex,
        level: d.severity,
        message: { text: d.knockd === undefined ? d.message : `${d.message} (knockd: ${d.knockd})` },
        locations: [{ physicalLocation }],
      });
    }
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: PROGRAM_NAME,
          version: VERSION,
          semanticVersion: VERSION,
          informationUri: INFORMATION_URI,
          rules,
        },
      },
      invocations: [{
        executionSuccessful: notifications.length === 0,
        toolExecutionNotifications: notifications,
      }],
      columnKind: "utf16CodeUnits",
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
