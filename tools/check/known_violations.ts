/**
 * THE list of violations the hygiene checks tolerate today, because someone is fixing them. Each entry names
 * its rule, its file (or cycle) and what is wrong. An entry that no longer matches a violation fails the
 * checks too: remove it in the commit that fixes it, so that this list only shrinks.
 *
 * @module
 */
import type { KnownViolation } from "./types.ts";

/** The violations tolerated today. */
export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [
  // One concept per file (the lead splits serve; the engine and ffi helpers split theirs).
  { rule: "file-size", file: "ffi/pcap.ts", why: "477 lines: the handle, offline files and compile checks" },
  { rule: "file-size", file: "ffi/spawn.ts", why: "479 lines: posix_spawn, pipes and wait statuses" },

  // Cycles (the lint helper untangles config and lint; the core/flags.ts part is nobody's yet).

  // Docs that stand alone (the docs helper).

  // One error-message helper: files others are editing now (the lead replaces these after merging).
  { rule: "error-message", file: "cli/knock/command.ts", why: "2 inline error messages" },
  { rule: "error-message", file: "core/lint/lint.ts", why: "2 inline error messages" },
];
