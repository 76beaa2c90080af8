/**
 * Names through libc: host names with `getaddrinfo` (files, DNS, ... as the system is configured) and
 * service names with `getservbyname` (`/etc/services`).
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { cString } from "./_cstring.ts";
import { AF, type Family, SOCK_STREAM, sockaddr, SocketError } from "./socket.ts";

/** `NI_NAMEREQD`: fail rather than return the address as text when it has no name. */
const NI_NAMEREQD = 8;
/** `NI_MAXHOST`. */
const MAX_HOST = 1025;

/**
 * Resolves a host name with `getaddrinfo` and returns the addresses in the resolver's order, without
 * duplicates.
 *
 * @param host A host name (or an address literal, which `getaddrinfo` returns as it is).
 * @param family 0 for any, 4 or 6 to restrict.
 * @returns 4- and 16-byte addresses.
 * @throws {SocketError} with `gaiCode` and `gai_strerror`'s text when resolution fails.
 */
export function resolveHost(host: string, family: 0 | Family = 0): Uint8Array[] {
  const lib = loadLibc();
  const hints = new Uint8Array(48);
  const view = new DataView(hints.buffer);
  view.setInt32(4, family === 0 ? 0 : family === 4 ? AF.inet : AF.inet6, true); // ai_family
  view.setInt32(8, SOCK_STREAM, true); // ai_socktype, so each address comes once
  const result = new BigUint64Array(1);
  const rc = lib.getaddrinfo(cString(host), null, hints, new Uint8Array(result.buffer));
  if (rc !== 0) {
    const ptr = lib.gai_strerror(rc);
    const reason = ptr === null ? `error ${rc}` : Deno.UnsafePointerView.getCString(ptr);
    throw new SocketError(`getaddrinfo: ${reason}`, "getaddrinfo", 0, rc);
  }
  const head = Deno.UnsafePointer.create(result[0]!);
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  try {
    // struct addrinfo on LP64: ai_family at 4, ai_addr at 24, ai_next at 40.
    let node: Deno.PointerValue = head;
    while (node !== null) {
      const entry = new Deno.UnsafePointerView(node);
      const entryFamily = entry.getInt32(4);
      const addr = entry.getPointer(24);
      if (addr !== null) {
        const sa = new Deno.UnsafePointerView(addr);
        let bytes: Uint8Array | undefined;
        if (entryFamily === AF.inet) bytes = new Uint8Array(sa.getArrayBuffer(4, 4).slice(0));
        if (entryFamily === AF.inet6) bytes = new Uint8Array(sa.getArrayBuffer(16, 8).slice(0));
        if (bytes !== undefined && !seen.has(bytes.join("."))) {
          seen.add(bytes.join("."));
          out.push(bytes);
        }
      }
      node = entry.getPointer(40);
    }
  } finally {
    lib.freeaddrinfo(head);
  }
  return out;
}

/**
 * Looks up a service name in the system's services database (`/etc/services`), as knock's
 * `getaddrinfo` does for a non-numeric port.
 *
 * @param name Service name, e.g. `ssh`.
 * @param protocol `tcp` or `udp`.
 * @returns The port number, or `undefined` when the service is unknown for that protocol.
 */
export function serviceByName(name: string, protocol: "tcp" | "udp"): number | undefined {
  const entry = loadLibc().getservbyname(cString(name), cString(protocol));
  if (entry === null) return undefined;
  // struct servent { char *s_name; char **s_aliases; int s_port; char *s_proto; }: s_port at 16, network order.
  const port = new Deno.UnsafePointerView(entry).getUint16(16);
  return ((port & 0xff) << 8) | (port >> 8);
}

/**
 * The host name of an address, as the system's resolver gives it (`getnameinfo` with `NI_NAMEREQD`: the
 * hosts file, DNS, ... as `/etc/nsswitch.conf` says), on a pool thread: the caller's thread never waits.
 *
 * @param address A 4- or 16-byte address.
 * @returns The name, or `undefined` when the address has none (or the lookup failed).
 */
export async function reverseName(address: Uint8Array): Promise<string | undefined> {
  const sa = sockaddr(address);
  const host = new Uint8Array(MAX_HOST);
  const rc = await loadLibc().getnameinfo(sa, sa.length, host, host.length, null, 0, NI_NAMEREQD);
  if (rc !== 0) return undefined;
  const end = host.indexOf(0);
  return new TextDecoder().decode(host.subarray(0, end < 0 ? host.length : end)) || undefined;
}
