/**
 * The shape of ffi/: thin bindings that import neither cli/ nor core/ (nor anything outside ffi/ but
 * node's and Deno's own modules), one libc symbol table, files under 450 lines, and ffi/mod.ts an explicit
 * list of exports.
 */
import assert from "node:assert/strict";

const dir = new URL("../../ffi/", import.meta.url);
const files = [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".ts")).map((e) => e.name)
  .sort();
const source = (name: string) => Deno.readTextFileSync(new URL(name, dir));

Deno.test("ffi/ imports only its own modules and node: built-ins", () => {
  const outside: string[] = [];
  let seen = 0;
  for (const name of files) {
    for (const [, specifier] of source(name).matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)) {
      seen++;
      if (!specifier!.startsWith("./") && !specifier!.startsWith("node:")) {
        outside.push(`${name}: ${specifier}`);
      }
      if (specifier!.startsWith("./") && specifier!.includes("/", 2)) outside.push(`${name}: ${specifier}`);
    }
    for (const [, specifier] of source(name).matchAll(/import\(\s*"([^"]+)"/g)) {
      outside.push(`${name}: dynamic ${specifier}`);
    }
  }
  assert.deepEqual(outside, []);
  assert.ok(seen > 40, `only ${seen} imports found: the pattern no longer matches them`);
});

Deno.test("libc.so.6 is opened in one place, with one symbol table", () => {
  const opening = files.filter((name) => /Deno\.dlopen\(\s*"libc\.so\.6"/.test(source(name)));
  assert.deepEqual(opening, ["_libc_symbols.ts"]);
  assert.deepEqual(files.filter((name) => /Deno\.dlopen\(/.test(source(name))), [
    "_libc_symbols.ts",
    "_nftables_symbols.ts",
    "_pcap_symbols.ts",
  ]);
});

Deno.test("every file of ffi/ is under 450 lines", () => {
  const long = files.map((name) => [name, source(name).split("\n").length] as const).filter(([, n]) =>
    n > 450
  );
  assert.deepEqual(long, []);
});

Deno.test("ffi/mod.ts names what it exports (no export *)", () => {
  assert.doesNotMatch(source("mod.ts"), /export\s*\*/);
});
