/**
 * The unit the detection engine consumes: one decoded packet that may be a knock.
 *
 * @module
 */
import type { Protocol } from "./config/types.ts";

/** A TCP or UDP packet reduced to what knock detection needs. Produced by `core/decode`. */
export interface Knock {
  /** IP version of the packet. */
  readonly family: 4 | 6;
  /** Source address in canonical text form (`10.0.0.2`, `fd77::2`), as `%IP%` gets it. */
  readonly src: string;
  /** Destination address in canonical text form. */
  readonly dst: string;
  /** `tcp` or `udp`. */
  readonly protocol: Protocol;
  /** Source port. */
  readonly sport: number;
  /** Destination port: the knocked port. */
  readonly dport: number;
  /** TCP flag bits (FIN=0x01 … CWR=0x80, NS=0x100); 0 for UDP. */
  readonly flags: number;
  /** TCP sequence number (for retransmission detection); 0 for UDP. */
  readonly seq: number;
  /** Capture time in milliseconds since the epoch (may carry a fraction). */
  readonly timeMs: number;
}
