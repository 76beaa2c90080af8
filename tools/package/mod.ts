/**
 * `deno task package`: builds `dist/knocktool` (one executable, no Deno needed where it runs) and
 * `dist/knocktool_<version>_amd64.deb` (that executable, the systemd unit, man pages, completions).
 *
 *     deno task package                 # = deno run -A tools/package/mod.ts
 *     deno run -A tools/package/mod.ts --out DIR
 *
 * The executable: `deno compile` when `DENORT_BIN` names Deno's `denort`, else the launcher route (a C
 * launcher carrying the Deno runtime of this build and the bundle; `single_file.ts`, docs/packaging.md).
 * Needs `cc` (gcc, libc6-dev) for the launcher, `gzip` and `dpkg-deb`. The date of the man pages and the
 * package is `SOURCE_DATE_EPOCH`, else the last commit's.
 *
 * Exit status: 0 built, 1 a step failed (its message says which), 2 usage error.
 *
 * @module
 */
import { VERSION } from "../../cli/version.ts";
import { buildEpoch, manPages } from "../man/mod.ts";
import { buildDeb, COMPLETIONS, stagePackage } from "./deb.ts";
import { buildLauncher, chooseRoute, pack, type Route } from "./single_file.ts";

export {
  chooseRoute,
  decodeTrailer,
  encodeTrailer,
  layout,
  type PackLayout,
  type Route,
} from "./single_file.ts";
export { changelog, controlFile, packagedUnit } from "./deb.ts";

/** The repository root, with a trailing slash. */
const ROOT = new URL("../../", import.meta.url).pathname;

/** What a build wrote. */
export interface Built {
  /** The single executable. */
  readonly executable: string;
  /** The Debian package. */
  readonly deb: string;
  /** The route the executable was built by. */
  readonly route: Route["kind"];
}

class StepError extends Error {}

async function output(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new StepError(`${cmd} ${args.join(" ")} failed (exit ${out.code}):\n${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout);
}

async function singleFile(route: Route, work: string, executable: string): Promise<void> {
  if (route.kind === "compile") {
    await output(Deno.execPath(), ["compile", "-A", "--quiet", "--output", executable, "cli/main.ts"], {
      DENORT_BIN: route.denort,
    });
    return;
  }
  const bundle = `${work}/knocktool.js`;
  await output(Deno.execPath(), ["run", "-A", "tools/bundle.ts", bundle]);
  const launcher = `${work}/launcher`;
  const failed = await buildLauncher(route.cc, launcher);
  if (failed !== undefined) throw new StepError(failed);
  await pack(executable, { launcher, runtime: route.runtime, bundle });
}

/**
 * Builds the executable and the package into `out`.
 *
 * @param out The output directory (created).
 * @param log Where progress lines go.
 * @returns The paths written.
 */
export async function buildPackage(out: string, log: (line: string) => void = () => {}): Promise<Built> {
  await Deno.mkdir(out, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "knocktool-package-" });
  try {
    const route = chooseRoute((name) => Deno.env.get(name), Deno.execPath());
    const executable = `${out}/knocktool`;
    log(
      `building ${executable} (${route.kind === "compile" ? "deno compile, DENORT_BIN" : "launcher route"})`,
    );
    await singleFile(route, work, executable);
    const version = await output(executable, ["--version"]);
    if (version !== `knocktool ${VERSION}\n`) {
      throw new StepError(`${executable} --version printed ${JSON.stringify(version)}`);
    }
    const completions: Record<string, string> = {};
    for (const { shell } of COMPLETIONS) completions[shell] = await output(executable, ["completion", shell]);
    const epoch = await buildEpoch(ROOT);
    const date = new Date(epoch * 1000).toISOString().slice(0, 10);
    const stage = `${work}/stage`;
    await Deno.mkdir(stage);
    await stagePackage(stage, { root: ROOT, executable, manPages: manPages({ date }), completions, epoch });
    const deb = `${out}/knocktool_${VERSION}_amd64.deb`;
    log(`building ${deb}`);
    await buildDeb(stage, deb, epoch);
    return { executable, deb, route: route.kind };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function main(args: readonly string[]): Promise<number> {
  let out = `${ROOT}dist`;
  if (args.length === 2 && args[0] === "--out") out = args[1]!;
  else if (args.length !== 0) {
    Deno.stderr.writeSync(new TextEncoder().encode("usage: deno run -A tools/package/mod.ts [--out DIR]\n"));
    return 2;
  }
  const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
  try {
    const built = await buildPackage(out, say);
    say(`built ${built.executable} and ${built.deb}`);
    return 0;
  } catch (error) {
    if (!(error instanceof StepError) && !(error instanceof Error)) throw error;
    Deno.stderr.writeSync(new TextEncoder().encode(`tools/package: ${error.message}\n`));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
