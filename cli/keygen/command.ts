/**
 * `knocktool keygen`: SPA keys and enrolment (docs/spa.md, "Keys and enrolment").
 *
 * - `keygen server FILE`: a server key file (X25519 private key and mac1 secret), mode 0600; prints the
 *   public key.
 * - `keygen user NAME FILE`: a user key file (Ed25519), mode 0600; prints the line for the server's users
 *   file.
 * - `keygen bundle --server-key FILE --host HOST --port PORT --door DOOR [--qr]`: prints the door's
 *   enrolment URI (and a QR code of it for the terminal).
 * - `keygen profile NAME --uri URI --user-key FILE`: saves a client profile so that
 *   `knocktool knock --spa NAME` knocks at that door.
 *
 * No file is ever replaced: an existing one is an error.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import { argument, command, constant, flag, option } from "@optique/core/primitives";
import { choice, integer, string } from "@optique/core/valueparser";
import encodeQR from "@paulmillr/qr";
import {
  formatBundle,
  formatServerKey,
  formatUserKey,
  parseBundle,
  parseServerKey,
  parseUserKey,
  publicKeyOf,
  toBase64Url,
  USER_NAME,
} from "../../core/spa/mod.ts";
import { resolvePath } from "../lint/read.ts";
import { type Io, osReason } from "../runtime.ts";
import { sanitize } from "../_text.ts";
import { PROGRAM_NAME } from "../version.ts";
import { formatProfile, type KeygenFs, PROFILE_NAME, profileDir } from "./files.ts";

/** The parser of `knocktool keygen ...`. */
export const keygenCommand = command(
  "keygen",
  object({
    command: constant("keygen"),
    action: argument(choice(["server", "user", "bundle", "profile"], { metavar: "ACTION" }), {
      description:
        message`${"server"} FILE, ${"user"} NAME FILE, ${"bundle"} (with ${"--server-key"}, ${"--host"}, ${"--port"}, ${"--door"}), or ${"profile"} NAME (with ${"--uri"}, ${"--user-key"}).`,
    }),
    operands: multiple(
      argument(string({ metavar: "ARG" }), { description: message`The action's operands.` }),
    ),
    serverKey: optional(option("--server-key", string({ metavar: "FILE" }), {
      description: message`bundle: the server key file.`,
    })),
    host: optional(option("--host", string({ metavar: "HOST" }), {
      description: message`bundle: the host name or address clients send to.`,
    })),
    port: optional(option("--port", integer({ min: 1, max: 65535, metavar: "PORT" }), {
      description: message`bundle: the door's SPA_Port.`,
    })),
    door: optional(
      option("--door", string({ metavar: "NAME" }), { description: message`bundle: the door's name.` }),
    ),
    qr: withDefault(flag("--qr", { description: message`bundle: also print the URI as a QR code.` }), false),
    uri: optional(option("--uri", string({ metavar: "URI" }), {
      description: message`profile: the door's enrolment URI.`,
    })),
    userKey: optional(option("--user-key", string({ metavar: "FILE" }), {
      description: message`profile: the user key file to sign with.`,
    })),
  }),
  {
    brief: message`Create SPA keys, enrolment URIs and client profiles.`,
    description:
      message`Keys for knocktool's single packet authorization (docs/spa.md): ${"server FILE"} creates a server key (X25519 and the mac1 secret, mode 0600); ${"user NAME FILE"} a user key (Ed25519, mode 0600) and prints the users-file line; ${"bundle"} prints a door's enrolment URI (and QR code); ${"profile NAME"} saves a client profile for ${"knocktool knock --spa NAME"}. No file is ever replaced.`,
    footer: message`Exit status: 0 done, 1 a file could not be read or written, 2 usage error.`,
  },
);

/** The parsed arguments of `keygen`. */
export interface KeygenArgs {
  readonly action: "server" | "user" | "bundle" | "profile";
  readonly operands: readonly string[];
  readonly serverKey?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly door?: string | undefined;
  readonly qr: boolean;
  readonly uri?: string | undefined;
  readonly userKey?: string | undefined;
}

class Failure extends Error {}

function create(fs: KeygenFs, path: string, text: string): void {
  try {
    fs.createSecret(path, text);
  } catch (error) {
    const exists = error instanceof Error && error.name === "AlreadyExists";
    throw new Failure(
      exists
        ? `"${path}" exists: keygen never replaces a file (move it away first)`
        : `cannot create "${path}": ${osReason(error)}`,
    );
  }
}

