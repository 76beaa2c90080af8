/**
 * `lint --fwknop-access FILE` (or a FILE named `access.conf`): fwknopd's access.conf, checked by the parser
 * `serve --fwknop-access` uses (core/fwknop/access.ts), so that what lint calls an error serve refuses.
 *
 * @module
 */
import { parseAccessConf } from "../../core/fwknop/mod.ts";
import type { Io } from "../runtime.ts";
import { readInput } from "./read.ts";
import type { FileReport } from "./report.ts";

/** Whether a FILE argument names an fwknop access.conf (by its name). */
export function isAccessConf(path: string): boolean {
  return /(^|\/)access\.conf$/.test(path);
}

/**
 * Reads and checks one access.conf.
 *
 * @param io The runtime.
 * @param path The file.
 * @param nft Whether it is served with `--fwknop-nft-set`/`-6` (stanzas without CMD_CYCLE_OPEN are fine).
 * @returns Its findings.
 */
export async function lintAccessFile(io: Io, path: string, nft = false): Promise<FileReport> {
  const input = await readInput(io, path);
  if (!input.ok) {
    io.stderr(`knocktool: ${path === "-" ? "<stdin>" : path}: ${input.error}\n`);
    return { path, diagnostics: [], ioError: input.error };
  }
  const diagnostics = [...parseAccessConf(input.text, path, { nft }).diagnostics].sort((a, b) =>
    (a.span?.offset ?? Infinity) - (b.span?.offset ?? Infinity)
  );
  return { path, text: input.text, diagnostics };
}
