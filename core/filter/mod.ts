/**
 * Capture-filter generation for `serve`: knockd's BPF expression (docs/knockd.md §2.2) from the doors and
 * the interface's addresses, with knockd's IPv6, target and VLAN bugs fixed. Pure.
 *
 * @module
 */
export {
  addressFamily,
  buildFilter,
  type BuildFilterOptions,
  type BuiltFilter,
  type DoorFilter,
  type FilterAddresses,
  MATCH_NOTHING,
  STRICT_IPV4,
} from "./build_filter.ts";
