/**
 * Matching: what one attempt in progress does with a visible packet of its source addressed to its door.
 * The engine acts on the verdict (count a step, fail, ignore and report).
 *
 * @module
 */
import type { Knock } from "../knock.ts";
import type { AttemptTable } from "./_attempts.ts";
import { type DoorMatcher, flagsMatch } from "./_door_matcher.ts";
import { REPEAT_WINDOW_MS } from "./types.ts";

/**
 * - `flags`: a TCP packet whose flags the door does not accept; ignored (knockd's filter drops it).
 * - `strict`: the same at a strict door for a new connection (SYN, ACK clear): the attempt fails.
 * - `retransmission`: a TCP packet the attempt already counted (same ports and sequence number); ignored.
 * - `step`: the next step of the sequence; counted.
 * - `repeat`: a new packet to the step counted last, less than {@linkcode REPEAT_WINDOW_MS} after it (a
 *   client's retry); ignored. Never at a strict door, where it is `wrong`.
 * - `wrong`: any other knock; the attempt fails (`wrong-port` or `wrong-protocol`).
 */
export type Verdict = "flags" | "strict" | "retransmission" | "step" | "repeat" | "wrong";

/**
 * The verdict of the attempt in `slot` of `table` (at door `m`) on `knock`, whose step key is `key`, at
 * engine time `now`.
 *
 * @param strictPacket Whether the packet is one strict doors react to (a SYN without ACK, or UDP).
 */
export function verdict(
  table: AttemptTable,
  slot: number,
  m: DoorMatcher,
  knock: Knock,
  key: number,
  strictPacket: boolean,
  now: number,
): Verdict {
  const tcp = knock.protocol === "tcp";
  if (tcp && !flagsMatch(m, knock.flags)) {
    return strictPacket && m.strict && !table.isRetransmission(slot, knock.dport, knock.sport, knock.seq)
      ? "strict"
      : "flags";
  }
  if (tcp && table.isRetransmission(slot, knock.dport, knock.sport, knock.seq)) return "retransmission";
  const stage = table.stage(slot);
  if (m.keys[stage] === key) return "step";
  if (!m.strict && m.keys[stage - 1] === key && now - table.countedMs(slot) < REPEAT_WINDOW_MS) {
    return "repeat";
  }
  return "wrong";
}
