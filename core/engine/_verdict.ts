/**
 * Matching: what one attempt in progress does with a visible packet of its source addressed to its door.
 * The engine acts on the verdict (count a step, fail, ignore and report).
 *
 * @module
 */
import type { Knock } from "../knock.ts";
import { type Attempt, isRetransmission } from "./_attempts.ts";
import { flagsMatch } from "./_door_matcher.ts";

/**
 * - `flags`: a TCP packet whose flags the door does not accept; ignored (knockd's filter drops it).
 * - `strict`: the same at a strict door for a new connection (SYN, ACK clear): the attempt fails.
 * - `retransmission`: a TCP packet the attempt already counted (same ports and sequence number); ignored.
 * - `step`: the next step of the sequence; counted.
 * - `wrong`: any other knock; the attempt fails (`wrong-port` or `wrong-protocol`).
 */
export type Verdict = "flags" | "strict" | "retransmission" | "step" | "wrong";

/**
 * The verdict of `attempt` on `knock`, whose step key is `key`.
 *
 * @param strictPacket Whether the packet is one strict doors react to (a SYN without ACK, or UDP).
 */
export function verdict(attempt: Attempt, knock: Knock, key: number, strictPacket: boolean): Verdict {
  const m = attempt.matcher;
  const tcp = knock.protocol === "tcp";
  if (tcp && !flagsMatch(m, knock.flags)) {
    return strictPacket && m.strict && !isRetransmission(attempt, knock.dport, knock.sport, knock.seq)
      ? "strict"
      : "flags";
  }
  if (tcp && isRetransmission(attempt, knock.dport, knock.sport, knock.seq)) return "retransmission";
  if (m.keys[attempt.stage] === key) return "step";
  return "wrong";
}
