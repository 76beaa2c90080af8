/**
 * `dist/knocktool`, one executable file that runs on Linux x86-64 without Deno installed. Two routes:
 *
 * - **compile**: when `DENORT_BIN` names Deno's `denort` runtime, `deno compile` (the runtime with the
 *   program embedded, Deno's own format).
 * - **launcher** (otherwise: `deno compile` would download denort, which is not on the npm registry): the
 *   small C program `launcher.c`, then the Deno runtime this build runs on (the `deno` of the npm package
 *   `@deno/linux-x64-glibc`, or `KNOCKTOOL_DENO_RUNTIME`), the bundle of `tools/bundle.ts`, and a trailer
 *   saying where each lies. Run, the launcher copies the runtime and the bundle into sealed memory files and
 *   executes the runtime on the bundle (see launcher.c): nothing is extracted to disk.
 *
 * The trailer's layout is shared with launcher.c: {@linkcode encodeTrailer}, {@linkcode decodeTrailer}.
 *
 * @module
 */

/** The trailer's first 16 bytes. */
export const TRAILER_MAGIC = "KNOCKTOOL-PACK-1";
/** The trailer's last 8 bytes. */
export const TRAILER_END = "KNOCKEND";
/** The trailer's size. */
export const TRAILER_SIZE = 64;
/** The runtime starts on a page boundary. */
const ALIGN = 4096;

/** Where the runtime and the bundle lie in the file. */
export interface PackLayout {
  readonly runtimeOffset: number;
  readonly runtimeSize: number;
  readonly bundleOffset: number;
  readonly bundleSize: number;
}

/** The route the build takes. */
export type Route =
  | { readonly kind: "compile"; readonly denort: string }
  | { readonly kind: "launcher"; readonly runtime: string; readonly cc: string };

/**
 * Chooses the route: `deno compile` when `DENORT_BIN` is set, else the launcher with the runtime
 * `KNOCKTOOL_DENO_RUNTIME` or the Deno that runs the build, compiled by `CC` (default `cc`).
 *
 * @param env Reads an environment variable.
 * @param execPath The running Deno's executable.
 * @returns The route.
 */
export function chooseRoute(env: (name: string) => string | undefined, execPath: string): Route {
  const denort = env("DENORT_BIN");
  if (denort !== undefined && denort !== "") return { kind: "compile", denort };
  const runtime = env("KNOCKTOOL_DENO_RUNTIME");
  const cc = env("CC");
  return {
    kind: "launcher",
    runtime: runtime !== undefined && runtime !== "" ? runtime : execPath,
    cc: cc !== undefined && cc !== "" ? cc : "cc",
  };
}

function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

/**
 * Where the parts go after a launcher of `launcherSize` bytes: the runtime on the next page boundary, the
 * bundle right after it.
 *
 * @param launcherSize The launcher's size in bytes.
 * @param runtimeSize The runtime's size.
 * @param bundleSize The bundle's size.
 * @returns The layout.
 */
export function layout(launcherSize: number, runtimeSize: number, bundleSize: number): PackLayout {
  const runtimeOffset = Math.ceil(launcherSize / ALIGN) * ALIGN;
  return { runtimeOffset, runtimeSize, bundleOffset: runtimeOffset + runtimeSize, bundleSize };
}

/**
 * The 64-byte trailer of a layout (little-endian; launcher.c reads it).
 *
 * @param at The layout.
 * @returns The trailer.
 */
export function encodeTrailer(at: PackLayout): Uint8Array {
  const out = new Uint8Array(TRAILER_SIZE);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(TRAILER_MAGIC), 0);
  view.setBigUint64(16, BigInt(at.runtimeOffset), true);
  view.setBigUint64(24, BigInt(at.runtimeSize), true);
  view.setBigUint64(32, BigInt(at.bundleOffset), true);
  view.setBigUint64(40, BigInt(at.bundleSize), true);
  view.setBigUint64(48, fnv1a64(out.subarray(0, 48)), true);
  out.set(new TextEncoder().encode(TRAILER_END), 56);
  return out;
}

