/**
 * Builds `dist/knocktool.js`, the single-file CLI, with no trace of the machine that built it:
 *
 *     deno task bundle            # = deno run -A tools/bundle.ts dist/knocktool.js
 *
 * `deno bundle` marks where each module starts with a comment naming its path relative to the
 * working directory, so npm packages appear as `// ../../root/.cache/deno/npm/registry.npmjs.org/...`
 * (the build user's home and Deno cache). This script runs `deno bundle` from the repository root,
 * rewrites those markers to the package's own name (`// npm:@optique/core@1.3.6/dist/usage.js`), and
 * refuses to write a bundle in which a path of the build machine (the repository, `DENO_DIR`, the
 * home directory, a `../` path) is left. The same sources and lock file give the same bytes wherever
 * they are built.
 *
 * Exit status: 0 written, 1 `deno bundle` failed or a build path is left, 2 usage error.
 *
 * @module
 */

/** The repository root, with a trailing slash. */
const ROOT = new URL("../", import.meta.url).pathname;

/** `.../npm/<registry>/<name>/<version>/<file>` in a Deno cache, `<name>` possibly `@scope/name`. */
const NPM_CACHE = /(?:^|\/)npm\/[^/]+\/((?:@[^/]+\/)?[^/@][^/]*)\/([^/]+)\/(.+)$/;

/** Result of {@linkcode scrubBuildPaths}. */
export interface Scrubbed {
  /** The bundle with npm module markers rewritten. */
  readonly text: string;
  /** Module markers (and other comment lines) still naming a path outside the repository. */
  readonly leftovers: readonly string[];
}

/**
 * Rewrites `deno bundle`'s module markers (and the keys of lazily evaluated modules, those reached only through
 * `import()`) that point into the Deno cache to `npm:<name>@<version>/<file>` and reports every such line that
 * still names a path outside the repository.
 *
 * @param text The bundle.
 * @param machinePaths Absolute paths that must not appear (repository root, `DENO_DIR`, home).
 */
export function scrubBuildPaths(text: string, machinePaths: readonly string[] = []): Scrubbed {
  const leftovers: string[] = [];
  const out = text.split("\n").map((line) => {
    // A module reached only through `import()` is wrapped in a lazy initializer keyed by its path:
    // `var init_x = __esm({ "<path>"() { ... } })`. The key is only a name: rewrite it like a marker.
    const lazy = /^(\s*)"([^"\s]+)"\(\) \{$/.exec(line);
    if (lazy !== null) {
      const path = lazy[2]!;
      const npm = NPM_CACHE.exec(path);
      if (npm !== null && (path.startsWith("../") || path.startsWith("/"))) {
        return `${lazy[1]}"npm:${npm[1]}@${npm[2]}/${npm[3]}"() {`;
      }
      if (path.startsWith("../") || path.startsWith("/")) leftovers.push(line);
      return line;
    }
    const marker = /^\/\/ (\S+)$/.exec(line);
    if (marker !== null) {
      const path = marker[1]!;
      const npm = NPM_CACHE.exec(path);
      if (npm !== null && (path.startsWith("../") || path.startsWith("/"))) {
        return `// npm:${npm[1]}@${npm[2]}/${npm[3]}`;
      }
      if (path.startsWith("../") || path.startsWith("/")) leftovers.push(line);
    }
    return line;
  });
  const scrubbed = out.join("\n");
  for (const path of machinePaths) {
    const bare = path.replace(/\/+$/, "");
    if (bare.length < 2) continue;
    for (const line of scrubbed.split("\n")) {
      if (line.includes(bare) && !leftovers.includes(line)) leftovers.push(line);
    }
  }
  return { text: scrubbed, leftovers };
}

async function denoDir(): Promise<string | undefined> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    cwd: ROOT,
    stdout: "piped",
  })
    .output();
  try {
    return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
  } catch {
    return undefined;
  }
}

function fail(message: string, code: number): never {
  Deno.stderr.writeSync(new TextEncoder().encode(`tools/bundle.ts: ${message}\n`));
  Deno.exit(code);
}

async function main(args: string[]): Promise<void> {
  if (args.length !== 1 || args[0]!.startsWith("-")) fail("usage: deno run -A tools/bundle.ts OUTPUT.js", 2);
  const output = args[0]!.startsWith("/") ? args[0]! : `${Deno.cwd()}/${args[0]}`;
  const raw = `${output}.raw-${Deno.pid}`;
  try {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "-o", raw, "cli/main.ts"],
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!built.success) fail(`deno bundle failed (exit ${built.code})`, 1);
    const home = Deno.env.get("HOME");
    const machine = [
      ROOT,
      ...[await denoDir(), home].filter((p): p is string => p !== undefined && p !== "/"),
    ];
    const { text, leftovers } = scrubBuildPaths(await Deno.readTextFile(raw), machine);
    if (leftovers.length > 0) {
      fail(`build-machine paths left in the bundle:\n  ${leftovers.slice(0, 10).join("\n  ")}`, 1);
    }
    await Deno.writeTextFile(output, text);
  } finally {
    await Deno.remove(raw).catch(() => {});
  }
}

if (import.meta.main) await main(Deno.args);
