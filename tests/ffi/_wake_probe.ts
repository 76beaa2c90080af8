/**
 * Run by tests/ffi/packet_wake_test.ts inside a server namespace (root):
 *
 *     deno run -A _wake_probe.ts IFACE FILTER FRAMES TIMEOUT_MS
 *
 * Opens a `PacketWake` and then libpcap on IFACE, in that order as `serve` does, both with FILTER; prints
 * `ready`; then, at every wake-up, drains the ring (non-blocking `dispatch`) and checks that it holds a frame
 * for every packet the wake socket has read so far (a wake-up never comes before its frame). After FRAMES
 * frames, or TIMEOUT_MS, it waits 300 ms more for stray wake-ups and prints one JSON line:
 * `{ "frames": n, "wakes": n, "wakeUps": n, "violations": n }`.
 *
 * @module
 */
import { PacketWake, PcapHandle } from "../../ffi/mod.ts";

const [iface, filter, framesArg, timeoutArg] = Deno.args;
if (iface === undefined || filter === undefined) throw new Error("usage: IFACE FILTER FRAMES TIMEOUT_MS");
const expected = Number(framesArg);
const deadline = performance.now() + Number(timeoutArg);

const wake = PacketWake.open(iface);
using pcap = PcapHandle.openLive(iface, { snaplen: 256, immediate: true });
pcap.setFilter(filter);
wake.setFilter(pcap.compileProgram(filter));
pcap.setNonblock(true);

let frames = 0;
let wakeUps = 0;
let violations = 0;
const drain = () => {
  while (pcap.dispatch(-1, () => frames++) > 0) { /* until empty */ }
};
drain();
// deno-lint-ignore no-console
console.log("ready");

const check = () => {
  drain();
  if (frames < wake.wakes) violations++;
};
while (frames < expected && performance.now() < deadline) {
  if (!(await wake.wait(Math.max(1, deadline - performance.now())))) break;
  wakeUps++;
  check();
}
const settle = performance.now() + 300;
while (performance.now() < settle) {
  if (!(await wake.wait(Math.max(1, settle - performance.now())))) break;
  wakeUps++;
  check();
}
drain();
// deno-lint-ignore no-console
console.log(JSON.stringify({ frames, wakes: wake.wakes, wakeUps, violations }));
wake.close();
