/**
 * The SPA door rules (docs/spa.md, docs/lint.md): KT152 a window over 10 minutes, KT153 a key or users
 * file that cannot be read or is not one, KT154 a key file others can read, KT155 a bad users-file line,
 * KT156 an incomplete SPA door; warnings KT250 an SPA door that also has a sequence, KT251 no users.
 * serve refuses the errors (cli/serve/config.ts), and its SPA loader reads the files the same way.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { Door } from "../../config/types.ts";
import { doorSpa, MAX_SPA_WINDOW_S, SPA_CODES, SPA_KEYS } from "../../config/spa.ts";
import { parseServerKey } from "../../spa/keys.ts";
import { parseUsers } from "../../spa/users.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext, type Rule } from "../_context.ts";
import { valueSpanOf } from "../_directives.ts";

function spaDoors(ctx: LintContext): { door: Door; spa: NonNullable<ReturnType<typeof doorSpa>> }[] {
  const out = [];
  for (const door of ctx.config.doors) {
    const spa = doorSpa(door);
    if (spa !== undefined) out.push({ door, spa });
  }
  return out;
}

function mode(m: number): string {
  return "0" + (m & 0o7777).toString(8).padStart(3, "0");
}

const longWindow: Rule = {
  info: {
    code: SPA_CODES.longWindow,
    severity: "error",
    name: "spa-window-too-long",
    summary: "SPA_Window over 600 seconds lets a captured SPA datagram be replayed for too long",
    explanation: `SPA_Window is how far (seconds, either way) a request's timestamp may be from the server's
clock. A datagram captured on the way is refused as a replay once its user has knocked again or its nonce
is remembered; but a datagram that never reached the server (dropped by an on-path attacker, who keeps it)
can be delivered later, from any source address, as long as it is inside the window. Keep the window as
short as the clocks allow: the default 30 s, at most 600 (10 minutes). The log line of every refusal and
opening gives the client's clock skew, so drifting clocks can be found and fixed instead.

Example:
  [ssh]
      SPA_Port   = 62201
      SPA_Window = 3600        <- an hour

Fix: synchronize the clients' clocks (NTP) and write e.g. "SPA_Window = 30".`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { door, spa } of spaDoors(ctx)) {
      if (spa.windowDirective !== undefined && spa.windowS > MAX_SPA_WINDOW_S) {
        out.push(finding(
          longWindow.info,
          `SPA_Window of door "${door.name}" is ${spa.windowS} s; at most ${MAX_SPA_WINDOW_S} s (10 minutes) is accepted`,
          valueSpanOf(spa.windowDirective),
        ));
      }
    }
    return out;
  },
};

const badFile: Rule = {
  info: {
    code: SPA_CODES.badFile,
    severity: "error",
    name: "spa-file-unreadable",
    summary: "an SPA door's server key or users file cannot be read, or is not one",
    explanation: `An SPA door reads two files at start and on every reload (SIGHUP): SPA_Server_Key, the
server's key file written by "knocktool keygen server" (its X25519 private key and the mac1 secret), and
SPA_Users, one "NAME PUBLIC-KEY" line per user ("knocktool keygen user" prints the line). If either cannot be
read, or the key file is not one, the door cannot work and serve refuses the config.

Example:
  [ssh]
      SPA_Port       = 62201
      SPA_Server_Key = /etc/knocktool/server.key        <- No such file or directory

Fix: create the key with "knocktool keygen server /etc/knocktool/server.key", or correct the path.`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { spa } of spaDoors(ctx)) {
      for (const [what, ref] of [["server key", spa.serverKey], ["users", spa.users]] as const) {
        if (ref === undefined) continue;
        const facts = ctx.readFile(ref.path);
        const span = valueSpanOf(ref.directive);
        if (facts === undefined) continue;
        if (facts.kind === "error") {
          out.push(
            finding(badFile.info, `Cannot read SPA ${what} file "${ref.path}": ${facts.message}`, span),
          );
        } else if (what === "server key") {
          const key = parseServerKey(facts.text);
          if (!key.ok) {
            out.push(finding(
              badFile.info,
              `"${ref.path}" is not an SPA server key file: line ${key.line}: ${key.message}`,
              span,
            ));
          }
        }
      }
    }
    return out;
  },
};

const exposedKey: Rule = {
  info: {
    code: SPA_CODES.exposedKey,
    severity: "error",
    name: "spa-key-exposed",
    summary: "the SPA server key file is readable or writable by group or others",
    explanation: `The server key file holds the server's X25519 private key: whoever reads it can decrypt
every SPA request sent to this server (who knocked, which door, which address), and its mac1 secret. It
must be readable by its owner only (mode 0600, as "knocktool keygen server" writes it). The users file
holds public keys only, but whoever can write it can enrol a key of their own: it must not be writable by
group or others.

Example: -rw-r--r-- /etc/knocktool/server.key

Fix: chmod 600 /etc/knocktool/server.key (and chmod go-w the users file).`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { spa } of spaDoors(ctx)) {
      const key = spa.serverKey === undefined ? undefined : ctx.readFile(spa.serverKey.path);
      if (key?.kind === "file" && key.mode !== undefined && (key.mode & 0o077) !== 0) {
        out.push(finding(
          exposedKey.info,
          `SPA server key "${spa.serverKey!.path}" has mode ${
            mode(key.mode)
          }: group or others can read its private key (chmod 600)`,
          valueSpanOf(spa.serverKey!.directive),
        ));
      }
      const users = spa.users === undefined ? undefined : ctx.readFile(spa.users.path);
      if (users?.kind === "file" && users.mode !== undefined && (users.mode & 0o022) !== 0) {
        out.push(finding(
          exposedKey.info,
          `SPA users file "${spa.users!.path}" has mode ${
            mode(users.mode)
          }: group or others can enrol a key (chmod go-w)`,
          valueSpanOf(spa.users!.directive),
        ));
      }
    }
    return out;
  },
};

const badUser: Rule = {
  info: {
    code: SPA_CODES.badUser,
    severity: "error",
    name: "spa-bad-user-line",
    summary: "a line of the SPA users file is not NAME PUBLIC-KEY",
    explanation: `The users file of an SPA door (SPA_Users) has one line per user: the user's name (1 to 64 of
A-Z a-z 0-9 . _ @ -) and the user's Ed25519 public key in base64url (43 characters), separated by spaces,
as "knocktool keygen user" prints it. Blank lines and lines starting with "#" are ignored. A line that is
neither, or a name given twice, refuses the config: a typo must not silently lock a user out (or keep a
revoked one in).

Example:
  alice Vh2kE3...        <- the key was cut short

Fix: paste the whole line "knocktool keygen user" printed.`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const { spa } of spaDoors(ctx)) {
      if (spa.users === undefined || seen.has(spa.users.path)) continue;
      seen.add(spa.users.path);
      const facts = ctx.readFile(spa.users.path);
      if (facts?.kind !== "file") continue;
      const starts = [0];
      for (let i = 0; i < facts.text.length; i++) if (facts.text[i] === "\n") starts.push(i + 1);
      for (const p of parseUsers(facts.text).problems) {
        out.push(finding(badUser.info, p.message, {
          line: p.line,
          column: p.column,
          endColumn: p.endColumn,
          offset: starts[p.line - 1]! + p.column - 1,
        }, { file: spa.users.path }));
      }
    }
    return out;
  },
};

const incomplete: Rule = {
  info: {
    code: SPA_CODES.incomplete,
    severity: "error",
    name: "spa-incomplete",
    summary: "an SPA door needs SPA_Port, SPA_Server_Key and SPA_Users",
    explanation:
      `An SPA door is a door with SPA_Port; it also needs SPA_Server_Key (the server's key file) and
SPA_Users (who may open it). The other SPA directives (SPA_Window, SPA_State, SPA_Budget, and the key and
users files) mean nothing in a door without SPA_Port.

Example:
  [ssh]
      SPA_Port = 62201
      start_command = ...        <- which key, which users?

Fix: add "SPA_Server_Key = /etc/knocktool/server.key" and "SPA_Users = /etc/knocktool/users".`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const door of ctx.config.doors) {
      const ext = door.extensions;
      if (ext === undefined) continue;
      const port = ext.get(SPA_KEYS.port);
      if (port === undefined) {
        const other = [...ext.values()].find((d) => d.normalizedKey.startsWith("SPA_"));
        if (other !== undefined) {
          out.push(
            finding(
              incomplete.info,
              `"${other.key}" in door "${door.name}", which has no SPA_Port`,
              other.keySpan,
            ),
          );
        }
        continue;
      }
      const spa = doorSpa(door);
      if (spa === undefined) continue;
      const missing = [
        spa.serverKey === undefined ? "SPA_Server_Key" : "",
        spa.users === undefined ? "SPA_Users" : "",
      ]
        .filter((s) => s !== "");
      if (missing.length > 0) {
        out.push(finding(
          incomplete.info,
          `SPA door "${door.name}" has no ${missing.join(" and no ")}`,
          door.section.span,
        ));
      }
    }
    return out;
  },
};

const withSequence: Rule = {
  info: {
    code: SPA_CODES.withSequence,
    severity: "warning",
    name: "spa-with-sequence",
    summary: "an SPA door that also has a Sequence opens for anyone who replays the sequence",
    explanation: `A door with SPA_Port is opened by one signed, encrypted datagram that cannot be replayed. If
the same door also has a Sequence (or One_Time_Sequences), that plain sequence opens it too, and a plain
sequence can be sniffed and replayed: the door is no stronger than its sequence.

Example:
  [ssh]
      SPA_Port = 62201
      sequence = 7000,8000,9000        <- a second, weaker way in

Fix: remove the sequence, or make it a door of its own on purpose.`,
  },
  check(ctx) {
    return spaDoors(ctx).filter(({ door }) => door.sequenceSource !== undefined).map(({ door }) =>
      finding(
        withSequence.info,
        `SPA door "${door.name}" also has a ${
          door.sequenceSource === "sequence" ? "Sequence" : "One_Time_Sequences"
        }: a sniffed sequence opens it without SPA`,
        door.section.span,
      )
    );
  },
};

const noUsers: Rule = {
  info: {
    code: SPA_CODES.noUsers,
    severity: "warning",
    name: "spa-no-users",
    summary: "the SPA users file has no user: nothing can open the door",
    explanation: `The users file of an SPA door lists who may open it. An empty file (or comments only) is
valid, for a door whose users have all been revoked, but nothing can open it.

Fix: add a user's line ("knocktool keygen user NAME FILE" prints it).`,
  },
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { door, spa } of spaDoors(ctx)) {
      if (spa.users === undefined) continue;
      const facts = ctx.readFile(spa.users.path);
      if (facts?.kind !== "file") continue;
      const read = parseUsers(facts.text);
      if (read.users.length === 0 && read.problems.length === 0) {
        out.push(finding(
          noUsers.info,
          `SPA users file "${spa.users.path}" of door "${door.name}" has no user`,
          valueSpanOf(spa.users.directive),
        ));
      }
    }
    return out;
  },
};

/** The SPA rules, in code order. */
export const SPA_RULES: readonly Rule[] = [
  longWindow,
  badFile,
  exposedKey,
  badUser,
  incomplete,
  withSequence,
  noUsers,
];

/** Their metadata. */
export const SPA_RULE_INFOS: readonly RuleInfo[] = SPA_RULES.map((r) => r.info);
