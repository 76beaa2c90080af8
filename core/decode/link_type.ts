/**
 * libpcap link-layer type numbers (`pcap_datalink()` values) the decoder understands.
 *
 * @module
 */

/** Link-layer header types, by their libpcap `DLT_`/`LINKTYPE_` value. */
export const LinkType = {
  /** `DLT_EN10MB`: Ethernet, also Linux `lo` and veth. */
  ETHERNET: 1,
  /** `DLT_RAW` on most platforms: bare IPv4 or IPv6, version from the first nibble. */
  RAW: 12,
  /** `DLT_RAW` on OpenBSD. */
  RAW_OPENBSD: 14,
  /** `LINKTYPE_RAW` as written in pcap files. */
  LINKTYPE_RAW: 101,
  /** `DLT_LINUX_SLL`: Linux cooked capture v1 (the `any` device), 16-byte header. */
  LINUX_SLL: 113,
  /** `DLT_IPV4`: bare IPv4. */
  IPV4: 228,
  /** `DLT_IPV6`: bare IPv6. */
  IPV6: 229,
  /** `DLT_LINUX_SLL2`: Linux cooked capture v2, 20-byte header. */
  LINUX_SLL2: 276,
} as const;

/** One of the link types in {@linkcode LinkType}. */
export type SupportedLinkType = typeof LinkType[keyof typeof LinkType];

/**
 * Tells whether the decoder understands a link type.
 *
 * @param linktype A `pcap_datalink()` value.
 * @returns `true` when {@linkcode decodeFrame} can decode frames of this link type.
 */
export function isSupportedLinkType(linktype: number): linktype is SupportedLinkType {
  switch (linktype) {
    case LinkType.ETHERNET:
    case LinkType.RAW:
    case LinkType.RAW_OPENBSD:
    case LinkType.LINKTYPE_RAW:
    case LinkType.LINUX_SLL:
    case LinkType.IPV4:
    case LinkType.IPV6:
    case LinkType.LINUX_SLL2:
      return true;
    default:
      return false;
  }
}
