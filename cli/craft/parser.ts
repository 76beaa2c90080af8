/**
 * The command line of `knocktool craft`: every option, with the short names hping3 users know
 * where they clash with nothing (`-S -A -F -R -P -U -X -Y`, `-p`, `-s`, `-c`, `-i`, `-a`, `-1`,
 * `-2`, `-d`, `-t`, `-w`, ...). Values stay strings here; `spec.ts` and `command.ts` check them and
 * name the option in every error.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import { command, constant, flag, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import type { FieldArgs } from "./spec.ts";

type Names = [`-${string}`] | [`-${string}`, `--${string}`];
type Description = ReturnType<typeof message>;

function text(names: Names, metavar: `${Uppercase<string>}${string}`, description: Description) {
  const value = string({ metavar });
  return optional(
    names.length === 1
      ? option(names[0], value, { description })
      : option(names[0], names[1], value, { description }),
  );
}

function bool(names: Names, description: Description) {
  return withDefault(
    names.length === 1 ? flag(names[0], { description }) : flag(names[0], names[1], { description }),
    false,
  );
}

const runFields = {
  dst: option("--dst", string({ metavar: "HOST" }), {
    description:
      message`Destination host name or address; a CIDR block such as 10.0.0.0/24 with ${"--rand-dest"}`,
  }),
  ipv4: bool(["-4"], message`Resolve HOST to IPv4 only.`),
  ipv6: bool(["-6"], message`Resolve HOST to IPv6 only.`),
  count: text(
    ["-c", "--count"],
    "N",
    message`Packets to send (default 1; unlimited with ${"--duration"} set).`,
  ),
  rate: text(["--rate"], "PPS", message`At most PPS packets per second.`),
  interval: text(
    ["-i", "--interval"],
    "WAIT",
    message`Wait between packets, in hping3's syntax: 1 for a second, u1000 for 1000 microseconds.`,
  ),
  duration: text(["--duration"], "SECONDS", message`Stop after this long.`),
  delay: text(
    ["--delay"],
    "MS",
    message`Wait MS milliseconds between packets (between steps of a sequence).`,
  ),
  seed: text(["--seed"], "N", message`Seed for random fields: the same seed gives the same packets.`),
  dryRun: bool(["--dry-run"], message`Build and print, send nothing (no root needed).`),
  hexdump: bool(["--hexdump"], message`Print a hex dump of each packet.`),
  json: bool(["--json"], message`Print one JSON object per packet (and per reply) with every field.`),
  pcap: text(
    ["--pcap"],
    "FILE",
    message`Write the packets sent (or that would be sent) to FILE, raw IP link type.`,
  ),
  device: text(["-I", "--device"], "IF", message`Send through this interface (SO_BINDTODEVICE).`),
  mark: text(["--mark"], "N", message`Firewall mark on the socket (SO_MARK, needs cap_net_admin).`),
  verbose: bool(["--verbose"], message`Print a summary line per packet when sending.`),
  replies: bool(
    ["--replies"],
    message`Wait for the answer to each probe and print it with its round-trip time, as hping3 does.`,
  ),
  wait: text(
    ["--wait"],
    "SECONDS",
    message`With ${"--replies"}: how long to wait for answers after the last probe (default 1).`,
  ),
};

const ipFields = {
  src: text(
    ["-a", "--src"],
    "ADDR",
    message`Source address, spoofed or not (default: the kernel's choice for the route); a CIDR block with ${"--rand-source"}`,
  ),
  randSource: bool(
    ["--rand-source"],
    message`A random source address per packet, within ${"--src"} when it is a CIDR block.`,
  ),
  randDest: bool(["--rand-dest"], message`A random destination per packet within the ${"--dst"} CIDR block.`),
  ttl: text(["-t", "--ttl"], "N", message`IPv4 TTL or IPv6 hop limit (default 64).`),
  hopLimit: text(["--hop-limit"], "N", message`IPv6 hop limit, the same field as ${"--ttl"}`),
  tos: text(["-o", "--tos"], "N", message`IPv4 TOS or IPv6 traffic class (default 0).`),
  trafficClass: text(["--traffic-class"], "N", message`IPv6 traffic class, the same field as ${"--tos"}`),
  flowLabel: text(["--flow-label"], "N", message`IPv6 flow label, 20 bits (default 0).`),
  id: text(["-N", "--id"], "N", message`IPv4 identification (default random per packet).`),
  df: bool(["-y", "--df"], message`Set IPv4 don't-fragment.`),
  mf: bool(["-x", "--mf"], message`Set IPv4 more-fragments.`),
  rf: bool(["--rf"], message`Set the IPv4 reserved ("evil") bit.`),
  fragOffset: text(["-g", "--frag-offset"], "N", message`IPv4 fragment offset in 8-byte units.`),
  ipOpt: text(
    ["--ip-opt"],
    "LIST",
    message`IPv4 options, comma-separated: nop, eol, ra[=N], rr=N, lsrr=A+B, ssrr=A+B, ts=N, raw=HEX, kind=K:HEX.`,
  ),
  ipChecksum: text(
    ["--ip-checksum"],
    "N",
    message`IPv4 header checksum override (the kernel recomputes it on send).`,
  ),
};

const transportFields = {
  proto: text(["--proto"], "PROTO", message`tcp (default), udp or icmp (ICMPv6 over IPv6).`),
  udp: bool(["-2", "--udp"], message`UDP, as ${"--proto udp"} (hping3's -2).`),
  icmp: bool(["-1", "--icmp"], message`ICMP, as ${"--proto icmp"} (hping3's -1).`),
  dport: text(["-p", "--dport"], "PORT", message`Destination port.`),
  sport: text(["-s", "--sport"], "PORT", message`Source port (default random per packet).`),
  sequence: text(
    ["--sequence"],
    "LIST",
    message`A knock sequence such as ${"7000:tcp,8000:udp"} with one packet per step.`,
  ),
  flags: text(
    ["--flags"],
    "SPEC",
    message`TCP flags such as ${"syn,!ack"} or hping3's letters ${"SA"} (default syn).`,
  ),
  syn: bool(["-S"], message`Set SYN; hping3's flag letters combine (${"-SA"}) and replace ${"--flags"}`),
  ackFlag: bool(["-A"], message`Set ACK.`),
  fin: bool(["-F"], message`Set FIN.`),
  rst: bool(["-R"], message`Set RST.`),
  psh: bool(["-P"], message`Set PSH.`),
  urgFlag: bool(["-U"], message`Set URG.`),
  ece: bool(["-X"], message`Set ECE.`),
  cwr: bool(["-Y"], message`Set CWR.`),
  seq: text(["-M", "--seq"], "N", message`TCP sequence number (default random per packet).`),
  ack: text(["-L", "--ack"], "N", message`TCP acknowledgment number (default random with ACK, else 0).`),
  window: text(["-w", "--window"], "N", message`TCP window (default 64240).`),
  urg: text(["--urg"], "N", message`TCP urgent pointer.`),
  dataOffset: text(["--data-offset"], "N", message`TCP data offset override in 32-bit words.`),
  tcpReserved: text(["--tcp-reserved"], "N", message`The 3 reserved TCP header bits.`),
  tcpOpt: text(
    ["--tcp-opt"],
    "LIST",
    message`TCP options, comma-separated: mss=1460, wscale=7, sackok, sack=L-R, ts=V:E, nop, eol, raw=HEX, kind=K:HEX.`,
  ),
  udpLen: text(["--udp-len"], "N", message`UDP length override.`),
  checksum: text(["--checksum"], "N", message`Transport checksum override.`),
  badChecksum: bool(["-b", "--bad-checksum"], message`Send a deliberately wrong transport checksum.`),
  icmpType: text(["-C", "--icmp-type"], "N", message`ICMP type (default echo request).`),
  icmpCode: text(["-K", "--icmp-code"], "N", message`ICMP code.`),
  icmpId: text(["--icmp-id"], "N", message`ICMP echo id (default random per packet).`),
  icmpSeq: text(["--icmp-seq"], "N", message`ICMP echo sequence.`),
  data: text(["--data"], "TEXT", message`Payload text (UTF-8).`),
  dataHex: text(["--data-hex"], "HEX", message`Payload in hex, e.g. 6b6e6f636b for "knock".`),
  dataFile: text(["-E", "--data-file"], "FILE", message`Payload from a file.`),
  dataSize: text(
    ["-d", "--data-size"],
    "N",
    message`Payload of exactly N bytes: the payload given, cut or padded with zeros (zeros alone without one).`,
  ),
};

/** The parser of `knocktool craft ...`. */
export const craftCommand = command(
  "craft",
  object({ command: constant("craft"), ...runFields, ...ipFields, ...transportFields }),
  {
    brief: message`Build and send packets with every header field under control.`,
    description:
      message`Build IPv4/IPv6 TCP, UDP or ICMP packets with any field set, print them, write them to a pcap file, and send them through a raw socket (root or cap_net_raw; not with --dry-run). With --replies, print each answer and its round-trip time as hping3 does.`,
    footer:
      message`Exit status: 0 every packet sent (and, with --replies, at least one answered), 1 a send failed or no answer came, 2 usage error, 74 a file could not be read or written (--pcap, --data-file).`,
  },
);

/** The parsed arguments of `craft`. */
export interface CraftArgs extends FieldArgs {
  readonly dst: string;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly src?: string | undefined;
  readonly randSource: boolean;
  readonly randDest: boolean;
  readonly dataFile?: string | undefined;
  readonly count?: string | undefined;
  readonly rate?: string | undefined;
  readonly interval?: string | undefined;
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
  readonly replies: boolean;
  readonly wait?: string | undefined;
}
