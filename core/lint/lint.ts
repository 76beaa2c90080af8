/**
 * `lintConfig`: the parser's findings plus every lint rule, for one knockd.conf text.
 *
 * @module
 */
import { errorMessage } from "../error_message.ts";
import type { Diagnostic } from "../diagnostic.ts";
import type { Door, SequenceStep } from "../config/types.ts";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../config/mod.ts";
import type { FileFacts, LintOptions, LintResult } from "./types.ts";
import type { LintContext } from "./_context.ts";
import { loadOtp, type OtpFile, otpReferences } from "./_otp.ts";
import { LINT_RULES } from "./registry.ts";
import { writtenSequence } from "./_steps.ts";
import { type NftFacts, type NftRequirement, nftRequirements } from "../nft/check.ts";

function comparePosition(a: Diagnostic, b: Diagnostic): number {
  const sa = a.span;
  const sb = b.span;
  // Findings about a whole file come before findings at a position in it.
  if (sa === undefined || sb === undefined) return (sa === undefined ? 0 : 1) - (sb === undefined ? 0 : 1);
  return sa.line - sb.line || sa.column - sb.column || sa.offset - sb.offset;
}

/**
 * Lints a knockd.conf: runs the parser (keeping its KT0xx diagnostics), then every lint rule, stamps
 * `options.file` on the findings about the config, and sorts them by position. Findings about a one-time
 * sequences file carry that file's path (as written in the config) and come after the config's own.
 *
 * Pure: other files are only seen through `options.readFile`, the config's permissions through
 * `options.mode`. Never throws.
 *
 * @param text The config text.
 * @param options Where the text came from and how to read the files it names.
 * @returns The sorted findings and their counts.
 *
 * @example
 * ```ts
 * import { lintConfig } from "./lint.ts";
 *
 * const result = lintConfig("[openSSH]\n  sequence = 7000,8000,9000\n  tcpflags = syn\n", { file: "knockd.conf" });
 * console.assert(result.errorCount === 0);
 * console.assert(result.diagnostics.some((d) => d.code === "KT208" && d.span?.line === 2));
 * ```
 */
export function lintConfig(text: string, options: LintOptions = {}): LintResult {
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  const files = new Map<string, FileFacts | undefined>();
  const otps = new Map<string, OtpFile | undefined>();
  const readFile = (path: string): FileFacts | undefined => {
    if (files.has(path)) return files.get(path);
    const reader = options.readFile;
    let facts: FileFacts | undefined;
    if (reader !== undefined) {
      try {
        facts = reader(path);
      } catch (e) {
        facts = { kind: "error", message: errorMessage(e) };
      }
    }
    files.set(path, facts);
    return facts;
  };
  const otpDoor = new Map<string, string>();
  for (const { door, path } of otpReferences(parsed.config.doors, { firstPerPath: true })) {
    otpDoor.set(path, door.name);
  }
  const otpFile = (path: string): OtpFile | undefined => {
    if (otps.has(path)) return otps.get(path);
    const facts = readFile(path);
    const otp = facts?.kind === "file" ? loadOtp(facts.text, otpDoor.get(path)) : undefined;
    otps.set(path, otp);
    return otp;
  };
  const sequenceOf = (door: Door): readonly SequenceStep[] => {
    if (door.sequenceSource !== "one_time_sequences" || door.oneTimeSequences === undefined) {
      return writtenSequence(door);
    }
    return otpFile(door.oneTimeSequences.value)?.current?.steps ?? door.sequence;
  };
  let nft: { requirements: readonly NftRequirement[]; facts: NftFacts } | undefined | null = null;
  const nftables = () => {
    if (nft !== null) return nft;
    const requirements = nftRequirements(parsed.config);
    const read = options.nftables;
    return nft = read === undefined || requirements.length === 0
      ? undefined
      : { requirements, facts: read(requirements) };
  };
  const ctx: LintContext = {
    text,
    config: parsed.config,
    options,
    parseDiagnostics: parsed.diagnostics,
    readFile,
    otpFile,
    sequenceOf,
    nftables,
  };

  const own: Diagnostic[] = [...parsed.diagnostics];
  const byFile = new Map<string, Diagnostic[]>();
  const add = (d: Diagnostic): void => {
    if (d.file === undefined) {
      own.push(options.file !== undefined ? { ...d, file: options.file } : d);
      return;
    }
    let list = byFile.get(d.file);
    if (list === undefined) byFile.set(d.file, list = []);
    list.push(d);
  };
  for (const rule of LINT_RULES) {
    let found: Diagnostic[];
    try {
      found = rule.check(ctx);
    } catch (e) {
      // A rule bug must not hide the other findings; report it instead of throwing.
      found = [{
        code: rule.info.code,
        severity: "warning",
        message: `Internal error in rule "${rule.info.name}": ${errorMessage(e)}`,
      }];
    }
    for (const d of found) add(d);
  }
  // Lines knockd skips in the one-time sequences files (the parser's KT011), once per file.
  for (const { path } of otpReferences(parsed.config.doors)) {
    if (byFile.get(path)?.some((x) => x.code === "KT011")) continue;
    for (const skipped of otpFile(path)?.diagnostics ?? []) add({ ...skipped, file: path });
  }

  own.sort(comparePosition);
  const diagnostics: Diagnostic[] = own.map((d) =>
    d.file === undefined && options.file !== undefined ? { ...d, file: options.file } : d
  );
  for (const list of byFile.values()) diagnostics.push(...list.sort(comparePosition));
  let errorCount = 0;
  for (const d of diagnostics) if (d.severity === "error") errorCount++;
  return { config: parsed.config, diagnostics, errorCount, warningCount: diagnostics.length - errorCount };
}
