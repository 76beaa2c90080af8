/**
 * Where `keygen` and `knock --spa` keep their files: new secret files created with mode 0600 that never
 * replace an existing file, and client profiles under `$XDG_CONFIG_HOME/knocktool/spa/` (or
 * `$HOME/.config/knocktool/spa/`).
 *
 * @module
 */
import type { Io } from "../runtime.ts";

/** File effects of `keygen`, behind an interface so tests can see what was written. */
export interface KeygenFs {
  /** Creates `path` with `text` and mode 0600; throws `AlreadyExists` when it exists. */
  createSecret(path: string, text: string): void;
  /** Creates a directory and its parents, mode 0700 for new ones. */
  mkdirp(path: string): void;
  /** Fresh random bytes. */
  random(n: number): Uint8Array;
}

/** The real file system and randomness. */
export function realKeygenFs(): KeygenFs {
  return {
    createSecret(path, text) {
      using file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
      file.writeSync(new TextEncoder().encode(text));
      file.syncSync();
    },
    mkdirp(path) {
      Deno.mkdirSync(path, { recursive: true, mode: 0o700 });
    },
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  };
}

/**
 * The directory of the SPA client profiles: `$XDG_CONFIG_HOME/knocktool/spa`, else
 * `$HOME/.config/knocktool/spa`.
 *
 * @param io The environment.
 * @returns The directory, or `undefined` when neither variable is set.
 */
export function profileDir(io: Pick<Io, "env">): string | undefined {
  const xdg = io.env("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg.replace(/\/+$/, "")}/knocktool/spa`;
  const home = io.env("HOME");
  return home === undefined || home === "" ? undefined : `${home.replace(/\/+$/, "")}/.config/knocktool/spa`;
}

/** A profile's name: 1 to 64 of letters, digits, `.`, `_` and `-`, not starting with `.`. */
export const PROFILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** A client profile: the door's enrolment URI and the user key to sign with. */
export interface Profile {
  readonly uri: string;
  readonly userKey: string;
}

/**
 * The text of a profile file.
 *
 * @param p The profile.
 * @returns `uri = ...` and `user-key = ...` lines.
 */
export function formatProfile(p: Profile): string {
  return `# knocktool SPA client profile\nuri = ${p.uri}\nuser-key = ${p.userKey}\n`;
}

/**
 * Reads a profile file.
 *
 * @param text The file's text.
 * @returns The profile, or why not.
 */
export function parseProfile(text: string): Profile | string {
  let uri: string | undefined;
  let userKey: string | undefined;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(uri|user-key)\s*=\s*(.+)$/.exec(line);
    if (m === null) return `line ${i + 1}: expected "uri = ..." or "user-key = ..."`;
    if (m[1] === "uri") uri = m[2]!.trim();
    else userKey = m[2]!.trim();
  }
  if (uri === undefined) return `no "uri = ..." line`;
  if (userKey === undefined) return `no "user-key = ..." line`;
  return { uri, userKey };
}
