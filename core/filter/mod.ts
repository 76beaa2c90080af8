/**
 * Capture-filter generation for `serve`: knockd's BPF expression (docs/knockd.md §2.2) from the doors and
 * the interface's addresses, with knockd's IPv6, target and VLAN bugs fixed, merged over the doors so that
 * its size (and libpcap's compile time) does not grow with them. Pure.
 *
 * @module
 */
export { buildFilter } from "./build_filter.ts";
export { addressFamily } from "./_door_halves.ts";
export { doorFilter, knockdFilter, MATCH_NOTHING, STRICT_IPV4 } from "./knockd_filter.ts";
export type { BuildFilterOptions, BuiltFilter, DoorFilter, FilterAddresses, FilterForm } from "./types.ts";