function readText(io: Io, path: string): string {
  try {
    return new TextDecoder().decode(io.readFile(resolvePath(io.cwd(), path)));
  } catch (error) {
    throw new Failure(`cannot read "${path}": ${osReason(error)}`);
  }
}

/**
 * Runs `knocktool keygen`.
 *
 * @param args The parsed arguments.
 * @param io Output and files.
 * @param fs File creation and randomness.
 * @returns The exit status.
 */
export function runKeygen(args: KeygenArgs, io: Io, fs: KeygenFs): number {
  try {
    keygen(args, io, fs);
    return 0;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    io.stderr(`${PROGRAM_NAME} keygen: ${sanitize(error.message)}\n`);
    return error.message.startsWith("usage: ") ? 2 : 1;
  }
}

function operands(args: KeygenArgs, names: readonly string[]): string[] {
  if (args.operands.length !== names.length) {
    throw new Failure(
      `usage: keygen ${args.action} takes ${names.join(" ")}${
        names.length === 0 ? "no operand" : ""
      }, not ${args.operands.length} operand${args.operands.length === 1 ? "" : "s"}`,
    );
  }
  return [...args.operands];
}

function needed<T>(value: T | undefined, option: string, action: string): T {
  if (value === undefined) throw new Failure(`usage: keygen ${action} needs ${option}`);
  return value;
}

function keygen(args: KeygenArgs, io: Io, fs: KeygenFs): void {
  switch (args.action) {
    case "server": {
      const [file] = operands(args, ["FILE"]) as [string];
      const key = { privateKey: fs.random(32), mac1: fs.random(32) };
      create(fs, file, formatServerKey(key));
      io.stdout(`server public key: ${toBase64Url(publicKeyOf("x25519", key.privateKey))}\n`);
      io.stderr(`wrote ${file} (mode 0600); name it in a door: SPA_Server_Key = ${file}\n`);
      return;
    }
    case "user": {
      const [name, file] = operands(args, ["NAME", "FILE"]) as [string, string];
      if (!USER_NAME.test(name)) {
        throw new Failure(`usage: "${name}" is not a user name (1 to 64 of A-Z a-z 0-9 . _ @ -)`);
      }
      const key = { name, privateKey: fs.random(32) };
      create(fs, file, formatUserKey(key));
      io.stdout(`${name} ${toBase64Url(publicKeyOf("ed25519", key.privateKey))}\n`);
      io.stderr(`wrote ${file} (mode 0600); add the line above to the server's SPA_Users file\n`);
      return;
    }
    case "bundle": {
      operands(args, []);
      const serverKey = needed(args.serverKey, "--server-key", "bundle");
      const host = needed(args.host, "--host", "bundle");
      const port = needed(args.port, "--port", "bundle");
      const door = needed(args.door, "--door", "bundle");
      const key = parseServerKey(readText(io, serverKey));
      if (!key.ok) throw new Failure(`"${serverKey}" line ${key.line}: ${key.message}`);
      if (door === "" || new TextEncoder().encode(door).length > 64) {
        throw new Failure("usage: --door must be 1 to 64 bytes");
      }
      const uri = formatBundle({
        host: host.replace(/^\[(.*)\]$/, "$1"),
        port,
        door,
        serverPublic: publicKeyOf("x25519", key.key.privateKey),
        mac1: key.key.mac1,
      });
      io.stdout(`${uri}\n`);
      if (args.qr) io.stdout(`${encodeQR(uri, "ascii")}\n`);
      return;
    }
    case "profile": {
      const [name] = operands(args, ["NAME"]) as [string];
      const uri = needed(args.uri, "--uri", "profile");
      const userKey = needed(args.userKey, "--user-key", "profile");
      if (!PROFILE_NAME.test(name)) throw new Failure(`usage: "${name}" is not a profile name`);
      const bundle = parseBundle(uri);
      if (!bundle.ok) throw new Failure(`usage: --uri: ${bundle.reason}`);
      const user = parseUserKey(readText(io, userKey));
      if (!user.ok) throw new Failure(`"${userKey}" line ${user.line}: ${user.message}`);
      const dir = profileDir(io);
      if (dir === undefined) throw new Failure("neither XDG_CONFIG_HOME nor HOME is set");
      try {
        fs.mkdirp(dir);
      } catch (error) {
        throw new Failure(`cannot create "${dir}": ${osReason(error)}`);
      }
      const path = `${dir}/${name}.conf`;
      create(fs, path, formatProfile({ uri: uri.trim(), userKey: resolvePath(io.cwd(), userKey) }));
      io.stdout(`wrote ${path}; knock with: ${PROGRAM_NAME} knock --spa ${name}\n`);
      return;
    }
  }
}
