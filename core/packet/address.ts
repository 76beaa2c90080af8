/**
 * IP and MAC address text ⇄ bytes for the packet encoders. The implementation is shared with the
 * decoder and `lint` and lives in `core/address.ts`; this module keeps the names the encoders and
 * the CLI import from here.
 *
 * @module
 */
export {
  AddressSyntaxError,
  canonicalIP,
  formatIP,
  formatIPv4,
  formatIPv6,
  formatMac,
  type IPAddress,
  parseIP,
  parseIPv4,
  parseIPv6,
  parseMac,
  tryParseIP,
  tryParseIPv4,
  tryParseIPv6,
} from "../address.ts";
