/**
 * `knocktool craft`: build IPv4/IPv6 TCP, UDP or ICMP packets with every header field settable,
 * print them (`--hexdump`, `--json`), record them (`--pcap`) and send them through a persistent raw
 * socket, fast: each packet is built once and only the fields left random are patched per copy;
 * `--rate` paces in batches without a timer per packet.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import { command, constant, flag, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import {
  buildPacketDetailed,
  createRng,
  encodePcap,
  formatIP,
  LINKTYPE,
  type PcapPacket,
  tryParseIP,
} from "../../core/packet/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import { ERRNO } from "../../ffi/socket.ts";
import { sanitize } from "../_text.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME } from "../version.ts";
import { describePacket, hexdump, summarize } from "./describe.ts";
import type { CraftNet, RawSender } from "./net.ts";
import { makePatcher, type Patcher } from "./patch.ts";
import { buildSteps, type FieldArgs } from "./spec.ts";
import { parseIntField, parseNumberField, UsageError } from "./values.ts";

function text(
  name: `-${string}`,
  metavar: `${Uppercase<string>}${string}`,
  description: ReturnType<typeof message>,
) {
  return optional(option(name, string({ metavar }), { description }));
}

function bool(name: `-${string}`, description: ReturnType<typeof message>) {
  return withDefault(flag(name, { description }), false);
}

const ipFields = {
  src: text("--src", "ADDR", message`Source address (default: the kernel's choice for the route).`),
  ttl: text("--ttl", "N", message`IPv4 TTL or IPv6 hop limit (default 64).`),
  hopLimit: text("--hop-limit", "N", message`IPv6 hop limit (same field as ${"--ttl"}).`),
  tos: text("--tos", "N", message`IPv4 TOS or IPv6 traffic class (default 0).`),
  trafficClass: text("--traffic-class", "N", message`IPv6 traffic class (same field as ${"--tos"}).`),
  flowLabel: text("--flow-label", "N", message`IPv6 flow label, 20 bits (default 0).`),
  id: text("--id", "N", message`IPv4 identification (default random per packet).`),
  df: bool("--df", message`Set IPv4 don't-fragment.`),
  mf: bool("--mf", message`Set IPv4 more-fragments.`),
  rf: bool("--rf", message`Set the IPv4 reserved ("evil") bit.`),
  fragOffset: text("--frag-offset", "N", message`IPv4 fragment offset in 8-byte units.`),
  ipOpt: text(
    "--ip-opt",
    "LIST",
    message`IPv4 options: ${"nop,eol,ra[=N],rr=N,lsrr=A+B,ssrr=A+B,ts=N,raw=HEX,kind=K:HEX"}.`,
  ),
  ipChecksum: text(
    "--ip-checksum",
    "N",
    message`IPv4 header checksum override (the kernel recomputes it on send).`,
  ),
};

const transportFields = {
  proto: text("--proto", "PROTO", message`${"tcp"} (default), ${"udp"} or ${"icmp"} (ICMPv6 over IPv6).`),
  dport: text("--dport", "PORT", message`Destination port.`),
  sport: text("--sport", "PORT", message`Source port (default random per packet).`),
  sequence: text(
    "--sequence",
    "LIST",
    message`A knock sequence such as ${"7000:tcp,8000:udp"}, one packet per step.`,
  ),
  flags: text("--flags", "SPEC", message`TCP flags, e.g. ${"syn,!ack"} or ${"fin,psh,urg"} (default syn).`),
  seq: text("--seq", "N", message`TCP sequence number (default random per packet).`),
  ack: text("--ack", "N", message`TCP acknowledgment number (default random with ACK, else 0).`),
  window: text("--window", "N", message`TCP window (default 64240).`),
  urg: text("--urg", "N", message`TCP urgent pointer.`),
  dataOffset: text("--data-offset", "N", message`TCP data offset override in 32-bit words.`),
  tcpReserved: text("--tcp-reserved", "N", message`The 3 reserved TCP header bits.`),
  tcpOpt: text(
    "--tcp-opt",
    "LIST",
    message`TCP options: ${"mss=1460,wscale=7,sackok,sack=L-R,ts=V:E,nop,eol,raw=HEX,kind=K:HEX"}.`,
  ),
  udpLen: text("--udp-len", "N", message`UDP length override.`),
  checksum: text("--checksum", "N", message`Transport checksum override.`),
  badChecksum: bool("--bad-checksum", message`Send a deliberately wrong transport checksum.`),
  icmpType: text("--icmp-type", "N", message`ICMP type (default echo request).`),
  icmpCode: text("--icmp-code", "N", message`ICMP code.`),
  icmpId: text("--icmp-id", "N", message`ICMP echo id (default random per packet).`),
  icmpSeq: text("--icmp-seq", "N", message`ICMP echo sequence.`),
  data: text("--data", "TEXT", message`Payload text (UTF-8).`),
  dataHex: text("--data-hex", "HEX", message`Payload in hex, e.g. ${"6b6e6f636b"}.`),
  dataFile: text("--data-file", "FILE", message`Payload from a file.`),
};

const runFields = {
  dst: text("--dst", "HOST", message`Destination host name or address (required).`),
  ipv4: bool("-4", message`Resolve HOST to IPv4 only.`),
  ipv6: bool("-6", message`Resolve HOST to IPv6 only.`),
  count: text("--count", "N", message`Packets to send (default 1; unlimited with ${"--duration"}).`),
  rate: text("--rate", "PPS", message`At most PPS packets per second.`),
  duration: text("--duration", "SECONDS", message`Stop after this long.`),
  delay: text("--delay", "MS", message`Wait MS milliseconds between packets (between steps of a sequence).`),
  seed: text("--seed", "N", message`Seed for random fields: the same seed gives the same packets.`),
  dryRun: bool("--dry-run", message`Build and print, send nothing (no root needed).`),
  hexdump: bool("--hexdump", message`Print a hex dump of each packet.`),
  json: bool("--json", message`Print one JSON object per packet with every field.`),
  pcap: text(
    "--pcap",
    "FILE",
    message`Write the packets sent (or that would be sent) to FILE (raw IP link type).`,
  ),
  device: text("--device", "IF", message`Send through this interface (SO_BINDTODEVICE).`),
  mark: text("--mark", "N", message`Firewall mark on the socket (SO_MARK, needs cap_net_admin).`),
  verbose: bool("--verbose", message`Print a summary line per packet when sending.`),
};

/** The parser of `knocktool craft ...`. */
export const craftCommand = command(
  "craft",
  object({ command: constant("craft"), ...runFields, ...ipFields, ...transportFields }),
  {
    brief: message`Build and send packets with every header field under control.`,
    description:
      message`Build IPv4/IPv6 TCP, UDP or ICMP packets with any field set, print them, write them to a pcap file, and send them through a raw socket (root or cap_net_raw; not with --dry-run).`,
    footer: message`Exit status: 0 every packet sent, 1 a send failed, 2 usage error.`,
  },
);

