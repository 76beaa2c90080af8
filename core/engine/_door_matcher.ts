/**
 * A door reduced to what matching needs: numeric step keys, flag masks and
 * the window in milliseconds.
 *
 * @module
 */
import type { Door, Protocol, TcpFlag } from "../config/types.ts";

/** TCP header bit of each flag name (FIN = 0x01 … CWR = 0x80, NS = 0x100). */
export const FLAG_BITS: Readonly<Record<TcpFlag, number>> = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
  ns: 0x100,
};

const UDP_BIT = 0x10000;

/** A (protocol, port) pair as one number: the port, plus 0x10000 for UDP. */
export function stepKey(protocol: Protocol, port: number): number {
  return (port & 0xffff) | (protocol === "udp" ? UDP_BIT : 0);
}

/** A door compiled for matching. */
export interface DoorMatcher {
  readonly index: number;
  readonly name: string;
  /** Step keys in sequence order. */
  readonly keys: readonly number[];
  readonly steps: Door["sequence"];
  /** Flags that must be set on a TCP knock. */
  readonly mustSet: number;
  /** Flags that must be clear on a TCP knock. */
  readonly mustClear: number;
  readonly target: string | undefined;
  /** `seq_timeout` in milliseconds (may be zero or negative, as knockd allows). */
  readonly windowMs: number;
  /** Everything that decides matching, as text, to carry attempts across a reload. */
  readonly fingerprint: string;
}

/** Compile one door. */
export function compileDoor(door: Door, index: number): DoorMatcher {
  let mustSet = 0;
  let mustClear = 0;
  for (const [flag, state] of door.tcpFlags) {
    const bit = FLAG_BITS[flag];
    if (state === "set") mustSet |= bit;
    else mustClear |= bit;
  }
  const keys = door.sequence.map((step) => stepKey(step.protocol, step.port));
  const windowMs = door.seqTimeout.value * 1000;
  const target = door.target?.value;
  const fingerprint = JSON.stringify([door.name, keys, mustSet, mustClear, target ?? null, windowMs]);
  return {
    index,
    name: door.name,
    keys,
    steps: door.sequence,
    mustSet,
    mustClear,
    target,
    windowMs,
    fingerprint,
  };
}

/** Whether TCP flags satisfy the door's `TCPFlags` (UDP callers skip this). */
export function flagsMatch(door: DoorMatcher, flags: number): boolean {
  return (flags & door.mustSet) === door.mustSet && (flags & door.mustClear) === 0;
}
