/**
 * `knocktool lint`: the argument parser and the command that reads configs,
 * runs the lint engine and prints its findings.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import { argument, command, constant, flag, option } from "@optique/core/primitives";
import { choice, string } from "@optique/core/valueparser";
import type { LintOptions, LintResult, RuleInfo } from "../../core/lint/types.ts";
import type { NftFacts, NftRequirement } from "../../core/nft/mod.ts";
import { processNftables, readNftFacts } from "../nftables.ts";
import { useColor } from "../colors.ts";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME } from "../version.ts";
import { formatHuman } from "./human.ts";
import { formatJson } from "./json.ts";
import { fileFactsReader, readInput } from "./read.ts";
import { countReport, type FileReport } from "./report.ts";
import { isAccessConf, lintAccessFile } from "./fwknop.ts";
import { parseNftSetValue } from "../../core/config/nft.ts";
import { formatSarif } from "./sarif.ts";

/** The output formats of `lint`. */
export const FORMATS = ["human", "json", "sarif"] as const;

/** The parser of `knocktool lint ...`. */
export const lintCommand = command(
  "lint",
  object({
    command: constant("lint"),
    format: withDefault(
      option("-f", "--format", choice(FORMATS, { metavar: "FORMAT" }), {
        description: message`Output format: ${"human"} (default), ${"json"} or ${"sarif"} (SARIF 2.1.0).`,
      }),
      "human",
    ),
    strict: withDefault(
      flag("--strict", { description: message`Exit with status 1 on warnings too, not only on errors.` }),
      false,
    ),
    checkFirewall: withDefault(
      flag("--check-firewall", {
        description:
          message`Check that the nftables sets the doors name exist as they need them (needs CAP_NET_ADMIN).`,
      }),
      false,
    ),
    explain: optional(
      option("--explain", string({ metavar: "CODE" }), {
        description: message`Print the long explanation of rule CODE, e.g. KT001, and exit.`,
      }),
    ),
    fwknopAccess: multiple(
      option("--fwknop-access", string({ metavar: "FILE" }), {
        description: message`fwknopd access.conf files to check (a FILE named ${"access.conf"} is one too).`,
      }),
    ),
    fwknopNftSet: optional(
      option("--fwknop-nft-set", string({ metavar: "'FAMILY TABLE SET'" }), {
        description:
          message`The access files are served with this option: stanzas without CMD_CYCLE_OPEN open in nftables.`,
      }),
    ),
    fwknopNftSet6: optional(
      option("--fwknop-nft-set-6", string({ metavar: "'FAMILY TABLE SET'" }), {
        description: message`The same for serve's --fwknop-nft-set-6.`,
      }),
    ),
    files: multiple(
      argument(string({ metavar: "FILE" }), {
        description: message`knockd.conf files to check; ${"-"} reads standard input.`,
      }),
    ),
  }),
  {
    brief: message`Check knockd.conf files for mistakes.`,
    description:
      message`Check knockd.conf files for what knockd rejects, doors that cannot work, and risky settings.`,
    footer:
      message`Exit status: 0 no errors (warnings allowed), 1 errors found (or warnings with --strict), 2 usage or I/O error.`,
  },
);

/** The parsed arguments of `lint`. */
export interface LintArgs {
  readonly format: typeof FORMATS[number];
  readonly strict: boolean;
  /** `--check-firewall`: read the kernel's nftables sets (KT301 to KT303). */
  readonly checkFirewall?: boolean;
  readonly explain?: string | undefined;
  /** `--fwknop-access`: fwknopd access.conf files. */
  readonly fwknopAccess?: readonly string[];
  /** `--fwknop-nft-set`: as serve's; stanzas without CMD_CYCLE_OPEN are then no error (KT164). */
  readonly fwknopNftSet?: string | undefined;
  /** `--fwknop-nft-set-6`: the same. */
  readonly fwknopNftSet6?: string | undefined;
  readonly files: readonly string[];
}

/** The lint engine `lint` calls (`core/lint/mod.ts`), passed in so the command stays thin. */
export interface LintEngine {
  readonly lintConfig: (text: string, options?: LintOptions) => LintResult;
  readonly rules: readonly RuleInfo[];
  readonly explainRule: (code: string) => RuleInfo | undefined;
}