/** The parsed arguments of `craft`. */
export interface CraftArgs extends FieldArgs {
  readonly dst?: string | undefined;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly src?: string | undefined;
  readonly dataFile?: string | undefined;
  readonly count?: string | undefined;
  readonly rate?: string | undefined;
  readonly duration?: string | undefined;
  readonly delay?: string | undefined;
  readonly seed?: string | undefined;
  readonly dryRun: boolean;
  readonly hexdump: boolean;
  readonly json: boolean;
  readonly pcap?: string | undefined;
  readonly device?: string | undefined;
  readonly mark?: string | undefined;
  readonly verbose: boolean;
}

/** A failure at run time: exit status 1. */
class RuntimeFailure extends Error {}

/** Runs `knocktool craft` and returns the exit status. */
export async function runCraft(args: CraftArgs, io: Io, net: CraftNet): Promise<number> {
  try {
    return await craft(args, io, net);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RuntimeFailure) {
      io.stderr(`${PROGRAM_NAME} craft: ${sanitize(error.message)}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

function resolveDestination(args: CraftArgs, net: CraftNet): Uint8Array {
  if (args.dst === undefined) throw new UsageError("--dst: required");
  if (args.ipv4 && args.ipv6) throw new UsageError("-4 and -6 cannot be combined");
  const family = args.ipv4 ? 4 : args.ipv6 ? 6 : 0;
  const literal = tryParseIP(args.dst);
  if (literal !== undefined) {
    if (family !== 0 && literal.bytes.length !== (family === 4 ? 4 : 16)) {
      throw new UsageError(`--dst: "${args.dst}" is not an IPv${family} address`);
    }
    return literal.bytes;
  }
  try {
    const first = net.resolve(args.dst, family)[0];
    if (first !== undefined) return first;
    throw new Error("no address");
  } catch (error) {
    throw new RuntimeFailure(`--dst: cannot resolve "${args.dst}": ${errorMessage(error)}`);
  }
}

interface Pace {
  readonly count: number;
  readonly rate: number | undefined;
  readonly durationMs: number | undefined;
  readonly delayMs: number;
}

function pacing(args: CraftArgs): Pace {
  const durationMs = args.duration === undefined
    ? undefined
    : parseNumberField("--duration", args.duration, 0, 31_536_000) * 1000;
  const count = args.count === undefined
    ? (durationMs === undefined ? 1 : Number.POSITIVE_INFINITY)
    : parseIntField("--count", args.count, 1, Number.MAX_SAFE_INTEGER);
  const rate = args.rate === undefined ? undefined : parseNumberField("--rate", args.rate, 0.001, 1e9);
  const delayMs = args.delay === undefined ? 0 : parseIntField("--delay", args.delay, 0, 86_400_000);
  return { count, rate, durationMs, delayMs };
}

async function craft(args: CraftArgs, io: Io, net: CraftNet): Promise<number> {
  const pace = pacing(args);
  const seed = args.seed === undefined
    ? net.randomSeed()
    : parseIntField("--seed", args.seed, 0, 2 ** 53 - 1);
  const mark = args.mark === undefined ? undefined : parseIntField("--mark", args.mark, 0, 0xffffffff);
  if (args.dryRun && (args.device !== undefined || mark !== undefined)) {
    throw new UsageError("--device and --mark: only when sending, not with --dry-run");
  }
  const socketOptions = {
    ...(args.device === undefined ? {} : { device: args.device }),
    ...(mark === undefined ? {} : { mark }),
  };
  const dst = resolveDestination(args, net);
  const family = dst.length === 4 ? 4 : 6;
  let src: Uint8Array;
  if (args.src !== undefined) {
    const parsed = tryParseIP(args.src);
    if (parsed === undefined) throw new UsageError(`--src: "${args.src}" is not an IP address`);
    if (parsed.bytes.length !== dst.length) {
      throw new UsageError(
        `--src: "${args.src}" is IPv${parsed.bytes.length === 4 ? 4 : 6} but --dst is IPv${family}`,
      );
    }
    src = parsed.bytes;
  } else {
    try {
      src = net.sourceFor(dst, socketOptions);
    } catch (error) {
      throw new RuntimeFailure(
        `No source address towards ${formatIP(dst)} (${errorMessage(error)}); give --src`,
      );
    }
  }
  let payloadFile: Uint8Array | undefined;
  if (args.dataFile !== undefined) {
    try {
      payloadFile = io.readFile(args.dataFile);
    } catch (error) {
      throw new UsageError(`--data-file: cannot read "${args.dataFile}": ${osReason(error)}`);
    }
  }
  const steps = buildSteps(args, family, src, dst, payloadFile);
  const rng = createRng(seed);
  const templates: Uint8Array[] = [];
  const patchers: (Patcher | undefined)[] = [];
  for (const step of steps) {
    let bytes: Uint8Array;
    try {
      bytes = buildPacketDetailed(step.spec, rng).bytes;
    } catch (error) {
      throw new UsageError(`packet: ${errorMessage(error)}`);
    }
    templates.push(bytes);
    patchers.push(makePatcher(bytes, step.varying));
  }

  let sender: RawSender | undefined;
  if (!args.dryRun) {
    try {
      sender = net.openRaw(family, socketOptions);
    } catch (error) {
      throw new RuntimeFailure(`${errorMessage(error)} (--dry-run builds packets without sending)`);
    }
  }
  const address = net.sockaddr(dst);
  const record = args.json || args.hexdump || args.pcap !== undefined || args.dryRun || args.verbose;
  const pcapRecords: PcapPacket[] = [];
  const total = pace.count * steps.length;
  let sent = 0;
  let failed = 0;
  let firstError: number | undefined;
  const start = net.now();
  const wallStart = net.wallClock();
  const deadline = pace.durationMs === undefined ? Number.POSITIVE_INFINITY : start + pace.durationMs;
  const interval = pace.rate === undefined ? 0 : 1000 / pace.rate;
  let index = 0;
  try {
    for (; index < total; index++) {
      // Deadline and pacing: checked every packet when paced, every 256 packets in a flood.
      if (interval > 0 || pace.delayMs > 0 || (index & 255) === 0) {
        const now = net.now();
        if (now >= deadline) break;
        if (interval > 0 && !args.dryRun) {
          const due = start + index * interval;
          if (due - now >= 1) await net.sleep(Math.min(due - now, deadline - now));
          if (net.now() >= deadline) break;
        }
      }
      const step = index % steps.length;
      const bytes = templates[step]!;
      if (index >= steps.length) patchers[step]?.(bytes, rng);
      let errno = 0;
      if (sender !== undefined) {
        errno = sender.trySend(bytes, address);
        for (let retry = 0; retry < 1000 && (errno === ERRNO.ENOBUFS || errno === ERRNO.EAGAIN); retry++) {
          errno = sender.trySend(bytes, address);
        }
        if (errno === 0) sent++;
        else {
          failed++;
          firstError ??= errno;
        }
      }
      if (record) {
        const timeMs = wallStart + (net.now() - start);
        if (args.pcap !== undefined) pcapRecords.push({ timeMs, data: bytes.slice() });
        if (args.json) {
          io.stdout(
            `${
              JSON.stringify({
                index,
                ...(steps.length > 1 ? { step } : {}),
                timeMs: Math.round(timeMs * 1000) / 1000,
                ...describePacket(bytes),
                sent: sender !== undefined && errno === 0,
                ...(errno === 0 ? {} : { error: net.errorText(errno) }),
              })
            }\n`,
          );
        } else if (args.hexdump) {
          io.stdout(`# ${index + 1}: ${summarize(bytes)}\n${hexdump(bytes)}`);
        } else {
          io.stdout(`${summarize(bytes)}\n`);
        }
      }
      if (pace.delayMs > 0 && index + 1 < total) await net.sleep(pace.delayMs);
    }
  } finally {
    sender?.close();
  }

  if (args.pcap !== undefined) {
    try {
      net.writeFile(args.pcap, encodePcap(pcapRecords, { linkType: LINKTYPE.raw }));
    } catch (error) {
      throw new RuntimeFailure(`--pcap: cannot write "${args.pcap}": ${osReason(error)}`);
    }
  }
  if (sender !== undefined) {
    const seconds = (net.now() - start) / 1000;
    const pps = seconds > 0 ? Math.round(sent / seconds) : sent;
    io.stderr(
      `${PROGRAM_NAME} craft: sent ${sent} of ${index} packets in ${seconds.toFixed(3)} s (${pps} pps)\n`,
    );
  }
  if (failed > 0) {
    throw new RuntimeFailure(`${failed} of ${index} packets failed: ${net.errorText(firstError!)}`);
  }
  return 0;
}
