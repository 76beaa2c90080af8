/**
 * The fwknop door's loader (`serve --fwknop-access FILE`): reads fwknopd's access.conf, refuses it on any
 * error `knocktool lint --fwknop-access` reports (at start and on reload, when the old config stays), and
 * builds the door with its replay cache read from the state file (`--fwknop-digest-file`, default
 * `<state dir>/fwknop-digests`; a missing file is an empty cache). With `--fwknop-nft-set`/`-6`, stanzas
 * without CMD_CYCLE_OPEN open in nftables, and the sets are checked in the kernel first (./fwknop_nft.ts).
 *
 * @module
 */
import {
  FWKNOP_MAX_AGE,
  FWKNOP_PORT,
  FwknopDoor,
  parseAccessConf,
  parseFwknopdConf,
  ReplayCache,
} from "../../core/fwknop/mod.ts";
import { osReason } from "../runtime.ts";
import { DEFAULT_STATE_DIR } from "./journal.ts";
import { fwknopNftErrors, fwknopNftOptions } from "./fwknop_nft.ts";
import type { Config } from "../../core/config/types.ts";
import type { DatagramDoor } from "../../core/serve/mod.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";

/** What the loader found (a `DatagramLoad` of ./load.ts, which lists this loader). */
export interface FwknopLoad {
  readonly doors: readonly DatagramDoor[];
  readonly errors: readonly string[];
}

/**
 * The replay caches of the doors a platform runs, by state file: a reload keeps what the running door
 * learnt (refused authenticated packets are cached in memory only, until the next opening writes the file).
 */
const running = new WeakMap<ServePlatform, Map<string, ReplayCache>>();

/** The replay cache's file name in the state directory. */
export const FWKNOP_DIGEST_FILE = "fwknop-digests";

/**
 * The `file:line:col: error[KTxxx]: message` lines of an access.conf's errors.
 *
 * @param text The file's text.
 * @param path Its path.
 * @param nft Whether stanzas without CMD_CYCLE_OPEN open in nftables (`--fwknop-nft-set`).
 * @returns The lines.
 */
export function accessErrorLines(text: string, path: string, nft = false): string[] {
  return parseAccessConf(text, path, { nft }).diagnostics.filter((d) => d.severity === "error").map((d) =>
    `${d.file ?? path}${
      d.span === undefined ? "" : `:${d.span.line}:${d.span.column}`
    }: error[${d.code}]: ${d.message}`
  );
}

/** Builds the fwknop door when `--fwknop-access` is given. */
export function loadFwknopDoor(
  _config: Config,
  settings: ServeSettings,
  platform: ServePlatform,
): FwknopLoad {
  const path = settings.fwknopAccess;
  if (path === undefined) {
    const stray = settings.fwknopNftSet !== undefined
      ? "--fwknop-nft-set"
      : settings.fwknopNftSet6 !== undefined
      ? "--fwknop-nft-set-6"
      : settings.fwknopNftPerPort === true
      ? "--fwknop-nft-per-port"
      : undefined;
    return {
      doors: [],
      errors: stray === undefined ? [] : [`${stray}: error: it goes with --fwknop-access`],
    };
  }
  let text: string;
  try {
    text = platform.readText(path);
  } catch (error) {
    return { doors: [], errors: [`${path}: error: cannot read fwknop access file: ${osReason(error)}`] };
  }
  const nft = fwknopNftOptions(settings);
  if (!nft.ok) return { doors: [], errors: nft.errors };
  const conf = parseAccessConf(text, path, { nft: nft.nft !== undefined });
  const errors = accessErrorLines(text, path, nft.nft !== undefined);
  if (errors.length > 0) return { doors: [], errors };
  if (nft.nft !== undefined && conf.stanzas.some((s) => s.cmdCycleOpen === undefined)) {
    const refused = fwknopNftErrors(nft.nft, settings, platform);
    if (refused.length > 0) return { doors: [], errors: refused };
  }
  const statePath = settings.fwknopDigestFile ??
    `${(settings.stateDir ?? DEFAULT_STATE_DIR).replace(/(?<=.)\/+$/, "")}/${FWKNOP_DIGEST_FILE}`;
  let cache = new ReplayCache();
  let state: string | undefined;
  try {
    state = platform.readText(statePath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      return {
        doors: [],
        errors: [`${statePath}: error: cannot read the fwknop replay cache: ${osReason(error)}`],
      };
    }
  }
  if (state !== undefined) {
    const parsed = ReplayCache.parse(state);
    if (!parsed.ok) {
      return {
        doors: [],
        errors: [
          `${statePath}:${parsed.line}: error: the fwknop replay cache is corrupt (remove the file to start afresh)`,
        ],
      };
    }
    cache = parsed.cache;
  }
  let byPath = running.get(platform);
  if (byPath === undefined) running.set(platform, byPath = new Map());
  const previous = byPath.get(statePath);
  if (previous !== undefined) cache.merge(previous);
  byPath.set(statePath, cache);
  let fromConf: { port?: number | undefined; maxAge?: number | undefined } = {};
  if (settings.fwknopConf !== undefined) {
    let confText: string;
    try {
      confText = platform.readText(settings.fwknopConf);
    } catch (error) {
      return {
        doors: [],
        errors: [`${settings.fwknopConf}: error: cannot read fwknopd.conf: ${osReason(error)}`],
      };
    }
    const conf = parseFwknopdConf(confText);
    if (conf.errors.length > 0) {
      return {
        doors: [],
        errors: conf.errors.map((e) => `${settings.fwknopConf}:${e.line}: error: ${e.message}`),
      };
    }
    fromConf = conf;
  }
  const door = new FwknopDoor({
    stanzas: conf.stanzas,
    ports: [settings.fwknopPort ?? fromConf.port ?? FWKNOP_PORT],
    maxAge: settings.fwknopMaxAge ?? fromConf.maxAge ?? FWKNOP_MAX_AGE,
    statePath,
    cache,
    ...(nft.nft === undefined ? {} : { nft: nft.nft }),
  });
  return { doors: [door], errors: [] };
}
