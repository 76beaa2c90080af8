/**
 * The BPF tests of a door's `TCPFlags`, in knockd's order (fin, syn, rst, push, ack, urg), then the flags
 * knockd does not know (ece, cwr, ns).
 *
 * @module
 */
import { TCP_FLAG_BITS, TCP_FLAGS } from "../flags.ts";
import type { TcpFlag } from "../config/types.ts";

const FLAG_TEST: Readonly<Record<TcpFlag, string>> = {
  fin: "tcp[tcpflags] & tcp-fin",
  syn: "tcp[tcpflags] & tcp-syn",
  rst: "tcp[tcpflags] & tcp-rst",
  psh: "tcp[tcpflags] & tcp-push",
  ack: "tcp[tcpflags] & tcp-ack",
  urg: "tcp[tcpflags] & tcp-urg",
  ece: "tcp[tcpflags] & tcp-ece",
  cwr: "tcp[tcpflags] & tcp-cwr",
  ns: "tcp[12] & 1",
};

/**
 * One test per flag that must be set (`!= 0`) or clear (`== 0`). `TCP_FLAGS` is knockd's order followed by
 * the flags knockd does not know.
 *
 * @param set Bits (`TCP_FLAG_BITS`) that must be set.
 * @param clear Bits that must be clear.
 * @returns The tests, in order.
 */
export function flagTests(set: number, clear: number): string[] {
  const tests: string[] = [];
  for (const flag of TCP_FLAGS) {
    const bit = TCP_FLAG_BITS[flag];
    if (set & bit) tests.push(`${FLAG_TEST[flag]} != 0`);
    else if (clear & bit) tests.push(`${FLAG_TEST[flag]} == 0`);
  }
  return tests;
}
