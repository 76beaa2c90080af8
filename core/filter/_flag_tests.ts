/**
 * The BPF tests of a door's `TCPFlags`, in knockd's order (fin, syn, rst, push, ack, urg), then the flags
 * knockd does not know (ece, cwr, ns).
 *
 * @module
 */
import { TCP_FLAG_BITS, TCP_FLAGS } from "../config/flags.ts";
import type { TcpFlag } from "../config/types.ts";

const NAMES: Readonly<Record<Exclude<TcpFlag, "ns">, string>> = {
  fin: "tcp-fin",
  syn: "tcp-syn",
  rst: "tcp-rst",
  psh: "tcp-push",
  ack: "tcp-ack",
  urg: "tcp-urg",
  ece: "tcp-ece",
  cwr: "tcp-cwr",
};

/**
 * The byte each flag is tested in: `tcp[tcpflags]` (byte 13 of the TCP header; NS is bit 0 of byte 12) for
 * IPv4, which libpcap's `tcp[]` handles (header length, first fragments only); for IPv6, where `tcp[]`
 * matches nothing, the same bytes right after the fixed header (`ip6[53]`, `ip6[52]`), which is where TCP is
 * when the next header is TCP, as the port test next to it requires (packets with extension headers pass
 * without flag tests).
 */
function flagTest(flag: TcpFlag, family: 4 | 6): string {
  if (flag === "ns") return family === 4 ? "tcp[12] & 1" : "ip6[52] & 1";
  return `${family === 4 ? "tcp[tcpflags]" : "ip6[53]"} & ${NAMES[flag]}`;
}

/**
 * One test per flag that must be set (`!= 0`) or clear (`== 0`). `TCP_FLAGS` is knockd's order followed by
 * the flags knockd does not know.
 *
 * @param set Bits (`TCP_FLAG_BITS`) that must be set.
 * @param clear Bits that must be clear.
 * @param family IPv4 (`tcp[tcpflags]`, knockd's tests) or IPv6 without extension headers (`ip6[53]`).
 * @returns The tests, in order.
 */
export function flagTests(set: number, clear: number, family: 4 | 6 = 4): string[] {
  const tests: string[] = [];
  for (const flag of TCP_FLAGS) {
    const bit = TCP_FLAG_BITS[flag];
    if (set & bit) tests.push(`${flagTest(flag, family)} != 0`);
    else if (clear & bit) tests.push(`${flagTest(flag, family)} == 0`);
  }
  return tests;
}
