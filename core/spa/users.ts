/**
 * The users file of an SPA door (`SPA_Users`): one user a line, `NAME PUBLIC-KEY` (the Ed25519 public key
 * in base64url, as `knocktool keygen user` prints it); `#` comments and blank lines. Removing a line and
 * sending SIGHUP revokes the user. Pure.
 *
 * @module
 */
import { fromBase64Url, USER_NAME } from "./keys.ts";

/** One enrolled user. */
export interface SpaUser {
  readonly name: string;
  /** The Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** 1-based line in the file. */
  readonly line: number;
}

/** A problem in a users file, at a line and column (1-based). */
export interface UsersProblem {
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly message: string;
}

/** A users file read. */
export interface UsersFile {
  readonly users: readonly SpaUser[];
  readonly problems: readonly UsersProblem[];
}

/**
 * Reads a users file.
 *
 * @param text The file's text.
 * @returns The users, and every line that is not one (any problem refuses the door).
 */
export function parseUsers(text: string): UsersFile {
  const users: SpaUser[] = [];
  const problems: UsersProblem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const column = raw.indexOf(trimmed) + 1;
    const at = (message: string, start = column, end = column + trimmed.length) =>
      problems.push({ line: i + 1, column: start, endColumn: end, message });
    const words = [...trimmed.matchAll(/\S+/g)];
    if (words.length !== 2) {
      at(`expected "NAME PUBLIC-KEY" (two words), not ${words.length} word${words.length === 1 ? "" : "s"}`);
      continue;
    }
    const [name, key] = words as [RegExpMatchArray, RegExpMatchArray];
    const nameCol = column + name.index!;
    const keyCol = column + key.index!;
    if (!USER_NAME.test(name[0])) {
      at(
        `"${name[0]}" is not a user name (1 to 64 of A-Z a-z 0-9 . _ @ -)`,
        nameCol,
        nameCol + name[0].length,
      );
      continue;
    }
    const publicKey = fromBase64Url(key[0]);
    if (publicKey === undefined) {
      at(
        `the public key of "${name[0]}" must be 32 bytes in base64url (43 characters)`,
        keyCol,
        keyCol + key[0].length,
      );
      continue;
    }
    const first = seen.get(name[0]);
    if (first !== undefined) {
      at(`user "${name[0]}" is already on line ${first}`, nameCol, nameCol + name[0].length);
      continue;
    }
    seen.set(name[0], i + 1);
    users.push({ name: name[0], publicKey, line: i + 1 });
  }
  return { users, problems };
}
