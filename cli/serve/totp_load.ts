/**
 * The TOTP doors of a config as the daemon core takes them (core/serve/totp_doors.ts): each door's secret
 * (inline, or read from its `TOTP_Secret_File`), its derivation settings, and the steps already used, from
 * the state file in the state directory (live only: a replay keeps them in memory).
 *
 * @module
 */
import { doorTotp, parseTotpSecret } from "../../core/config/totp.ts";
import type { Config } from "../../core/config/types.ts";
import { journalFileName, type TotpDoorSpec, type TotpLoad } from "../../core/serve/mod.ts";
import { totpCandidates } from "../../core/totp/derive.ts";
import { osReason } from "../runtime.ts";
import { DEFAULT_STATE_DIR } from "./journal.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";

/**
 * The state file of a config's TOTP doors: the journal's name with `.totp` for `.journal`.
 *
 * @param stateDir The state directory.
 * @param configPath The config's path as given.
 * @returns The path.
 */
export function totpStatePath(stateDir: string, configPath: string): string {
  return `${stateDir.replace(/(?<=.)\/+$/, "")}/${
    journalFileName(configPath).replace(/\.journal$/, ".totp")
  }`;
}

/**
 * Builds the TOTP doors of a config.
 *
 * @param config The parsed, checked config.
 * @param settings The command line (state directory; a replay with `--read` keeps no state).
 * @param platform File access.
 * @returns The doors and state, or the lines that refuse the config.
 */
export function loadTotp(
  config: Config,
  settings: Pick<ServeSettings, "configPath" | "stateDir" | "read">,
  platform: Pick<ServePlatform, "readText" | "io">,
): { readonly load: TotpLoad; readonly errors: readonly string[] } {
  const doors: TotpDoorSpec[] = [];
  const errors: string[] = [];
  const where = (line: number, column: number) => `${settings.configPath}:${line}:${column}`;
  config.doors.forEach((door, index) => {
    const totp = doorTotp(door);
    if (totp === undefined) return;
    const span = totp.secretDirective.valueSpan ?? totp.secretDirective.span;
    let text: string;
    if (totp.secret.kind === "file") {
      const path = totp.secret.path.startsWith("/")
        ? totp.secret.path
        : `${platform.io.cwd().replace(/\/$/, "")}/${totp.secret.path}`;
      try {
        text = platform.readText(path);
      } catch (error) {
        errors.push(
          `${where(span.line, span.column)}: error: cannot read TOTP secret file ${path}: ${osReason(error)}`,
        );
        return;
      }
    } else {
      text = totp.secret.text;
    }
    const key = parseTotpSecret(text);
    const candidates = totpCandidates(totp.low, totp.high, totp.exclude);
    if (key === undefined || candidates.length < totp.length) {
      errors.push(
        `${where(span.line, span.column)}: error: door ${door.name}: no usable TOTP secret or port range`,
      );
      return;
    }
    doors.push({
      index,
      params: { key, length: totp.length, protocols: totp.protocols, candidates },
      stepSeconds: totp.stepSeconds,
      skew: totp.skew,
    });
  });
  if (doors.length === 0 || settings.read !== undefined) return { load: { doors }, errors };
  const statePath = totpStatePath(settings.stateDir ?? DEFAULT_STATE_DIR, settings.configPath);
  let stateText: string | undefined;
  try {
    stateText = platform.readText(statePath);
    JSON.parse(stateText);
  } catch (error) {
    if (!(error instanceof Error && error.name === "NotFound")) {
      errors.push(
        `${statePath}: error: cannot read the TOTP doors' used steps: ${
          error instanceof SyntaxError ? "not JSON" : osReason(error)
        } (remove the file to forget them)`,
      );
    }
    stateText = undefined;
  }
  return { load: { doors, statePath, ...(stateText === undefined ? {} : { stateText }) }, errors };
}
