/**
 * libpcap's texts: C strings for its calls, its error buffer, `pcap_geterr` and `pcap_statustostr`.
 *
 * @module
 */
import type { Libpcap } from "./_pcap_symbols.ts";

/** `PCAP_ERRBUF_SIZE`: the error buffer some calls fill. */
export const PCAP_ERRBUF_SIZE = 256;

const decoder = new TextDecoder();

/**
 * The text in an error buffer, up to its NUL.
 *
 * @param errbuf A buffer of {@linkcode PCAP_ERRBUF_SIZE} bytes that libpcap wrote into.
 * @returns The message.
 */
export function readErrbuf(errbuf: Uint8Array): string {
  const end = errbuf.indexOf(0);
  return decoder.decode(errbuf.subarray(0, end < 0 ? errbuf.length : end));
}

/**
 * The last error of a handle (`pcap_geterr`).
 *
 * @param lib libpcap.
 * @param handle The handle.
 * @returns The message, empty when there is none.
 */
export function geterr(lib: Libpcap, handle: Deno.PointerObject): string {
  const ptr = lib.pcap_geterr(handle);
  return ptr === null ? "" : Deno.UnsafePointerView.getCString(ptr);
}

/**
 * The text of a status or error code (`pcap_statustostr`).
 *
 * @param lib libpcap.
 * @param status A `PCAP_ERROR_*` or `PCAP_WARNING_*` value.
 * @returns The message.
 */
export function statusText(lib: Libpcap, status: number): string {
  const ptr = lib.pcap_statustostr(status);
  return ptr === null ? `error ${status}` : Deno.UnsafePointerView.getCString(ptr);
}
