/**
 * What the TOTP lint rules share: each TOTP door's settings and its secret's bytes (inline, or read through
 * the lint context's file reader).
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { type DoorTotp, doorTotp, parseTotpSecret } from "../config/totp.ts";
import type { FileFacts } from "./types.ts";

/** A TOTP door with its settings. */
export interface TotpDoorFacts {
  readonly door: Door;
  readonly totp: DoorTotp;
}

/** The config's TOTP doors. */
export function totpDoors(doors: readonly Door[]): TotpDoorFacts[] {
  const out: TotpDoorFacts[] = [];
  for (const door of doors) {
    const totp = doorTotp(door);
    if (totp !== undefined) out.push({ door, totp });
  }
  return out;
}

/** A door's secret: its bytes, or why there are none (`undefined` when the file could not be looked at). */
export type SecretFacts =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly mode?: number | undefined }
  | { readonly ok: false; readonly reason: "unreadable" | "not-base32"; readonly message: string }
  | undefined;

/**
 * A door's secret as lint sees it.
 *
 * @param totp The door's settings.
 * @param readFile The lint context's reader.
 * @returns Its bytes (and the file's mode), or why not.
 */
export function secretFacts(totp: DoorTotp, readFile: (path: string) => FileFacts | undefined): SecretFacts {
  if (totp.secret.kind === "inline") {
    const bytes = parseTotpSecret(totp.secret.text);
    return bytes === undefined ? undefined : { ok: true, bytes }; // KT130 already says it.
  }
  const facts = readFile(totp.secret.path);
  if (facts === undefined) return undefined;
  if (facts.kind === "error") return { ok: false, reason: "unreadable", message: facts.message };
  const bytes = parseTotpSecret(facts.text);
  return bytes === undefined
    ? { ok: false, reason: "not-base32", message: "its content is not a base32 secret" }
    : { ok: true, bytes, mode: facts.mode };
}
