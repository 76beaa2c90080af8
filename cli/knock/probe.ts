/**
 * `--verify`'s probe: one TCP connection attempt with a timeout, told apart as open, refused (or another
 * failure) and no answer.
 *
 * @module
 */
import { strerror } from "../../ffi/libc.ts";
import { ERRNO, familyOf, sockaddr, Socket, SocketError } from "../../ffi/socket.ts";

/** Outcome of one {@linkcode probeTcp}. */
export type ProbeResult =
  | { readonly state: "open" }
  | { readonly state: "timeout" }
  | { readonly state: "closed"; readonly reason: string; readonly errno: number };

function closed(errno: number): ProbeResult {
  return { state: "closed", reason: strerror(errno), errno };
}

/**
 * Tries one TCP connection to `address`:`port` and waits at most `timeoutMs` for the handshake
 * (the wait runs on a worker thread). The connection is closed at once either way.
 *
 * @param address 4 or 16 address bytes.
 * @param port The port.
 * @param timeoutMs Longest wait for the handshake.
 * @returns How the attempt ended.
 * @throws {SocketError} when no socket can be made.
 */
export async function probeTcp(address: Uint8Array, port: number, timeoutMs: number): Promise<ProbeResult> {
  using socket = Socket.open(familyOf(address), "stream", { nonblocking: true });
  const code = socket.connect(sockaddr(address, port));
  if (code === 0) return { state: "open" };
  if (code !== ERRNO.EINPROGRESS) return closed(code);
  if (!(await socket.waitWritable(Math.max(0, Math.trunc(timeoutMs))))) return { state: "timeout" };
  let soError: number;
  try {
    soError = socket.pendingError();
  } catch (error) {
    if (error instanceof SocketError) return closed(error.errno);
    throw error;
  }
  return soError === 0 ? { state: "open" } : closed(soError);
}
