/**
 * Datagram doors: doors opened by the content of one UDP datagram rather than by a sequence of ports (single
 * packet authorization: knocktool's own SPA, fwknop's packets). The daemon core hands every UDP datagram to
 * a datagram door's port to that door, and acts on its verdict: nothing for an `ignore` (the server stays
 * silent to the unauthenticated), a rate-limited log line for a `reject`, the door's commands for an `open`
 * (after writing the door's replay state, when it gives some, so that a crash cannot reopen a replay window).
 *
 * A datagram door is pure (time comes in with each datagram) and owns its replay state; the interpreter
 * reads its state file at load and writes what {@linkcode DatagramOpen.persist} says, atomically, before
 * the commands run.
 *
 * @module
 */
import type { DoorNft } from "../config/nft.ts";
import type { DoorCommands } from "./commands.ts";
import type { LogEntry } from "./messages.ts";

/** A UDP datagram to one of a datagram door's ports. */
export interface Datagram {
  readonly family: 4 | 6;
  /** Source address in canonical text form (what the packet says: possibly spoofed, possibly NATed). */
  readonly src: string;
  /** Destination address in canonical text form. */
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** The UDP payload (valid during the call only: copy it to keep it). */
  readonly payload: Uint8Array;
  /** Capture time, ms. */
  readonly timeMs: number;
}

/** A door to open, as a datagram door decided it. */
export interface DatagramOpen {
  readonly kind: "open";
  /** The door's name, for log lines and the journal. */
  readonly door: string;
  /** What is opened: the address the commands get (`%IP%` or fwknop's `$SRC`), in canonical text form. */
  readonly address: string;
  /** Its address family. */
  readonly family: 4 | 6;
  /** The commands to run, already substituted. */
  readonly commands: DoorCommands;
  /** Log lines (who knocked, what was asked), logged before the commands run. */
  readonly log: readonly LogEntry[];
  /** The door's replay state to write first (atomically, durably), if it changed. */
  readonly persist?: { readonly path: string; readonly text: string };
  /** The nftables sets `address` goes into (`doorNft` of the door's section, core/config/nft.ts), if any. */
  readonly nft?: DoorNft;
}

/** A datagram that was for the door but is refused: logged (at most once a second per reason and door). */
export interface DatagramReject {
  readonly kind: "reject";
  /** A short stable reason (`bad-mac`, `replay`, `expired`, `unknown-user`, `budget`, ...), for counting. */
  readonly reason: string;
  /** The line to log. */
  readonly log: LogEntry;
}

/** What a datagram door makes of a datagram. */
export type DatagramVerdict =
  /** Not for this door (too short, another protocol): nothing happens, nothing is logged. */
  | { readonly kind: "ignore" }
  | DatagramReject
  | DatagramOpen;

/** A door opened by one authenticated datagram. */
export interface DatagramDoor {
  /** The door's name. */
  readonly name: string;
  /** The UDP ports it listens on (through the capture: there is no socket). */
  readonly ports: readonly number[];
  /** The destination it is for (`Target`), or `undefined` for the host's own addresses. */
  readonly target?: string | undefined;
  /**
   * Judges one datagram.
   *
   * @param datagram The datagram.
   * @param now The daemon's time (the capture time live and in replays).
   */
  datagram(datagram: Datagram, now: number): DatagramVerdict;
}
