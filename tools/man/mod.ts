/**
 * The man pages `knocktool(1)`, `knocktool-serve(8)` and `knocktool.conf(5)`, generated from the sources of
 * `--help` (the Optique parsers of `cli/`), the lint rule registry and the config extension registry. They
 * are not kept in the repository: `deno task package` builds them fresh into the Debian package, and
 *
 *     deno task man [DIR]        # = deno run -A tools/man/mod.ts dist/man
 *
 * writes them to a directory (read one with `man -l dist/man/knocktool.1`).
 *
 * The date of the pages is `SOURCE_DATE_EPOCH` when set, else the date of the last commit, so that the same
 * sources give the same bytes.
 *
 * @module
 */
import { VERSION } from "../../cli/version.ts";
import { confPage } from "./conf_5.ts";
import { fold } from "./roff.ts";
import { type PageOptions, programPage } from "./knocktool_1.ts";
import { servePage } from "./serve_8.ts";

export type { PageOptions } from "./knocktool_1.ts";

/** One generated page. */
export interface ManPage {
  /** The file name, e.g. `knocktool-serve.8`. */
  readonly file: string;
  /** The manual section. */
  readonly section: 1 | 5 | 8;
  /** The roff source. */
  readonly text: string;
}

/**
 * Every man page of knocktool.
 *
 * @param options The pages' date (`YYYY-MM-DD`) and version (default: the program's).
 * @returns The three pages.
 */
export function manPages(options: { readonly date: string; readonly version?: string }): ManPage[] {
  const page: PageOptions = { date: options.date, version: options.version ?? VERSION };
  return [
    { file: "knocktool.1", section: 1, text: fold(programPage(page)) },
    { file: "knocktool-serve.8", section: 8, text: fold(servePage(page)) },
    { file: "knocktool.conf.5", section: 5, text: fold(confPage(page)) },
  ];
}

/**
 * The date of a build: `SOURCE_DATE_EPOCH` (seconds) when set, else the last commit's date, else today.
 *
 * @param root The repository root.
 * @returns `YYYY-MM-DD` (UTC).
 */
export async function buildDate(root: string): Promise<string> {
  return new Date(await buildEpoch(root) * 1000).toISOString().slice(0, 10);
}

/**
 * The time of a build in seconds since the epoch: `SOURCE_DATE_EPOCH`, else the last commit's, else now.
 *
 * @param root The repository root.
 * @returns Seconds since 1970-01-01 UTC.
 */
export async function buildEpoch(root: string): Promise<number> {
  const fromEnv = Number.parseInt(Deno.env.get("SOURCE_DATE_EPOCH") ?? "", 10);
  if (Number.isFinite(fromEnv) && fromEnv >= 0) return fromEnv;
  try {
    const out = await new Deno.Command("git", {
      args: ["log", "-1", "--format=%ct"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    const seconds = Number.parseInt(new TextDecoder().decode(out.stdout).trim(), 10);
    if (out.success && Number.isFinite(seconds)) return seconds;
  } catch {
    // no git
  }
  return Math.floor(Date.now() / 1000);
}

async function main(args: readonly string[]): Promise<number> {
  if (args.length > 1 || args[0]?.startsWith("-")) {
    Deno.stderr.writeSync(new TextEncoder().encode("usage: deno run -A tools/man/mod.ts [DIR]\n"));
    return 2;
  }
  const dir = args[0] ?? "dist/man";
  await Deno.mkdir(dir, { recursive: true });
  const root = new URL("../../", import.meta.url).pathname;
  for (const page of manPages({ date: await buildDate(root) })) {
    await Deno.writeTextFile(`${dir}/${page.file}`, page.text);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
