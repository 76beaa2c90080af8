/**
 * What to tell the user about a failed socket call, on top of libc's text: the privilege a raw socket or
 * `SO_MARK` needs, and the firewall rule behind an EPERM from `sendto`. Used by `knock` and `craft`.
 *
 * @module
 */
import { strerror } from "../../ffi/libc.ts";
import { ERRNO, SocketError } from "../../ffi/socket.ts";

/**
 * The message for `errno` after `syscall`, with a hint where one helps.
 *
 * @param syscall The failed call as {@linkcode SocketError.syscall} names it (`socket`, `sendto`, ...).
 * @param errno The errno value.
 * @param raw The call was made for a raw socket (its `socket` needs root or cap_net_raw).
 * @returns E.g. `sendto: Operation not permitted (a firewall OUTPUT rule, ...)`.
 */
export function socketErrorText(syscall: string, errno: number, raw = false): string {
  const reason = strerror(errno);
  if (raw && syscall === "socket" && (errno === ERRNO.EPERM || errno === ERRNO.EACCES)) {
    return `Raw sockets need root or cap_net_raw (socket: ${reason})`;
  }
  if (syscall === "sendto" && errno === ERRNO.EPERM) {
    return `sendto: ${reason} (a firewall OUTPUT rule, e.g. "ct state invalid drop", refused the packet)`;
  }
  if (syscall === "setsockopt SO_MARK" && errno === ERRNO.EPERM) {
    return `SO_MARK needs cap_net_admin (setsockopt: ${reason})`;
  }
  return `${syscall}: ${reason}`;
}

/**
 * A {@linkcode SocketError} with its hint ({@linkcode socketErrorText}); anything else as it is.
 *
 * @param error What a socket call threw.
 * @param raw The call was made for a raw socket.
 * @returns The error to throw instead.
 */
export function withHint(error: unknown, raw = false): unknown {
  if (!(error instanceof SocketError) || error.gaiCode !== undefined) return error;
  const message = socketErrorText(error.syscall, error.errno, raw);
  return message === error.message ? error : new SocketError(message, error.syscall, error.errno);
}

/**
 * Runs a socket call and throws its failure with the hint.
 *
 * @param call The call.
 * @param raw It is made for a raw socket.
 * @returns What `call` returns.
 */
export function hinted<T>(call: () => T, raw = false): T {
  try {
    return call();
  } catch (error) {
    throw withHint(error, raw);
  }
}
