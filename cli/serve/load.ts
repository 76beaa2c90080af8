/**
 * A config as the daemon core takes it: the parsed, checked config (./config.ts), the text of each
 * one-time-sequences file its doors read, and its datagram doors (SPA, fwknop), each built by a loader of
 * {@linkcode DATAGRAM_LOADERS} from the config, the command line and the files they name (keys, replay state);
 * its TOTP doors (./totp_load.ts); and the nftables sets its doors add to, checked in the kernel
 * (./nft_check.ts).
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import {
  type DaemonConfig,
  type DatagramDoor,
  oneTimeSequenceFiles,
  type OtpText,
} from "../../core/serve/mod.ts";
import { osReason } from "../runtime.ts";
import { loadFwknopDoor } from "./fwknop_load.ts";
import { nftLoadErrors } from "./nft_check.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";
import { loadTotp } from "./totp_load.ts";
import { spaLoader } from "./spa_load.ts";

/** What a datagram door loader found: the doors, or the lines saying why the config is refused. */
export interface DatagramLoad {
  readonly doors: readonly DatagramDoor[];
  /** One line per problem (`file:line:col: error: ...`); any refuses the config, at start and on reload. */
  readonly errors: readonly string[];
}

/** Builds datagram doors from a config (reading what it names through the platform). */
export type DatagramLoader = (
  config: Config,
  settings: ServeSettings,
  platform: ServePlatform,
) => DatagramLoad;

/**
 * The datagram door loaders, in order (their doors are tried in this order on a shared port). Each kind of
 * datagram door adds its loader here.
 */
export const DATAGRAM_LOADERS: readonly DatagramLoader[] = [spaLoader(), loadFwknopDoor];

/** A config ready for the daemon, or why not. */
export type DaemonLoad =
  | { readonly ok: true; readonly config: DaemonConfig }
  | { readonly ok: false; readonly lines: readonly string[] };

/**
 * Reads the one-time-sequences files of `config`'s doors.
 *
 * @param config The config.
 * @param platform File access.
 * @returns The files' texts (or why each could not be read), by path.
 */
export function oneTimeSequenceTexts(
  config: Config,
  platform: Pick<ServePlatform, "readText">,
): Map<string, OtpText> {
  const otp = new Map<string, OtpText>();
  for (const path of oneTimeSequenceFiles(config)) {
    try {
      otp.set(path, { ok: true, text: platform.readText(path) });
    } catch (error) {
      otp.set(path, { ok: false, reason: osReason(error) });
    }
  }
  return otp;
}

/**
 * The config as the daemon takes it: one-time-sequence texts and datagram doors.
 *
 * @param config The parsed, checked config.
 * @param settings The command line.
 * @param platform The runtime.
 * @param loaders The datagram door loaders (default {@linkcode DATAGRAM_LOADERS}).
 * @returns The daemon config, or the lines saying why it is refused.
 */
export function loadDaemonConfig(
  config: Config,
  settings: ServeSettings,
  platform: ServePlatform,
  loaders: readonly DatagramLoader[] = DATAGRAM_LOADERS,
): DaemonLoad {
  const doors: DatagramDoor[] = [];
  const errors: string[] = [];
  for (const load of loaders) {
    const loaded = load(config, settings, platform);
    doors.push(...loaded.doors);
    errors.push(...loaded.errors);
  }
  // The TOTP doors' secrets and used steps.
  const totp = loadTotp(config, settings, platform);
  errors.push(...totp.errors);
  // The nftables sets of the doors: the kernel must hold them as the doors need them.
  if (errors.length === 0) errors.push(...nftLoadErrors(config, settings, platform));
  if (errors.length > 0) return { ok: false, lines: errors };
  const otp = oneTimeSequenceTexts(config, platform);
  return { ok: true, config: { config, otp, datagramDoors: doors, totp: totp.load } };
}
