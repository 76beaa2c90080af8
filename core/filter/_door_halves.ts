/**
 * Which destinations a door's filter covers, per address family: shared by the knockd form and the merged
 * form of the filter, so both skip the same doors and use the same hosts.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import type { BuildFilterOptions, FilterAddresses } from "./types.ts";

const IPV4_LITERAL = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_LITERAL = /^[0-9a-f:.]+$/;

/** The address family of a literal IP address, or `undefined` for anything else (a hostname, garbage). */
export function addressFamily(text: string): 4 | 6 | undefined {
  if (IPV4_LITERAL.test(text)) return 4;
  if (text.includes(":") && IPV6_LITERAL.test(text.toLowerCase())) return 6;
  return undefined;
}

/** One family half of a door's filter. */
export interface DoorHalf {
  readonly family: 4 | 6;
  /** Destination addresses; empty means any address of the family (an interface without addresses). */
  readonly hosts: readonly string[];
  /** Whether `hosts` is the door's `Target` (else the interface's addresses). */
  readonly target: boolean;
}

/** The halves of a door, or why it has none. */
export type DoorHalves =
  | { readonly ok: true; readonly halves: readonly DoorHalf[] }
  | { readonly ok: false; readonly skipped: string };

/**
 * The family halves of one door, as knockd decides them with its bugs fixed: a `Target` is used only in its
 * own family's half, a target that is not an IP literal can never match (the door is skipped), a family
 * without local addresses gets no half unless the interface has no address at all (then each family is
 * filtered by port only), `-4` drops the IPv6 half.
 *
 * @param door The door.
 * @param addresses The capture interface's addresses.
 * @param options `-4`.
 * @returns The halves, or the reason the door has none.
 */
export function doorHalves(door: Door, addresses: FilterAddresses, options: BuildFilterOptions): DoorHalves {
  return halvesResolver(addresses, options)(door);
}

/**
 * {@linkcode doorHalves} for many doors: the doors without `Target` share one result, computed once.
 *
 * @param addresses The capture interface's addresses.
 * @param options `-4`.
 * @returns The door → halves function.
 */
export function halvesResolver(
  addresses: FilterAddresses,
  options: BuildFilterOptions,
): (door: Door) => DoorHalves {
  const unnumbered = addresses.v4.length === 0 && addresses.v6.length === 0;
  const families: (4 | 6)[] = options.onlyIPv4 ? [4] : [4, 6];
  const localHalves: DoorHalf[] = [];
  for (const family of families) {
    const hosts = family === 4 ? addresses.v4 : addresses.v6;
    // Like knockd, a family without local addresses gets no half, unless the interface has none at all.
    if (hosts.length > 0 || unnumbered) localHalves.push({ family, hosts, target: false });
  }
  const local: DoorHalves = localHalves.length > 0
    ? { ok: true, halves: localHalves }
    : { ok: false, skipped: "no local address of the target's family" };
  const noSequence: DoorHalves = { ok: false, skipped: "no sequence" };
  return (door) => {
    if (door.sequence.length === 0) return noSequence;
    const target = door.target?.value;
    if (target === undefined) return local;
    const family = addressFamily(target);
    if (family === undefined) return { ok: false, skipped: `target "${target}" is not an IP address` };
    if (!families.includes(family)) return { ok: false, skipped: "IPv6 target with -4" };
    return { ok: true, halves: [{ family, hosts: [target], target: true }] };
  };
}
