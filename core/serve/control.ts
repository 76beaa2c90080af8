/**
 * The control socket of a live `serve`: a Unix socket in its state directory (0700, so root's only), where
 * `knocktool status` asks `status` and gets one JSON line back. Pure: the socket's name for a config, the
 * request and the answer's encoding.
 *
 * @module
 */
import type { OpenDoor, StatusSnapshot } from "./status.ts";

/** The one request. */
export const STATUS_REQUEST = "status\n";

/** The answer's `format` value. */
export const STATUS_FORMAT = "knocktool-status";

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The control socket's file name for a config (its real absolute path): `control-<hash>.sock`, short enough
 * for a socket path (108 bytes) in any reasonable state directory.
 *
 * @param configPath The config's absolute path.
 * @returns The name.
 */
export function controlSocketName(configPath: string): string {
  const hash = fnv1a(configPath, 0x811c9dc5).toString(16).padStart(8, "0") +
    fnv1a(configPath, 0x050c5d1f).toString(16).padStart(8, "0");
  return `control-${hash}.sock`;
}

/**
 * The answer to `status`: one line of JSON.
 *
 * @param snapshot The daemon's status.
 * @param pid The daemon's process id.
 * @returns The line, with its newline.
 */
export function encodeStatus(snapshot: StatusSnapshot, pid: number): string {
  return `${
    JSON.stringify({ format: STATUS_FORMAT, pid, attempts: snapshot.attempts, open: snapshot.open })
  }\n`;
}

/** A decoded answer, or why it is not one. */
export type StatusDecode =
  | { readonly ok: true; readonly pid: number; readonly snapshot: StatusSnapshot }
  | { readonly ok: false; readonly error: string };

/**
 * Decodes the answer to `status`. Never throws.
 *
 * @param text What the daemon wrote.
 * @returns The status, or why the text is not one.
 */
export function decodeStatus(text: string): StatusDecode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  if (typeof value !== "object" || value === null) return { ok: false, error: "not a JSON object" };
  const v = value as Record<string, unknown>;
  if (v.format !== STATUS_FORMAT) return { ok: false, error: `format is not "${STATUS_FORMAT}"` };
  if (!Array.isArray(v.open) || typeof v.pid !== "number" || typeof v.attempts !== "number") {
    return { ok: false, error: "missing fields" };
  }
  const open: OpenDoor[] = [];
  for (const o of v.open) {
    if (typeof o !== "object" || o === null) return { ok: false, error: "a door is not an object" };
    const d = o as Record<string, unknown>;
    if (typeof d.door !== "string" || typeof d.src !== "string") {
      return { ok: false, error: "a door lacks its name" };
    }
    open.push({ door: d.door, src: d.src, dueMs: typeof d.dueMs === "number" ? d.dueMs : undefined });
  }
  return { ok: true, pid: v.pid, snapshot: { open, attempts: v.attempts } };
}
