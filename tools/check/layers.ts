/**
 * The layers: `core/` (the pure domain) imports neither `cli/` nor `ffi/`; `ffi/` (thin bindings) imports
 * neither `cli/` nor `core/`; nothing outside `tests/` imports from `tests/` (a test harness is private to the
 * tests; what others need too lives in `tools/`); and no import leaves the repository.
 *
 * @module
 */
import { importEdges } from "./imports.ts";
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name. */
export const LAYERS = "layers";

/** For each layer, the top-level folders it must not import. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  core: ["cli", "ffi", "tests", "tools", "bench"],
  ffi: ["cli", "core", "tests", "tools", "bench"],
  cli: ["tests", "tools", "bench"],
  tools: ["tests", "bench"],
  bench: ["tests"],
  "mod.ts": ["cli", "ffi", "tests", "tools", "bench"],
};

function topFolder(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

/**
 * Finds every import that crosses a layer the wrong way, or leaves the repository.
 *
 * @param files The repository's files.
 * @returns One violation per offending import.
 */
export function checkLayers(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const edge of importEdges(files)) {
    const from = topFolder(edge.from);
    const to = topFolder(edge.to);
    if (to === "..") {
      violations.push({
        rule: LAYERS,
        file: edge.from,
        line: edge.line,
        message: `imports "${edge.specifier}", outside the repository`,
      });
    } else if (FORBIDDEN[from]?.includes(to)) {
      violations.push({
        rule: LAYERS,
        file: edge.from,
        line: edge.line,
        message: `${from}${
          from.endsWith(".ts") ? "" : "/"
        } must not import ${to}/, but imports "${edge.specifier}"`,
      });
    }
  }
  return violations;
}
