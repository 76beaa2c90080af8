/**
 * nft's command texts for nftables doors: an opening's element command (run in-process through libnftables)
 * and the `nft` shell commands that create a door's table and set (printed when serve refuses to start
 * without them). Pure.
 *
 * @module
 */
import type { NftSetRef } from "../config/nft.ts";

/**
 * One element of a door's set: the address, or `ADDRESS . PORT` for a set of `ipv4_addr . inet_service`.
 *
 * @param address The source address in canonical text form.
 * @param port The port, for per-port elements.
 * @returns The element in nft's syntax.
 */
export function nftElement(address: string, port?: number): string {
  return port === undefined ? address : `${address} . ${port}`;
}

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/**
 * A duration in nft's syntax: `30s`, `1h30m`, `2s500ms` (nft 1.0 takes at most 8 digits per unit, so a
 * large number of milliseconds alone is refused).
 *
 * @param ms Milliseconds, a positive integer.
 * @returns The duration.
 */
export function nftDuration(ms: number): string {
  let rest = Math.max(1, Math.round(ms));
  let text = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n === 0) continue;
    text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

/** `inet filter knock_ssh4`: a set as nft names it. */
export function nftSetName(ref: NftSetRef): string {
  return `${ref.family} ${ref.table} ${ref.set}`;
}

/**
 * The commands of one opening, one transaction: the elements are added with `timeoutMs`, and an element
 * already in the set gets the new timeout. Before Linux 6.10 an `add` of an element that exists changes
 * nothing, so the elements are added (if absent), deleted and added again with their timeout; libnftables
 * sends the three as one netlink batch, which the kernel applies at once: the set is never without them.
 *
 * @param ref The set.
 * @param elements The elements ({@linkcode nftElement}).
 * @param timeoutMs The element timeout.
 * @returns The commands, for `nft_run_cmd_from_buffer`.
 */
export function addElementsCommand(ref: NftSetRef, elements: readonly string[], timeoutMs: number): string {
  const timeout = nftDuration(timeoutMs);
  const name = nftSetName(ref);
  const timed = elements.map((e) => `${e} timeout ${timeout}`).join(", ");
  return `add element ${name} { ${timed} }\ndelete element ${name} { ${elements.join(", ")} }\n` +
    `add element ${name} { ${timed} }\n`;
}

/**
 * The key type a door's set must have: the address type, concatenated with `inet_service` for per-port
 * elements.
 *
 * @param family The address family of the directive (`Nft_Set`: 4, `Nft_Set_6`: 6).
 * @param perPort Whether the door has `Nft_Port`.
 * @returns The type's parts, as `nft -j list sets` shows them.
 */
export function setKeyType(family: 4 | 6, perPort: boolean): readonly string[] {
  const address = family === 4 ? "ipv4_addr" : "ipv6_addr";
  return perPort ? [address, "inet_service"] : [address];
}

/** `ipv4_addr . inet_service`: a key type as nft writes it. */
export function keyTypeText(type: readonly string[]): string {
  return type.join(" . ");
}

/** `nft add table inet filter`. */
export function addTableShellCommand(ref: NftSetRef): string {
  return `nft add table ${ref.family} ${ref.table}`;
}

/** `nft add set inet filter knock_ssh4 '{ type ipv4_addr; flags timeout; }'`. */
export function addSetShellCommand(ref: NftSetRef, type: readonly string[]): string {
  return `nft add set ${nftSetName(ref)} '{ type ${keyTypeText(type)}; flags timeout; }'`;
}

/** `nft delete set inet filter knock_ssh4`. */
export function deleteSetShellCommand(ref: NftSetRef): string {
  return `nft delete set ${nftSetName(ref)}`;
}
