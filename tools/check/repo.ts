/**
 * The I/O around the pure checks: reading the repository's files, and running `deno doc --lint`.
 *
 * @module
 */
import { DOC_ENTRY_POINTS, parseDocLint } from "./doc_lint.ts";
import type { SourceFile, Violation } from "./types.ts";

/** Folders never read: git's own, and what `.gitignore` keeps out (build output, coverage, npm packages). */
const SKIPPED = new Set([".git", "dist", "coverage", "node_modules"]);

/** Files larger than this are not read (none of the rules is about data files that big). */
const MAX_BYTES = 4 << 20;

/** The repository root this module belongs to, with a trailing slash. */
export const REPOSITORY_ROOT: string = new URL("../../", import.meta.url).pathname;

/**
 * Reads every file of the repository (as UTF-8, invalid bytes replaced), skipping the folders of
 * {@linkcode SKIPPED}.
 *
 * @param root The repository root, with a trailing slash (default: this checkout).
 * @returns The files, sorted by path.
 */
export async function readRepository(root: string = REPOSITORY_ROOT): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const decoder = new TextDecoder();
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${root}${dir}`)) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) {
        if (!SKIPPED.has(entry.name)) await walk(`${path}/`);
      } else if (entry.isFile) {
        const { size } = await Deno.stat(`${root}${path}`);
        if (size <= MAX_BYTES) {
          files.push({ path, text: decoder.decode(await Deno.readFile(`${root}${path}`)) });
        }
      }
    }
  };
  await walk("");
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Runs `deno doc --lint` over the public entry points.
 *
 * @param root The repository root, with a trailing slash (default: this checkout).
 * @returns One violation per documentation problem.
 */
export async function runDocLint(root: string = REPOSITORY_ROOT): Promise<Violation[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...DOC_ENTRY_POINTS],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return parseDocLint(decoder.decode(out.stdout) + decoder.decode(out.stderr), out.code, root);
}
