/**
 * A config as the daemon core takes it: the parsed, checked config (./config.ts) with the text of each
 * one-time-sequences file its doors read.
 *
 * @module
 */
import type { Config } from "../../core/config/types.ts";
import { type DaemonConfig, oneTimeSequenceFiles, type OtpText } from "../../core/serve/mod.ts";
import { osReason } from "../runtime.ts";
import type { ServePlatform } from "./platform.ts";

/**
 * Reads the one-time-sequences files of `config`'s doors.
 *
 * @param config The config.
 * @param platform File access.
 * @returns The config with the files' texts (or why each could not be read).
 */
export function withOneTimeSequences(
  config: Config,
  platform: Pick<ServePlatform, "readText">,
): DaemonConfig {
  const otp = new Map<string, OtpText>();
  for (const path of oneTimeSequenceFiles(config)) {
    try {
      otp.set(path, { ok: true, text: platform.readText(path) });
    } catch (error) {
      otp.set(path, { ok: false, reason: osReason(error) });
    }
  }
  return { config, otp };
}