/** Formats a rule's explanation for `--explain`. */
export function formatExplanation(rule: RuleInfo): string {
  return `${rule.code} ${rule.name} (${rule.severity})\n\n${rule.summary}\n\n${rule.explanation.trim()}\n`;
}

function explain(code: string, io: Io, engine: LintEngine): number {
  const rule = engine.explainRule(code.trim().toUpperCase());
  if (rule === undefined) {
    const known = engine.rules.map((r) => r.code).join(", ");
    io.stderr(`${PROGRAM_NAME} lint: Unknown rule code "${code}"; known codes: ${known}\n`);
    return 2;
  }
  io.stdout(formatExplanation(rule));
  return 0;
}

/** Reads the kernel's nftables facts for `--check-firewall` (libnftables by default; a fake in tests). */
export type FirewallReader = (requirements: readonly NftRequirement[]) => NftFacts;

/** The real reader: the process's libnftables context. */
const readFirewall: FirewallReader = (requirements) => readNftFacts(processNftables, requirements);

/** Runs `knocktool lint` and returns its exit status (0 clean, 1 findings, 2 usage or I/O error). */
export async function runLint(
  args: LintArgs,
  io: Io,
  engine: LintEngine,
  firewall: FirewallReader = readFirewall,
): Promise<number> {
  if (args.explain !== undefined) {
    if (args.files.length > 0) {
      io.stderr(`${PROGRAM_NAME} lint: --explain cannot be combined with FILE arguments\n`);
      return 2;
    }
    return explain(args.explain, io, engine);
  }
  const accessFiles = [...(args.fwknopAccess ?? []), ...args.files.filter(isAccessConf)];
  const configFiles = args.files.filter((f) => !isAccessConf(f));
  if (configFiles.length === 0 && accessFiles.length === 0) {
    io.stderr(
      `Usage: ${PROGRAM_NAME} lint [--format FORMAT] [--strict] [--check-firewall] [--fwknop-access FILE] FILE...\n` +
        `Error: Expected at least one FILE (use ${"-"} for standard input), or --explain CODE.\n`,
    );
    return 2;
  }
  if (args.files.filter((f) => f === "-").length > 1) {
    io.stderr(`${PROGRAM_NAME} lint: Standard input ("-") can be read only once\n`);
    return 2;
  }

  for (
    const [value, family, option] of [[args.fwknopNftSet, 4, "--fwknop-nft-set"], [
      args.fwknopNftSet6,
      6,
      "--fwknop-nft-set-6",
    ]] as const
  ) {
    if (value === undefined) continue;
    const parsed = parseNftSetValue(value.trim(), family, option);
    if (!parsed.ok) {
      io.stderr(`${PROGRAM_NAME} lint: ${option}: ${parsed.message}\n`);
      return 2;
    }
  }
  const nft = args.fwknopNftSet !== undefined || args.fwknopNftSet6 !== undefined;
  const files: FileReport[] = [];
  for (const path of configFiles) {
    const input = await readInput(io, path);
    if (!input.ok) {
      io.stderr(`${PROGRAM_NAME}: ${path === "-" ? "<stdin>" : path}: ${input.error}\n`);
      files.push({ path, diagnostics: [], ioError: input.error });
      continue;
    }
    // Keep the texts of the files the config names, to show their lines in the report.
    const sources = new Map<string, string>();
    const readFile = fileFactsReader(io, sources);
    const options: LintOptions = {
      file: path,
      readFile,
      ...(input.mode === undefined ? {} : { mode: input.mode }),
      ...(args.checkFirewall === true ? { nftables: firewall } : {}),
    };
    const result = engine.lintConfig(input.text, options);
    files.push({ path, text: input.text, sources, diagnostics: result.diagnostics });
  }

  for (const path of accessFiles) files.push(await lintAccessFile(io, path, nft));
  const report = { files };
  switch (args.format) {
    case "human":
      io.stdout(formatHuman(report, { color: useColor(io.stdoutIsTerminal, io.env) }));
      break;
    case "json":
      io.stdout(formatJson(report));
      break;
    case "sarif":
      io.stdout(formatSarif(report, { rules: engine.rules, cwd: io.cwd() }));
      break;
  }
  const counts = countReport(report);
  if (counts.unreadable > 0) return 2;
  if (counts.errors > 0 || (args.strict && counts.warnings > 0)) return 1;
  return 0;
}
