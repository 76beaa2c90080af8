/**
 * Where `craft`'s packets go and come from: `--dst` (a host, an address, or a CIDR block with
 * `--rand-dest`), `--src` (an address, spoofed or not, or a CIDR block with `--rand-source`), and
 * the kernel's source for the route when `--src` is not given, said out loud with `--dry-run`.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import { formatIP, type Rng, tryParseIP } from "../../core/packet/mod.ts";
import type { SocketOptions } from "../../ffi/socket.ts";
import type { CraftArgs } from "./parser.ts";
import type { CraftNet } from "./net.ts";
import { type Block, parseBlock, randomAddress } from "./blocks.ts";
import { UsageError } from "./values.ts";

/** What the packets' addresses are. */
export interface AddressPlan {
  readonly family: 4 | 6;
  /** The destination of the first packet. */
  readonly dst: Uint8Array;
  /** The source of the first packet. */
  readonly src: Uint8Array;
  /** Each packet gets a random destination in this block (`--rand-dest`). */
  readonly dstBlock?: Block;
  /** Each packet gets a random source in this block (`--rand-source`). */
  readonly srcBlock?: Block;
  /** The kernel's source address on the route to `dst` (not known when there is no route). */
  readonly routeSource?: Uint8Array;
  /** Said before anything is printed with `--dry-run` when the source was not given. */
  readonly note?: string;
}

/** A failure at run time (no route, name not resolved): exit status 1. */
export class RuntimeFailure extends Error {}

function familyOf(bytes: Uint8Array): 4 | 6 {
  return bytes.length === 4 ? 4 : 6;
}

function destination(args: CraftArgs, net: CraftNet, rng: Rng): { dst: Uint8Array; block?: Block } {
  if (args.ipv4 && args.ipv6) throw new UsageError("-4 and -6 cannot be combined");
  const family = args.ipv4 ? 4 : args.ipv6 ? 6 : 0;
  const block = parseBlock("--dst", args.dst);
  if (block !== undefined) {
    if (!args.randDest) {
      throw new UsageError(`--dst: "${args.dst}" is a CIDR block; add --rand-dest to spread over it`);
    }
    if (family !== 0 && familyOf(block.base) !== family) {
      throw new UsageError(`--dst: "${args.dst}" is not an IPv${family} block`);
    }
    return { dst: randomAddress(block, rng), block };
  }
  if (args.randDest) throw new UsageError(`--rand-dest: --dst must be a CIDR block such as 10.0.0.0/24`);
  const literal = tryParseIP(args.dst);
  if (literal !== undefined) {
    if (family !== 0 && literal.bytes.length !== (family === 4 ? 4 : 16)) {
      throw new UsageError(`--dst: "${args.dst}" is not an IPv${family} address`);
    }
    return { dst: literal.bytes };
  }
  try {
    const first = net.resolve(args.dst, family)[0];
    if (first !== undefined) return { dst: first };
    throw new Error("no address");
  } catch (error) {
    throw new RuntimeFailure(`--dst: cannot resolve "${args.dst}": ${errorMessage(error)}`);
  }
}

/**
 * Works out the addresses of `craft`'s packets. The first random addresses are drawn from `rng`
 * before any header field, so a seed reproduces them.
 *
 * @throws {UsageError} for a bad `--src`/`--dst`, or `--dry-run` with no route and no `--src`.
 * @throws {RuntimeFailure} when a name does not resolve, or there is no route when sending.
 */
export function planAddresses(args: CraftArgs, net: CraftNet, rng: Rng, socket: SocketOptions): AddressPlan {
  const { dst, block: dstBlock } = destination(args, net, rng);
  const family = familyOf(dst);
  let routeSource: Uint8Array | undefined;
  let routeError: unknown;
  try {
    routeSource = net.sourceFor(dst, socket);
  } catch (error) {
    routeError = error;
  }
  const base = { family, dst, ...(dstBlock === undefined ? {} : { dstBlock }) };
  const route = routeSource === undefined ? {} : { routeSource };
  if (args.src !== undefined) {
    const srcBlock = parseBlock("--src", args.src);
    const parsed = srcBlock === undefined ? tryParseIP(args.src)?.bytes : srcBlock.base;
    if (parsed === undefined) throw new UsageError(`--src: "${args.src}" is not an IP address`);
    if (parsed.length !== dst.length) {
      throw new UsageError(`--src: "${args.src}" is IPv${familyOf(parsed)} but --dst is IPv${family}`);
    }
    if (srcBlock !== undefined && !args.randSource) {
      throw new UsageError(`--src: "${args.src}" is a CIDR block; add --rand-source to spread over it`);
    }
    if (srcBlock !== undefined) return { ...base, ...route, src: randomAddress(srcBlock, rng), srcBlock };
    if (args.randSource) {
      throw new UsageError(
        `--rand-source: --src must be a CIDR block such as 10.0.0.0/8 (or leave --src out)`,
      );
    }
    return { ...base, ...route, src: parsed };
  }
  if (args.randSource) {
    const srcBlock = { base: new Uint8Array(dst.length), prefix: 0 };
    return { ...base, ...route, src: randomAddress(srcBlock, rng), srcBlock };
  }
  if (routeSource === undefined) {
    const why = `no route to ${formatIP(dst)} (${errorMessage(routeError)})`;
    if (args.dryRun) throw new UsageError(`--src: required with --dry-run when there is ${why}`);
    throw new RuntimeFailure(`No source address: ${why}; give --src`);
  }
  const device = net.interfaceFor(dst, routeSource, socket);
  const note = `source ${formatIP(routeSource)}: the kernel's choice for the route to ${formatIP(dst)}${
    device === undefined ? "" : ` via ${device}`
  } (--src sets another)`;
  return { ...base, ...route, src: routeSource, note };
}
