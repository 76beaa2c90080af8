/**
 * Time-derived knock sequences (TOTP doors): RFC 4226/6238's HMAC step and time counter, base32 secrets,
 * and the derivation of a door's ports for one time step. Pure.
 *
 * @module
 */
export { counterBytes, hmac, hotp, stepStartMs, type TotpAlgorithm, totpCounter } from "./hotp.ts";
export { decodeBase32, encodeBase32 } from "./base32.ts";
export {
  type DerivationParams,
  type DerivedKnock,
  derivedSequence,
  TOTP_INFO,
  TOTP_MIN_PORT,
  TOTP_RESERVED_PORTS,
  totpCandidates,
} from "./derive.ts";
export { formatTotpUri, parseTotpUri, TOTP_ISSUER, type TotpProfile } from "./uri.ts";
