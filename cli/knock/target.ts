/**
 * The address `knock` sends to: HOST as an IPv4 or IPv6 literal (`[...]` allowed), or resolved by the
 * system's resolver, restricted by `-4`/`-6`.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import { tryParseIP } from "../../core/packet/mod.ts";
import { UsageError } from "../craft/values.ts";
import type { KnockArgs } from "./command.ts";
import { RuntimeFailure } from "./failure.ts";
import type { KnockNet } from "./net.ts";

/**
 * The target address: the literal, or the resolver's first address.
 *
 * @param args The parsed arguments (`host`, `ipv4`, `ipv6`).
 * @param net The resolver.
 * @returns 4 or 16 address bytes.
 * @throws {UsageError} For a literal of the other family than `-4`/`-6` asks for.
 * @throws {RuntimeFailure} When the name does not resolve.
 */
export function resolveTarget(args: KnockArgs, net: KnockNet): Uint8Array {
  const family = args.ipv4 ? 4 : args.ipv6 ? 6 : 0;
  const literal = tryParseIP(
    args.host.startsWith("[") && args.host.endsWith("]") ? args.host.slice(1, -1) : args.host,
  );
  if (literal !== undefined) {
    if (family !== 0 && literal.bytes.length !== (family === 4 ? 4 : 16)) {
      throw new UsageError(`-${family}: "${args.host}" is not an IPv${family} address`);
    }
    return literal.bytes;
  }
  let addresses: Uint8Array[];
  try {
    addresses = net.resolve(args.host, family);
  } catch (error) {
    const reason = errorMessage(error);
    throw new RuntimeFailure(`Failed to resolve hostname "${args.host}": ${reason}`);
  }
  const first = addresses[0];
  if (first === undefined) throw new RuntimeFailure(`Failed to resolve hostname "${args.host}": no address`);
  return first;
}
