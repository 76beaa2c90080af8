/**
 * Thin, typed bindings to native libraries through `Deno.dlopen`: libpcap and a little of libc.
 * No policy lives here.
 *
 * @module
 */
export {
  compileCheck,
  type CompileCheckResult,
  type FrameHandler,
  type LiveOptions,
  PcapError,
  type PcapErrorKind,
  PcapHandle,
  type PcapStats,
} from "./pcap.ts";
export { LIBPCAP_NAMES, loadLibpcap } from "./_pcap_symbols.ts";
export { errno, strerror, waitReadable } from "./libc.ts";
export { captureLoop, type CaptureLoopOptions } from "./capture_loop.ts";
