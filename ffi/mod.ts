/**
 * Thin, typed bindings to native libraries through `Deno.dlopen`: libpcap, libnftables (nft commands
 * in-process) and a little of libc (one library handle, one symbol table). No policy lives here.
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
export { type Libpcap, LIBPCAP_NAMES, loadLibpcap, PCAP_SYMBOLS } from "./_pcap_symbols.ts";
export { errno, strerror, waitReadable, waitWritable } from "./libc.ts";
export {
  decodeWaitStatus,
  type ExitStatus,
  kill,
  type PipeInput,
  PreparedSpawn,
  SIGNAL,
  spawn,
  spawnAvailable,
  type SpawnedProcess,
  SpawnError,
  type SpawnOptions,
  type SpawnStdio,
} from "./spawn.ts";
export { captureLoop, type CaptureLoopOptions, type WakeSource } from "./capture_loop.ts";
export { PacketWake, PacketWakeError, wakeFilter } from "./packet_wake.ts";
export {
  CPU_MASK_BYTES,
  cpuMask,
  currentCpu,
  getAffinity,
  maskCpus,
  ownThreads,
  SCHED,
  setAffinity,
  setThreadPolicy,
  type ThreadInfo,
  threadPolicy,
} from "./sched.ts";
export {
  AF,
  ERRNO,
  type Family,
  familyOf,
  type OpenOptions,
  RawSocket,
  sockaddr,
  Socket,
  SocketError,
  socketError,
  type SocketKind,
  type SocketOptions,
  sourceAddressFor,
} from "./socket.ts";
export { resolveHost, reverseName, serviceByName } from "./resolve.ts";
export { type Libnftables, NFTABLES_SYMBOLS } from "./_nftables_symbols.ts";
export {
  LIBNFTABLES_NAMES,
  loadLibnftables,
  NFT_OUTPUT,
  NftablesMissingError,
  NftContext,
  type NftRunOptions,
  type NftRunResult,
} from "./nftables.ts";
export {
  closeSyslog,
  LOG_DAEMON,
  LOG_ERR,
  LOG_NOTICE,
  LOG_WARNING,
  openSyslog,
  writeSyslog,
} from "./syslog.ts";
