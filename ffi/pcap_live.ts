/**
 * Opening a live capture: `pcap_create`, the capture options, `pcap_activate`, and its errors and warnings
 * as {@linkcode PcapError}s and text.
 *
 * @module
 */
import type { Libpcap } from "./_pcap_symbols.ts";
import { cString } from "./_cstring.ts";
import { geterr, PCAP_ERRBUF_SIZE, readErrbuf, statusText } from "./_pcap_text.ts";
import { PcapError } from "./pcap_error.ts";

const PCAP_WARNING = 1;
const PCAP_ERROR_NO_SUCH_DEVICE = -5;
const PCAP_ERROR_PERM_DENIED = -8;
const PCAP_ERROR_IFACE_NOT_UP = -9;
const PCAP_ERROR_PROMISC_PERM_DENIED = -11;
const PCAP_WARNING_PROMISC_NOTSUP = 2;

/** Options for `PcapHandle.openLive`. */
export interface LiveOptions {
  /**
   * Bytes captured per packet; default 65535. Keep it small when only headers matter: in immediate mode
   * Linux libpcap uses TPACKET_V2, whose ring slots are snaplen-sized, so 65535 with the default 2 MiB
   * buffer leaves room for about 31 packets (a burst of 300 datagrams lost most of them at 65535, some with
   * a 16 MiB buffer, none at 512: docs/performance.md, "Measured once").
   */
  readonly snaplen?: number;
  /** Kernel buffer size in bytes; libpcap's default (2 MiB) when unset. */
  readonly bufferSize?: number;
  /** Promiscuous mode; default `false` (like knockd). */
  readonly promisc?: boolean;
  /** Deliver packets as soon as they arrive; default `true`. */
  readonly immediate?: boolean;
  /** Read timeout in milliseconds; default 100 (needed on Linux even in non-blocking mode). */
  readonly timeoutMs?: number;
}

/** An activated live handle and its activation warning. */
export interface ActivatedHandle {
  /** The `pcap_t *`. */
  readonly handle: Deno.PointerObject;
  /** The activation warning (`pcap_activate` > 0), if any. */
  readonly warning: string | undefined;
}

/**
 * Creates, configures and activates a live handle; on failure nothing is left open.
 *
 * @param lib libpcap.
 * @param device Interface name (`eth0`, `lo`, `any`).
 * @param options Capture options.
 * @returns The handle and its warning.
 * @throws {PcapError} `no-such-device`, `permission-denied`, `interface-not-up`, `activate-failed` or
 *   `open-failed`.
 */
export function activateLive(lib: Libpcap, device: string, options: LiveOptions): ActivatedHandle {
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  const handle = lib.pcap_create(cString(device), errbuf);
  if (handle === null) {
    throw new PcapError(
      "open-failed",
      `Cannot open "${device}": ${readErrbuf(errbuf)}`,
      readErrbuf(errbuf),
    );
  }
  try {
    lib.pcap_set_snaplen(handle, options.snaplen ?? 65535);
    lib.pcap_set_promisc(handle, options.promisc ? 1 : 0);
    if (lib.pcap_set_immediate_mode !== null) {
      lib.pcap_set_immediate_mode(handle, options.immediate === false ? 0 : 1);
    }
    if (options.bufferSize !== undefined) lib.pcap_set_buffer_size(handle, options.bufferSize);
    lib.pcap_set_timeout(handle, options.timeoutMs ?? 100);
    const rc = lib.pcap_activate(handle);
    if (rc < 0) throw activateError(lib, handle, device, rc);
    let warning: string | undefined;
    if (rc > 0) {
      warning = rc === PCAP_WARNING ? geterr(lib, handle) : statusText(lib, rc);
      if (rc === PCAP_WARNING_PROMISC_NOTSUP) warning = `Promiscuous mode not supported on "${device}"`;
    }
    return { handle, warning };
  } catch (error) {
    lib.pcap_close(handle);
    throw error;
  }
}

function activateError(lib: Libpcap, handle: Deno.PointerObject, device: string, rc: number): PcapError {
  const detail = geterr(lib, handle) || statusText(lib, rc);
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return new PcapError("no-such-device", `No such interface: ${device}`, detail);
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return new PcapError(
        "permission-denied",
        `Cannot capture on "${device}": run as root or grant cap_net_raw`,
        detail,
      );
    case PCAP_ERROR_IFACE_NOT_UP:
      return new PcapError("interface-not-up", `Interface "${device}" is not up`, detail);
    default:
      return new PcapError("activate-failed", `Cannot capture on "${device}": ${detail}`, detail);
  }
}
