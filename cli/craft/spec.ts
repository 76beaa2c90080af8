/**
 * From `craft`'s option strings to validated packet specs (one per sequence step). Every error
 * names its option and is a usage error (exit 2).
 *
 * @module
 */
import { flagMask, parseFlagSpec, TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { errorMessage } from "../../core/error_message.ts";
import {
  type IpSpec,
  type PacketSpec,
  parseHexPayload,
  textPayload,
  type TransportSpec,
} from "../../core/packet/mod.ts";
import { parseIpOptions, parseTcpOptions } from "./options.ts";
import type { Varying } from "./patch.ts";
import { parseIntField, parsePortItem, parseUintField, UsageError } from "./values.ts";

/** The field options of `craft`, as typed on the command line. */
export interface FieldArgs {
  readonly proto?: string | undefined;
  readonly dport?: string | undefined;
  readonly sequence?: string | undefined;
  readonly flags?: string | undefined;
  readonly sport?: string | undefined;
  readonly ttl?: string | undefined;
  readonly hopLimit?: string | undefined;
  readonly tos?: string | undefined;
  readonly trafficClass?: string | undefined;
  readonly flowLabel?: string | undefined;
  readonly id?: string | undefined;
  readonly df: boolean;
  readonly mf: boolean;
  readonly rf: boolean;
  readonly fragOffset?: string | undefined;
  readonly ipOpt?: string | undefined;
  readonly ipChecksum?: string | undefined;
  readonly seq?: string | undefined;
  readonly ack?: string | undefined;
  readonly window?: string | undefined;
  readonly urg?: string | undefined;
  readonly dataOffset?: string | undefined;
  readonly tcpReserved?: string | undefined;
  readonly tcpOpt?: string | undefined;
  readonly udpLen?: string | undefined;
  readonly checksum?: string | undefined;
  readonly icmpType?: string | undefined;
  readonly icmpCode?: string | undefined;
  readonly icmpId?: string | undefined;
  readonly icmpSeq?: string | undefined;
  readonly data?: string | undefined;
  readonly dataHex?: string | undefined;
  readonly badChecksum: boolean;
  /** hping3's `-2` and `-1`. */
  readonly udp: boolean;
  readonly icmp: boolean;
  /** hping3's flag letters `-S -A -F -R -P -U -X -Y`. */
  readonly syn: boolean;
  readonly ackFlag: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly psh: boolean;
  readonly urgFlag: boolean;
  readonly ece: boolean;
  readonly cwr: boolean;
  /** hping3's `-d`: the payload size. */
  readonly dataSize?: string | undefined;
}

/** One packet template and what varies from copy to copy. */
export interface StepSpec {
  readonly spec: PacketSpec;
  readonly varying: Varying;
}

function opt<T>(value: T | undefined, key: string): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

function u(name: string, text: string | undefined, bits: number): number | undefined {
  return text === undefined ? undefined : parseUintField(name, text, bits);
}

function protocolOptions(args: FieldArgs): string[] {
  return [
    ...(args.proto !== undefined ? ["--proto"] : []),
    ...(args.udp ? ["-2"] : []),
    ...(args.icmp ? ["-1"] : []),
  ];
}

/** hping3's flag letters given as options, and the bits they set. */
function flagLetters(args: FieldArgs): { readonly names: string[]; readonly bits: number } {
  const letters: [boolean, string, number][] = [
    [args.fin, "-F", TCP_FLAG_BITS.fin],
    [args.syn, "-S", TCP_FLAG_BITS.syn],
    [args.rst, "-R", TCP_FLAG_BITS.rst],
    [args.psh, "-P", TCP_FLAG_BITS.psh],
    [args.ackFlag, "-A", TCP_FLAG_BITS.ack],
    [args.urgFlag, "-U", TCP_FLAG_BITS.urg],
    [args.ece, "-X", TCP_FLAG_BITS.ece],
    [args.cwr, "-Y", TCP_FLAG_BITS.cwr],
  ];
  const given = letters.filter(([on]) => on);
  return { names: given.map(([, name]) => name), bits: given.reduce((bits, [, , bit]) => bits | bit, 0) };
}

/**
 * Builds the packet specs for `craft`: one per `--sequence` step, or one for `--dport`/`--proto`.
 *
 * @param payloadFile The bytes of `--data-file`, already read.
 * @throws {UsageError} naming the option.
 */
export function buildSteps(
  args: FieldArgs,
  family: 4 | 6,
  src: Uint8Array,
  dst: Uint8Array,
  payloadFile: Uint8Array | undefined,
): StepSpec[] {
  const v6only: [string, string | undefined][] = [["--flow-label", args.flowLabel]];
  const v4only: [string, unknown][] = [
    ["--id", args.id],
    ["--df", args.df || undefined],
    ["--mf", args.mf || undefined],
    ["--rf", args.rf || undefined],
    ["--frag-offset", args.fragOffset],
    ["--ip-opt", args.ipOpt],
    ["--ip-checksum", args.ipChecksum],
  ];
  for (const [name, value] of family === 6 ? v4only : v6only) {
    if (value !== undefined) throw new UsageError(`${name}: applies to IPv${family === 6 ? 4 : 6} only`);
  }
  if (args.ttl !== undefined && args.hopLimit !== undefined) {
    throw new UsageError("--hop-limit: cannot be combined with --ttl (they are the same field)");
  }
  if (args.tos !== undefined && args.trafficClass !== undefined) {
    throw new UsageError("--traffic-class: cannot be combined with --tos (they are the same field)");
  }
  const payloads = [args.data, args.dataHex, payloadFile].filter((p) => p !== undefined);
  if (payloads.length > 1) throw new UsageError("--data, --data-hex and --data-file: give at most one");
  let payload: Uint8Array | undefined;
  if (args.data !== undefined) payload = textPayload(args.data);
  if (args.dataHex !== undefined) {
    try {
      payload = parseHexPayload(args.dataHex);
    } catch (error) {
      throw new UsageError(`--data-hex: ${errorMessage(error)}`);
    }
  }
  if (payloadFile !== undefined) payload = payloadFile;
  if (args.dataSize !== undefined) {
    const size = parseIntField("-d/--data-size", args.dataSize, 0, 65535);
    const sized = new Uint8Array(size);
    sized.set((payload ?? new Uint8Array()).subarray(0, size));
    payload = sized;
  }

  const ip: IpSpec = {
    ...opt(u(args.ttl !== undefined ? "--ttl" : "--hop-limit", args.ttl ?? args.hopLimit, 8), "ttl"),
    ...opt(u(args.tos !== undefined ? "--tos" : "--traffic-class", args.tos ?? args.trafficClass, 8), "tos"),
    ...opt(u("--flow-label", args.flowLabel, 20), "flowLabel"),
    ...opt(u("--id", args.id, 16), "id"),
    ...(args.df ? { df: true } : {}),
    ...(args.mf ? { mf: true } : {}),
    ...(args.rf ? { rf: true } : {}),
    ...opt(u("--frag-offset", args.fragOffset, 13), "fragmentOffset"),
    ...opt(args.ipOpt === undefined ? undefined : parseIpOptions(args.ipOpt), "options"),
    ...opt(u("--ip-checksum", args.ipChecksum, 16), "checksum"),
  };

  const letters = flagLetters(args);
  let flags = TCP_FLAG_BITS.syn;
  if (args.flags !== undefined) {
    if (letters.names.length > 0) {
      throw new UsageError(
        `--flags: cannot be combined with ${letters.names.join(" ")} (give the flags one way)`,
      );
    }
    const parsed = parseFlagSpec(args.flags, { dialect: "craft" });
    if (parsed.diagnostics.length > 0) throw new UsageError(`--flags: ${parsed.diagnostics[0]!.message}`);
    flags = flagMask(parsed.spec).set;
  } else if (letters.names.length > 0) {
    flags = letters.bits;
  }
  const tcpFields = {
    ...opt(u("--seq", args.seq, 32), "seq"),
    ...opt(u("--ack", args.ack, 32), "ack"),
    ...opt(u("--window", args.window, 16), "window"),
    ...opt(u("--urg", args.urg, 16), "urgentPointer"),
    ...opt(u("--data-offset", args.dataOffset, 4), "dataOffset"),
    ...opt(u("--tcp-reserved", args.tcpReserved, 3), "reserved"),
    ...opt(args.tcpOpt === undefined ? undefined : parseTcpOptions(args.tcpOpt), "options"),
  };
  const sport = u("--sport", args.sport, 16);
  const checksum = u("--checksum", args.checksum, 16);
  if (checksum !== undefined && args.badChecksum) {
    throw new UsageError("--checksum: cannot be combined with --bad-checksum");
  }

  type Step = { port: number | undefined; protocol: "tcp" | "udp" | "icmp" };
  let steps: Step[];
  if (args.sequence !== undefined) {
    if (args.dport !== undefined) throw new UsageError("--sequence: cannot be combined with --dport");
    const given = protocolOptions(args);
    if (given.length > 0) {
      throw new UsageError(`--sequence: gives the protocols itself, drop ${given.join(" and ")}`);
    }
    const items = args.sequence.split(",");
    if (items.length > 64) throw new UsageError(`--sequence: at most 64 steps, got ${items.length}`);
    steps = items.map((item) => parsePortItem("--sequence", item.trim()));
  } else {
    const given = protocolOptions(args);
    if (given.length > 1) throw new UsageError(`${given.join(" and ")}: give one protocol`);
    const protocol = args.udp ? "udp" : args.icmp ? "icmp" : (args.proto ?? "tcp").toLowerCase();
    if (protocol !== "tcp" && protocol !== "udp" && protocol !== "icmp") {
      throw new UsageError(`--proto: must be tcp, udp or icmp, got "${args.proto}"`);
    }
    let port: number | undefined;
    if (protocol === "icmp") {
      if (args.dport !== undefined) throw new UsageError("--dport: ICMP has no ports");
    } else {
      if (args.dport === undefined) throw new UsageError(`--dport: required for ${protocol.toUpperCase()}`);
      port = parseIntField("--dport", args.dport, 0, 65535);
    }
    steps = [{ port, protocol }];
  }
  const protocols = new Set(steps.map((s) => s.protocol));
  const tcpOnly: [string, unknown][] = [
    ["--flags", args.flags],
    [letters.names.join(" "), letters.names.length > 0 ? true : undefined],
    ["--seq", args.seq],
    ["--ack", args.ack],
    ["--window", args.window],
    ["--urg", args.urg],
    ["--data-offset", args.dataOffset],
    ["--tcp-reserved", args.tcpReserved],
    ["--tcp-opt", args.tcpOpt],
  ];
  const icmpOnly: [string, unknown][] = [
    ["--icmp-type", args.icmpType],
    ["--icmp-code", args.icmpCode],
    ["--icmp-id", args.icmpId],
    ["--icmp-seq", args.icmpSeq],
  ];
  for (const [name, value] of tcpOnly) {
    if (value !== undefined && !protocols.has("tcp")) throw new UsageError(`${name}: applies to TCP only`);
  }
  for (const [name, value] of icmpOnly) {
    if (value !== undefined && !protocols.has("icmp")) throw new UsageError(`${name}: applies to ICMP only`);
  }
  if (args.udpLen !== undefined && !protocols.has("udp")) {
    throw new UsageError("--udp-len: applies to UDP only");
  }
  if (sport !== undefined && protocols.has("icmp")) throw new UsageError("--sport: ICMP has no ports");

  return steps.map((step): StepSpec => {
    let transport: TransportSpec;
    switch (step.protocol) {
      case "tcp":
        transport = {
          protocol: "tcp",
          dport: step.port!,
          flags,
          ...opt(sport, "sport"),
          ...tcpFields,
          ...opt(checksum, "checksum"),
        };
        break;
      case "udp":
        transport = {
          protocol: "udp",
          dport: step.port!,
          ...opt(sport, "sport"),
          ...opt(u("--udp-len", args.udpLen, 16), "length"),
          ...opt(checksum, "checksum"),
        };
        break;
      case "icmp":
        transport = {
          protocol: family === 4 ? "icmp" : "icmpv6",
          ...opt(u("--icmp-type", args.icmpType, 8), "type"),
          ...opt(u("--icmp-code", args.icmpCode, 8), "code"),
          ...opt(u("--icmp-id", args.icmpId, 16), "id"),
          ...opt(u("--icmp-seq", args.icmpSeq, 16), "seq"),
          ...opt(checksum, "checksum"),
        };
        break;
    }
    const spec: PacketSpec = {
      family,
      src,
      dst,
      ip,
      transport,
      ...opt(payload, "payload"),
      ...(args.badChecksum ? { badChecksum: "transport" as const } : {}),
    };
    const varying: Varying = {
      id: family === 4 && ip.id === undefined,
      sport: sport === undefined && step.protocol !== "icmp",
      seq: step.protocol === "tcp" && args.seq === undefined,
      ack: step.protocol === "tcp" && args.ack === undefined && (flags & TCP_FLAG_BITS.ack) !== 0,
      icmpId: step.protocol === "icmp" && args.icmpId === undefined,
    };
    return { spec, varying };
  });
}
