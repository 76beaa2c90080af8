/**
 * Types of the lint engine: rules, their metadata, and the injected file facts.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Config } from "../config/types.ts";
import type { NftFacts, NftRequirement } from "../nft/check.ts";

/** What the caller found when it looked at a file the config refers to (or the config itself). */
export type FileFacts =
  | {
    readonly kind: "file";
    /** Decoded text (invalid UTF-8 replaced with U+FFFD by the caller). */
    readonly text: string;
    /** POSIX permission bits (`stat.mode & 0o7777`), when known. */
    readonly mode?: number;
  }
  | {
    readonly kind: "error";
    /** Why the file could not be read, e.g. `No such file or directory`. */
    readonly message: string;
  };

/** Static description of one rule (defined with the diagnostics, which the config parser shares). */
export type { RuleInfo } from "../diagnostic.ts";

/** Input of `lintConfig`. */
export interface LintOptions {
  /** Path of the config as given by the user (`-` for stdin); copied into every diagnostic. */
  readonly file?: string;
  /** Permission bits of the config file itself, when it is a file. */
  readonly mode?: number;
  /**
   * Looks up a file the config names (one-time sequences). Paths are passed
   * exactly as written in the config; the caller resolves relative ones.
   * When absent, rules that need file contents are skipped.
   */
  readonly readFile?: (path: string) => FileFacts;
  /**
   * `lint --check-firewall`: reads the kernel's nftables tables and sets for the sets the config's doors add
   * to (and tries each door's element command without committing it). Called at most once. When absent,
   * the firewall rules (KT301 to KT303) are skipped.
   */
  readonly nftables?: (requirements: readonly NftRequirement[]) => NftFacts;
}

/** Result of `lintConfig`: every finding, sorted by line then column. */
export interface LintResult {
  /** The parsed config (best effort when there are errors), with knocktool's own directives. */
  readonly config: Config;
  /** Every finding, parser's and rules' alike. */
  readonly diagnostics: readonly Diagnostic[];
  /** How many findings are errors. */
  readonly errorCount: number;
  /** How many findings are warnings. */
  readonly warningCount: number;
}
