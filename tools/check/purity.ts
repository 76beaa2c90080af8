/**
 * `core/` is pure: no runtime (`Deno`), no clock, no timer and no randomness of its own. Comments and string
 * literals do not count (a doc example may show the caller passing `Date.now()`); `new Date(ms)` formats a
 * time it was given and is fine, only `new Date()` reads the clock.
 *
 * @module
 */
import { lineAt, maskSource } from "./_source.ts";
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const CORE_PURITY = "core-purity";

/** The rule of the serve interpreter: every runtime call through its injected platform. */
export const SERVE_PLATFORM = "serve-platform";

/**
 * The files of `cli/serve/` that drive the daemon core: they reach the runtime, the clock and timers only
 * through the injected `ServePlatform` (cli/serve/platform.ts).
 */
export const SERVE_INTERPRETER_FILES: readonly string[] = [
  "cli/serve/interpreter.ts",
  "cli/serve/live.ts",
  "cli/serve/replay.ts",
  "cli/serve/settings.ts",
  "cli/serve/load.ts",
];

const FORBIDDEN: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /(?<![\w$.])Deno\b/g, what: "the Deno runtime (`Deno`)" },
  { pattern: /(?<![\w$.])Date\s*\.\s*now\b/g, what: "the clock (`Date.now`)" },
  { pattern: /(?<![\w$.])new\s+Date\s*(?:\(\s*\)|(?![\s(]))/g, what: "the clock (`new Date()`)" },
  { pattern: /(?<![\w$.])performance\s*\.\s*now\b/g, what: "the clock (`performance.now`)" },
  {
    pattern:
      /(?<![\w$.])(?:setTimeout|setInterval|clearTimeout|clearInterval|queueMicrotask|setImmediate)\b/g,
    what: "a timer",
  },
  { pattern: /(?<![\w$.])Math\s*\.\s*random\b/g, what: "randomness (`Math.random`; inject an Rng)" },
  { pattern: /(?<![\w$.])crypto\s*\.\s*(?:getRandomValues|randomUUID)\b/g, what: "randomness (`crypto`)" },
];

/**
 * Finds every use of the runtime, the clock, a timer or randomness in the TypeScript files under `core/`.
 *
 * @param files The repository's files (others are ignored).
 * @returns One violation per use.
 */
export function checkCorePurity(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!file.path.startsWith("core/") || !file.path.endsWith(".ts")) continue;
    const code = maskSource(file.text);
    for (const { pattern, what } of FORBIDDEN) {
      for (const match of code.matchAll(pattern)) {
        violations.push({
          rule: CORE_PURITY,
          file: file.path,
          line: lineAt(code, match.index),
          message: `core/ must be pure but uses ${what}: "${match[0].trim()}"`,
        });
      }
    }
  }
  return violations;
}

/**
 * Finds every direct use of the runtime, the clock or a timer in serve's interpreter files
 * ({@linkcode SERVE_INTERPRETER_FILES}): they must go through the platform.
 *
 * @param files The repository's files (others are ignored).
 * @returns One violation per use.
 */
export function checkServePlatform(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!SERVE_INTERPRETER_FILES.includes(file.path)) continue;
    const code = maskSource(file.text);
    for (const { pattern, what } of FORBIDDEN.slice(0, 5)) {
      for (const match of code.matchAll(pattern)) {
        violations.push({
          rule: SERVE_PLATFORM,
          file: file.path,
          line: lineAt(code, match.index),
          message: `serve's interpreter must use its platform but uses ${what}: "${match[0].trim()}"`,
        });
      }
    }
  }
  return violations;
}