/**
 * Reads the trailer at the end of a packed file, as the launcher does.
 *
 * @param tail The file's last {@linkcode TRAILER_SIZE} bytes (or more: the last 64 are read).
 * @param fileSize The file's size.
 * @returns The layout, or `undefined` when there is no valid trailer or it points outside the file.
 */
export function decodeTrailer(tail: Uint8Array, fileSize: number): PackLayout | undefined {
  if (tail.length < TRAILER_SIZE || fileSize < TRAILER_SIZE) return undefined;
  const t = tail.subarray(tail.length - TRAILER_SIZE);
  const view = new DataView(t.buffer, t.byteOffset, TRAILER_SIZE);
  const text = new TextDecoder();
  if (text.decode(t.subarray(0, 16)) !== TRAILER_MAGIC || text.decode(t.subarray(56)) !== TRAILER_END) {
    return undefined;
  }
  if (view.getBigUint64(48, true) !== fnv1a64(t.subarray(0, 48))) return undefined;
  const n = (at: number) => Number(view.getBigUint64(at, true));
  const found = { runtimeOffset: n(16), runtimeSize: n(24), bundleOffset: n(32), bundleSize: n(40) };
  const end = fileSize - TRAILER_SIZE;
  const inside = (offset: number, size: number) => size > 0 && offset <= end && size <= end - offset;
  if (!inside(found.runtimeOffset, found.runtimeSize) || !inside(found.bundleOffset, found.bundleSize)) {
    return undefined;
  }
  return found;
}

/**
 * Writes launcher, runtime, bundle and trailer into one executable file.
 *
 * @param output The file to write (mode 0755).
 * @param parts The three files to put in it.
 * @returns The layout written.
 */
export async function pack(
  output: string,
  parts: { readonly launcher: string; readonly runtime: string; readonly bundle: string },
): Promise<PackLayout> {
  const [launcher, runtime, bundle] = await Promise.all(
    [parts.launcher, parts.runtime, parts.bundle].map((p) => Deno.readFile(p)),
  );
  const at = layout(launcher!.length, runtime!.length, bundle!.length);
  const file = await Deno.open(output, { write: true, create: true, truncate: true, mode: 0o755 });
  try {
    for (
      const chunk of [
        launcher!,
        new Uint8Array(at.runtimeOffset - launcher!.length),
        runtime!,
        bundle!,
        encodeTrailer(at),
      ]
    ) {
      let rest = chunk;
      while (rest.length > 0) rest = rest.subarray(await file.write(rest));
    }
  } finally {
    file.close();
  }
  await Deno.chmod(output, 0o755);
  return at;
}

/** The C compiler's flags: warnings are errors, hardened (PIE, full RELRO, fortify), stripped. */
export const CFLAGS: readonly string[] = [
  "-std=c11",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-D_FORTIFY_SOURCE=2",
  "-fstack-protector-strong",
  "-fPIE",
  "-pie",
  "-Wl,-z,relro,-z,now",
  "-s",
];

/**
 * Compiles launcher.c.
 *
 * @param cc The C compiler.
 * @param output The executable to write.
 * @returns `undefined`, or why it failed.
 */
export async function buildLauncher(cc: string, output: string): Promise<string | undefined> {
  const source = new URL("./launcher.c", import.meta.url).pathname;
  try {
    const out = await new Deno.Command(cc, {
      args: [...CFLAGS, "-o", output, source],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) return undefined;
    return `${cc} failed:\n${new TextDecoder().decode(out.stderr)}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return `no C compiler "${cc}": install gcc and libc6-dev (apt-get install gcc libc6-dev), ` +
        `or set DENORT_BIN for deno compile`;
    }
    throw error;
  }
}
