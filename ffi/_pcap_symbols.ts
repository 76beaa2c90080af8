/**
 * libpcap symbol table for `Deno.dlopen`, and the library loader.
 *
 * @module
 */
import { PcapError } from "./pcap_error.ts";

/** The libpcap functions knocktool uses, with their C signatures in comments. */
export const PCAP_SYMBOLS = {
  /** `pcap_t *pcap_create(const char *source, char *errbuf)` */
  pcap_create: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** `int pcap_set_snaplen(pcap_t *p, int snaplen)` */
  pcap_set_snaplen: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_promisc(pcap_t *p, int promisc)` */
  pcap_set_promisc: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_immediate_mode(pcap_t *p, int immediate)` (libpcap ≥ 1.5) */
  pcap_set_immediate_mode: { parameters: ["pointer", "i32"], result: "i32", optional: true },
  /** `int pcap_set_buffer_size(pcap_t *p, int buffer_size)` */
  pcap_set_buffer_size: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_timeout(pcap_t *p, int to_ms)` */
  pcap_set_timeout: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_activate(pcap_t *p)` */
  pcap_activate: { parameters: ["pointer"], result: "i32" },
  /** `pcap_t *pcap_open_offline(const char *fname, char *errbuf)` */
  pcap_open_offline: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** `pcap_t *pcap_open_dead(int linktype, int snaplen)` */
  pcap_open_dead: { parameters: ["i32", "i32"], result: "pointer" },
  /** `int pcap_datalink(pcap_t *p)` */
  pcap_datalink: { parameters: ["pointer"], result: "i32" },
  /** `int pcap_snapshot(pcap_t *p)` */
  pcap_snapshot: { parameters: ["pointer"], result: "i32" },
  /** `int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask)` */
  pcap_compile: { parameters: ["pointer", "buffer", "buffer", "i32", "u32"], result: "i32" },
  /** `int pcap_setfilter(pcap_t *p, struct bpf_program *fp)` */
  pcap_setfilter: { parameters: ["pointer", "buffer"], result: "i32" },
  /** `void pcap_freecode(struct bpf_program *fp)` */
  pcap_freecode: { parameters: ["buffer"], result: "void" },
  /** `char *pcap_geterr(pcap_t *p)` */
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  /** `const char *pcap_statustostr(int error)` */
  pcap_statustostr: { parameters: ["i32"], result: "pointer" },
  /** `int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf)` */
  pcap_setnonblock: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  /** `int pcap_get_selectable_fd(pcap_t *p)` */
  pcap_get_selectable_fd: { parameters: ["pointer"], result: "i32" },
  /** `int pcap_dispatch(pcap_t *p, int cnt, pcap_handler callback, u_char *user)` */
  pcap_dispatch: { parameters: ["pointer", "i32", "function", "pointer"], result: "i32" },
  /** `int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data)` */
  pcap_next_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  /** `void pcap_breakloop(pcap_t *p)` */
  pcap_breakloop: { parameters: ["pointer"], result: "void" },
  /** `int pcap_stats(pcap_t *p, struct pcap_stat *ps)` */
  pcap_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  /** `void pcap_close(pcap_t *p)` */
  pcap_close: { parameters: ["pointer"], result: "void" },
  /** `const char *pcap_lib_version(void)` */
  pcap_lib_version: { parameters: [], result: "pointer" },
} as const;

/** The loaded libpcap. */
export type Libpcap = Deno.DynamicLibrary<typeof PCAP_SYMBOLS>["symbols"];

/** Library file names tried in order: other distributions, Debian, the -dev symlink. */
export const LIBPCAP_NAMES: readonly string[] = ["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"];

let cached: Libpcap | undefined;

/**
 * Loads libpcap once (later calls return the same symbols).
 *
 * @param names Library names to try, in order; for tests.
 * @returns The libpcap symbols.
 * @throws {PcapError} `kind: "not-installed"` when none of the names loads.
 */
export function loadLibpcap(names: readonly string[] = LIBPCAP_NAMES): Libpcap {
  if (cached !== undefined && names === LIBPCAP_NAMES) return cached;
  const failures: string[] = [];
  for (const name of names) {
    try {
      const lib = Deno.dlopen(name, PCAP_SYMBOLS).symbols;
      if (names === LIBPCAP_NAMES) cached = lib;
      return lib;
    } catch (error) {
      if (error instanceof Error && error.name === "NotCapable") throw error;
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new PcapError(
    "not-installed",
    "libpcap is not installed (apt-get install libpcap0.8)",
    failures.join("; "),
  );
}
