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

/** Where Linux lists the sockets of the process's network namespace, by protocol. */
const PROC_NET: readonly (readonly [string, "tcp" | "udp", string])[] = [
  ["/proc/net/tcp", "tcp", "0A"],
  ["/proc/net/tcp6", "tcp", "0A"],
  ["/proc/net/udp", "udp", "07"],
  ["/proc/net/udp6", "udp", "07"],
];

/**
 * The ports this host listens on (TCP `LISTEN`, unconnected UDP sockets), from `/proc/net` (none where it
 * cannot be read).
 *
 * @param platform File access.
 * @returns The ports by protocol.
 */
export function listeningPorts(platform: Pick<ServePlatform, "readText">): Map<"tcp" | "udp", Set<number>> {
  const out = new Map<"tcp" | "udp", Set<number>>([["tcp", new Set()], ["udp", new Set()]]);
  for (const [path, protocol, state] of PROC_NET) {
    let text: string;
    try {
      text = platform.readText(path);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const port = /:([0-9A-Fa-f]{4})$/.exec(fields[1] ?? "")?.[1];
      if (port !== undefined && fields[3] === state) out.get(protocol)!.add(parseInt(port, 16));
    }
  }
  return out;
}

/**
 * Warnings for ports this host listens on that a TOTP door may draw: a client's ordinary connection to such a
 * port would count as a knock (or break one). Only the config can exclude them (the client must draw the same
 * ports), so serve says which line to write.
 *
 * @param config The config.
 * @param load Its TOTP doors.
 * @param settings The config's path, for the lines.
 * @param platform File access.
 * @returns One line per door and port, `file:line:col: warning: ...`.
 */
export function totpListeningWarnings(
  config: Config,
  load: TotpLoad,
  settings: Pick<ServeSettings, "configPath">,
  platform: Pick<ServePlatform, "readText">,
): string[] {
  if (load.doors.length === 0) return [];
  const listening = listeningPorts(platform);
  const lines: string[] = [];
  for (const spec of load.doors) {
    const door = config.doors[spec.index];
    const totp = door === undefined ? undefined : doorTotp(door);
    if (door === undefined || totp === undefined) continue;
    const candidates = new Set(spec.params.candidates);
    const hits: string[] = [];
    for (const protocol of spec.params.protocols) {
      for (const port of [...listening.get(protocol)!].sort((a, b) => a - b)) {
        if (candidates.has(port)) hits.push(`${port}/${protocol}`);
      }
    }
    if (hits.length === 0) continue;
    const span = totp.secretDirective.span;
    const ports = [...new Set(hits.map((h) => h.split("/")[0]))].join(",");
    lines.push(
      `${settings.configPath}:${span.line}:${span.column}: warning: door ${door.name} may draw ${
        hits.join(", ")
      }, which this host listens on; add "TOTP_Exclude = ${ports}" (on the clients too)`,
    );
  }
  return lines;
}
