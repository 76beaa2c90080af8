/**
 * What `knock` prints about its hits: `ADDRESS:PORT`, and the `-v` line of each hit (as knock's, with the
 * raw flags and decoys noted).
 *
 * @module
 */
import { formatFlagSpec, TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { formatIP } from "../../core/packet/mod.ts";
import type { Hit } from "./plan.ts";

/**
 * `ADDRESS:PORT`, as knock prints it.
 *
 * @param address 4 or 16 address bytes.
 * @param port The port.
 * @returns E.g. `192.0.2.7:7000` or `2001:db8::1:7000`.
 */
export function endpoint(address: Uint8Array, port: number): string {
  return `${formatIP(address)}:${port}`;
}

function flagNames(bits: number): (keyof typeof TCP_FLAG_BITS)[] {
  return (Object.keys(TCP_FLAG_BITS) as (keyof typeof TCP_FLAG_BITS)[]).filter((f) =>
    (bits & TCP_FLAG_BITS[f]) !== 0
  );
}

/**
 * The `-v` line of a hit: `hitting tcp 192.0.2.7:7000`, with `(fin, decoy)` notes for raw flags and decoys.
 *
 * @param hit The hit.
 * @param address The target.
 * @returns The line, with its newline.
 */
export function hitLine(hit: Hit, address: Uint8Array): string {
  const raw = hit.protocol === "tcp" && hit.flags !== undefined;
  const notes = [
    ...(raw
      ? [formatFlagSpec(new Map(flagNames(hit.flags!).map((f) => [f, "set" as const]))) || "no flags"]
      : []),
    ...(hit.decoy ? ["decoy"] : []),
  ];
  return `hitting ${hit.protocol} ${endpoint(address, hit.port)}${
    notes.length ? ` (${notes.join(", ")})` : ""
  }\n`;
}
