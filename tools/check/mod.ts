/**
 * The project's rules, enforced: small checks over the repository's files, each pure (files in, violations
 * out) and each proven able to fail by its tests in `tests/tools/check/`. `tests/hygiene_test.ts` runs them
 * all on this checkout; `deno task check:hygiene` runs that test alone.
 *
 * | rule | what |
 * | --- | --- |
 * | `core-purity` | no `Deno`, clock, timer or randomness in `core/` ({@linkcode checkCorePurity}) |
 * | `serve-platform` | serve's interpreter files reach the runtime only through their platform ({@linkcode checkServePlatform}) |
 * | `layers` | `core/` imports neither `cli/` nor `ffi/`; `ffi/` neither `cli/` nor `core/`; nothing outside `tests/` imports `tests/` ({@linkcode checkLayers}) |
 * | `module-cycle`, `folder-cycle` | no import cycle between modules, nor between the parts of `core/` ({@linkcode checkCycles}) |
 * | `doc-lint` | `deno doc --lint mod.ts ffi/mod.ts` is clean ({@linkcode parseDocLint}, {@linkcode runDocLint}) |
 * | `file-size` | no source file over 450 lines outside `tests/` and `bench/` ({@linkcode checkFileSize}) |
 * | `shared-paths` | no path into the development machine's `shared` folder ({@linkcode checkSharedPaths}) |
 * | `test-skip` | no test that returns early instead of using `ignore:` ({@linkcode checkTestSkips}) |
 * | `error-message` | error messages through `errorMessage()` ({@linkcode checkErrorMessages}) |
 *
 * What is known to be broken today is in {@linkcode KNOWN_VIOLATIONS}, one list; an entry that no longer
 * matches fails the checks, so the list can only shrink.
 *
 * @module
 */
import { checkCycles, FOLDER_CYCLE, MODULE_CYCLE } from "./cycles.ts";
import { checkErrorMessages, ERROR_MESSAGE } from "./error_message.ts";
import { checkFileSize, FILE_SIZE } from "./file_size.ts";
import { checkLayers, LAYERS } from "./layers.ts";
import { checkCorePurity, checkServePlatform, CORE_PURITY, SERVE_PLATFORM } from "./purity.ts";
import { checkSharedPaths, SHARED_PATHS } from "./shared_paths.ts";
import { checkTestSkips, TEST_SKIP } from "./test_skips.ts";
import type { SourceFile, Violation } from "./types.ts";

export {
  checkCorePurity,
  checkServePlatform,
  CORE_PURITY,
  SERVE_INTERPRETER_FILES,
  SERVE_PLATFORM,
} from "./purity.ts";
export { checkLayers, LAYERS } from "./layers.ts";
export { checkCycles, findCycles, FOLDER_CYCLE, MODULE_CYCLE } from "./cycles.ts";
export { DOC_ENTRY_POINTS, DOC_LINT, parseDocLint } from "./doc_lint.ts";
export { checkFileSize, countLines, FILE_SIZE, MAX_LINES } from "./file_size.ts";
export { checkSharedPaths, SHARED_PATHS, SHARED_PREFIX } from "./shared_paths.ts";
export { checkTestSkips, TEST_SKIP } from "./test_skips.ts";
export { checkErrorMessages, ERROR_MESSAGE, HELPER } from "./error_message.ts";
export { type ImportEdge, importEdges, parseImports, resolveImport } from "./imports.ts";
export { compareWithKnown, type Comparison } from "./known.ts";
export { KNOWN_VIOLATIONS } from "./known_violations.ts";
export { readRepository, REPOSITORY_ROOT, runDocLint } from "./repo.ts";
export { formatViolation, type KnownViolation, type SourceFile, type Violation } from "./types.ts";

/** A pure check: the repository's files in, violations out. */
export type Check = (files: readonly SourceFile[]) => Violation[];

/** Every pure check, by the rules it reports (the doc lint runs a command and is apart). */
export const CHECKS: ReadonlyArray<{ readonly rules: readonly string[]; readonly check: Check }> = [
  { rules: [CORE_PURITY], check: checkCorePurity },
  { rules: [SERVE_PLATFORM], check: checkServePlatform },
  { rules: [LAYERS], check: checkLayers },
  { rules: [MODULE_CYCLE, FOLDER_CYCLE], check: checkCycles },
  { rules: [FILE_SIZE], check: (files) => checkFileSize(files) },
  { rules: [SHARED_PATHS], check: checkSharedPaths },
  { rules: [TEST_SKIP], check: checkTestSkips },
  { rules: [ERROR_MESSAGE], check: checkErrorMessages },
];
