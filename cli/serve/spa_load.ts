/**
 * The SPA datagram door loader (one of cli/serve/load.ts's `DATAGRAM_LOADERS`): builds a `SpaDoor`
 * (core/spa/door.ts) for each door with `SPA_Port`, from the files it names, read through the platform at
 * start and on every reload (SIGHUP): the server key, the users file (a removed line revokes its user), and
 * the replay state file. The replay state of a door is kept in memory across reloads too (and written to
 * its file before each opening's commands run), so a reload never forgets a used timestamp.
 *
 * @module
 */
import type { KeyObject } from "node:crypto";
import type { Config, Door } from "../../core/config/types.ts";
import {
  doorSpa,
  parseServerKey,
  parseUsers,
  publicKeyObject,
  ReplayState,
  serverKeys,
  SpaDoor,
} from "../../core/spa/mod.ts";
import type { DatagramDoor } from "../../core/serve/mod.ts";
import { resolvePath } from "../lint/read.ts";
import { osReason } from "../runtime.ts";
import { DEFAULT_STATE_DIR } from "./journal.ts";
import type { ServePlatform } from "./platform.ts";
import type { ServeSettings } from "./settings.ts";

/**
 * Where an SPA door's replay state goes without `SPA_State`: `STATE-DIR/spa-DOOR.json` (the door's name
 * with characters other than letters, digits, `.`, `_` and `-` as `_`).
 *
 * @param stateDir `--state-dir`, if given.
 * @param door The door's name.
 * @returns The path.
 */
export function defaultSpaStatePath(stateDir: string | undefined, door: string): string {
  const dir = (stateDir ?? DEFAULT_STATE_DIR).replace(/(?<=.)\/+$/, "");
  return `${dir}/spa-${door.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === "NotFound";
}

/** What the loader gives (load.ts's `DatagramLoad`, not imported: load.ts imports this file). */
export interface SpaLoad {
  readonly doors: readonly DatagramDoor[];
  readonly errors: readonly string[];
}

/**
 * An SPA loader with its own memory of replay states (by state file path) across reloads.
 *
 * @returns The loader.
 */
export function spaLoader(): (config: Config, settings: ServeSettings, platform: ServePlatform) => SpaLoad {
  const states = new Map<string, ReplayState>();
  return (config: Config, settings: ServeSettings, platform: ServePlatform): SpaLoad => {
    const doors: DatagramDoor[] = [];
    const errors: string[] = [];
    const cwd = platform.io.cwd();
    for (const door of config.doors) {
      const spa = doorSpa(door);
      if (spa === undefined) continue;
      const built = buildDoor(door, spa, settings, platform, cwd, states);
      if (typeof built === "string") {
        errors.push(`${settings.configPath}: error: door "${door.name}": ${built}`);
      } else doors.push(built);
    }
    return { doors, errors };
  };
}

function buildDoor(
  door: Door,
  spa: NonNullable<ReturnType<typeof doorSpa>>,
  settings: ServeSettings,
  platform: ServePlatform,
  cwd: string,
  states: Map<string, ReplayState>,
): SpaDoor | string {
  if (spa.serverKey === undefined || spa.users === undefined) {
    return "SPA_Server_Key and SPA_Users are needed";
  }
  const read = (path: string): string | { error: string } => {
    try {
      return platform.readText(resolvePath(cwd, path));
    } catch (error) {
      return { error: osReason(error) };
    }
  };
  const keyText = read(spa.serverKey.path);
  if (typeof keyText !== "string") {
    return `cannot read SPA server key "${spa.serverKey.path}": ${keyText.error}`;
  }
  const key = parseServerKey(keyText);
  if (!key.ok) return `"${spa.serverKey.path}" line ${key.line}: ${key.message}`;
  const usersText = read(spa.users.path);
  if (typeof usersText !== "string") return `cannot read SPA users "${spa.users.path}": ${usersText.error}`;
  const usersFile = parseUsers(usersText);
  const problem = usersFile.problems[0];
  if (problem !== undefined) return `${spa.users.path}:${problem.line}:${problem.column}: ${problem.message}`;
  const users = new Map<string, KeyObject>();
  for (const u of usersFile.users) users.set(u.name, publicKeyObject("ed25519", u.publicKey));
  const statePath = resolvePath(cwd, spa.statePath ?? defaultSpaStatePath(settings.stateDir, door.name));
  let replay = states.get(statePath);
  if (replay === undefined) {
    try {
      const text = platform.readText(statePath);
      const parsed = ReplayState.parse(text);
      if (parsed === undefined) {
        return `SPA replay state "${statePath}" is not one (remove it to start afresh: requests older than the new start are then refused)`;
      }
      replay = parsed;
    } catch (error) {
      if (!isNotFound(error)) return `cannot read SPA replay state "${statePath}": ${osReason(error)}`;
      // No state yet: nothing older than now is taken, so a datagram captured before cannot be replayed
      // (but a capture file replayed with --read is judged by its own times: no floor then).
      replay = new ReplayState(settings.read === undefined ? platform.now() : 0);
    }
    states.set(statePath, replay);
  }
  replay.retain(new Set(users.keys()));
  return new SpaDoor({
    door,
    ports: spa.ports,
    keys: serverKeys(key.key.privateKey, key.key.mac1),
    users,
    windowMs: spa.windowS * 1000,
    budget: spa.budget,
    replay,
    statePath,
  });
}
