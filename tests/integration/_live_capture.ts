/**
 * Capture helper for the live test, run inside a network namespace:
 *
 *   deno run -A tests/integration/_live_capture.ts IFACE FILTER COUNT TIMEOUT_MS
 *
 * Prints JSON lines: `{"ready":…,"linktype":…}` once capturing, one `{"knock":…}` per decoded frame (or
 * `{"skip":reason}`), then `{"done":…,"stats":…}`. A PcapError becomes `{"error":{kind,message}}` and exit
 * code 2, with no stack trace.
 */
// deno-lint-ignore-file no-console
import { decodeFrame } from "../../core/decode/mod.ts";
import { captureLoop, PcapError, PcapHandle } from "../../ffi/mod.ts";

const [iface = "", filter = "", countText = "1", timeoutText = "5000"] = Deno.args;
const wanted = Number(countText);
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), Number(timeoutText));

try {
  // Headers only: with immediate mode each ring slot is snaplen-sized (see LiveOptions.snaplen).
  using pcap = PcapHandle.openLive(iface, { snaplen: 512, timeoutMs: 100 });
  if (filter !== "") pcap.setFilter(filter);
  const linktype = pcap.datalink();
  console.log(JSON.stringify({ ready: true, linktype, warning: pcap.warning ?? null }));
  let knocks = 0;
  await captureLoop(
    pcap,
    (tsMs, _caplen, _len, bytes) => {
      const result = decodeFrame(linktype, bytes, tsMs);
      console.log(JSON.stringify(result.ok ? { knock: result.knock } : { skip: result.reason }));
      if (result.ok && ++knocks >= wanted) controller.abort();
    },
    controller.signal,
    { pollTimeoutMs: 100 },
  );
  console.log(JSON.stringify({ done: true, knocks, stats: pcap.stats() }));
} catch (error) {
  if (!(error instanceof PcapError)) throw error;
  console.log(JSON.stringify({ error: { kind: error.kind, message: error.message } }));
  Deno.exitCode = 2;
} finally {
  clearTimeout(timer);
}
