/**
 * A door reduced to what matching needs: numeric step keys, flag masks and
 * the window in milliseconds.
 *
 * @module
 */
import type { Door, Protocol } from "../config/types.ts";
import { flagMask } from "../config/flags.ts";
import { doorCooldownMs, doorStrict } from "../config/extensions.ts";

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
  /** `Strict = yes`: a SYN or UDP packet to any other port of the door's addresses fails an attempt. */
  readonly strict: boolean;
  /** `Cooldown` in milliseconds; 0 for none. */
  readonly cooldownMs: number;
  /** Everything that decides matching, as text, to carry attempts across a reload. */
  readonly fingerprint: string;
}

/** Compile one door. */
export function compileDoor(door: Door, index: number): DoorMatcher {
  const { set: mustSet, clear: mustClear } = flagMask(door.tcpFlags);
  const keys = door.sequence.map((step) => stepKey(step.protocol, step.port));
  const windowMs = door.seqTimeout.value * 1000;
  const target = door.target?.value;
  const strict = doorStrict(door);
  const fingerprint = JSON.stringify([door.name, keys, mustSet, mustClear, target ?? null, windowMs, strict]);
  return {
    index,
    name: door.name,
    keys,
    steps: door.sequence,
    mustSet,
    mustClear,
    target,
    windowMs,
    strict,
    cooldownMs: doorCooldownMs(door),
    fingerprint,
  };
}

/** Whether TCP flags satisfy the door's `TCPFlags` (UDP callers skip this). */
export function flagsMatch(door: DoorMatcher, flags: number): boolean {
  return (flags & door.mustSet) === door.mustSet && (flags & door.mustClear) === 0;
}

/**
 * Which old doors survive a reload: each old door maps (by its index) to the new door with the same
 * fingerprint, the k-th such door in the old list to the k-th in the new one. Doors without a match are
 * absent from the map.
 */
export function survivors(
  old: readonly DoorMatcher[],
  next: readonly DoorMatcher[],
): Map<number, DoorMatcher> {
  const pool = new Map<string, DoorMatcher[]>();
  for (const m of next) {
    const list = pool.get(m.fingerprint);
    if (list === undefined) pool.set(m.fingerprint, [m]);
    else list.push(m);
  }
  const mapping = new Map<number, DoorMatcher>();
  for (const m of old) {
    const replacement = pool.get(m.fingerprint)?.shift();
    if (replacement !== undefined) mapping.set(m.index, replacement);
  }
  return mapping;
}
