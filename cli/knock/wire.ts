/**
 * knock's hits as knockd's `knock` sends them: a TCP SYN from a non-blocking `connect()` closed at once, a
 * one-byte datagram for UDP.
 *
 * @module
 */
import { ERRNO, familyOf, sockaddr, Socket, socketError, type SocketOptions } from "../../ffi/socket.ts";

/**
 * knock's TCP hit: a non-blocking `connect()` closed at once, so the kernel sends exactly one SYN
 * with its normal options and no retransmission.
 *
 * @param address 4 or 16 address bytes.
 * @param port The port.
 * @param options Socket options.
 * @throws {SocketError} when the connect fails for another reason than "in progress" or "refused".
 */
export function tcpKnock(address: Uint8Array, port: number, options: SocketOptions = {}): void {
  using socket = Socket.open(familyOf(address), "stream", { nonblocking: true });
  socket.applyOptions(options);
  const code = socket.connect(sockaddr(address, port));
  if (code !== 0 && code !== ERRNO.EINPROGRESS && code !== ERRNO.ECONNREFUSED) {
    throw socketError("connect", code);
  }
}

/**
 * knock's UDP hit: one datagram (by default the single byte 0x00 knock sends).
 *
 * @param address 4 or 16 address bytes.
 * @param port The port.
 * @param payload The datagram.
 * @param options Socket options.
 * @throws {SocketError} when `sendto` fails.
 */
export function udpKnock(
  address: Uint8Array,
  port: number,
  payload: Uint8Array = Uint8Array.of(0),
  options: SocketOptions = {},
): void {
  using socket = Socket.open(familyOf(address), "datagram");
  socket.applyOptions(options);
  socket.sendTo(payload, sockaddr(address, port));
}
