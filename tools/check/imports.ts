/**
 * The module graph of the repository, read from the import and re-export statements of its TypeScript files
 * (static `import`/`export ... from`, side-effect `import "x"`, dynamic `import("x")` with a literal
 * specifier; type-only imports included, since a type cycle is still a design cycle). Only relative
 * specifiers are followed; `npm:`, `node:`, `jsr:` and bare specifiers are outside the repository.
 *
 * @module
 */
import { lineAt, maskSource } from "./_source.ts";
import type { SourceFile } from "./types.ts";

/** One import of a module. */
export interface ImportEdge {
  /** The importing file, relative to the repository root. */
  readonly from: string;
  /** The imported file, relative to the repository root (resolved from a relative specifier). */
  readonly to: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** The 1-based line of the specifier. */
  readonly line: number;
}

// Over masked text: a literal's contents are blanks, so the quotes are found here and the specifier read from
// the original text at the same offsets.
const STATIC = /\b(?:import|export)\s[^;"'`()]*?\bfrom\s*(["'])\s*\1/g;
const SIDE_EFFECT = /(?<![\w$.])import\s*(["'])\s*\1/g;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'])\s*\1/g;

/**
 * The module specifiers a TypeScript file imports, with their lines.
 *
 * @param text The file's text.
 * @returns Each specifier and the line it is on, in order of appearance.
 */
export function parseImports(text: string): { specifier: string; line: number }[] {
  const masked = maskSource(text);
  const found: { specifier: string; line: number; index: number }[] = [];
  for (const pattern of [STATIC, SIDE_EFFECT, DYNAMIC]) {
    for (const match of masked.matchAll(pattern)) {
      const close = match.index + match[0].length - 1;
      const open = masked.lastIndexOf(match[1]!, close - 1);
      found.push({ specifier: text.slice(open + 1, close), line: lineAt(text, open), index: open });
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ specifier, line }) => ({ specifier, line }));
}

/**
 * Resolves a relative specifier against the importing file.
 *
 * @param from The importing file, relative to the repository root.
 * @param specifier The specifier.
 * @returns The imported file relative to the repository root (it may leave the root: `../x`), or
 *   `undefined` for a specifier that is not relative.
 */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split(/[?#]/, 1)[0]!.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0 || parts[parts.length - 1] === "..") parts.push("..");
      else parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

/**
 * Every relative import of every TypeScript file.
 *
 * @param files The repository's files (only `.ts` files are read).
 * @returns One edge per import, in file order.
 */
export function importEdges(files: readonly SourceFile[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    if (!file.path.endsWith(".ts")) continue;
    for (const { specifier, line } of parseImports(file.text)) {
      const to = resolveImport(file.path, specifier);
      if (to !== undefined) edges.push({ from: file.path, to, specifier, line });
    }
  }
  return edges;
}
