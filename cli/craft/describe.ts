/**
 * What `craft` prints about a packet, read back from its bytes (so the output always shows what
 * is on the wire): a one-line summary, a hex dump and a JSON object with every header field.
 *
 * @module
 */
import { TCP_FLAG_BITS, TCP_FLAGS } from "../../core/config/flags.ts";
import { formatIP } from "../../core/packet/mod.ts";

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Names of the set flag bits, e.g. `["syn", "ack"]`. */
export function flagNames(bits: number): string[] {
  return TCP_FLAGS.filter((f) => (bits & TCP_FLAG_BITS[f]) !== 0);
}

/** Every header field of an IPv4/IPv6 datagram with a TCP, UDP, ICMP or other payload. */
export function describePacket(bytes: Uint8Array): Record<string, unknown> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0]! >> 4;
  let ip: Record<string, unknown>;
  let l4: number;
  let protocol: number;
  if (version === 4) {
    l4 = (bytes[0]! & 15) * 4;
    protocol = bytes[9]!;
    const frag = view.getUint16(6);
    ip = {
      version: 4,
      src: formatIP(bytes.subarray(12, 16)),
      dst: formatIP(bytes.subarray(16, 20)),
      ihl: bytes[0]! & 15,
      tos: bytes[1]!,
      totalLength: view.getUint16(2),
      id: view.getUint16(4),
      rf: (frag & 0x8000) !== 0,
      df: (frag & 0x4000) !== 0,
      mf: (frag & 0x2000) !== 0,
      fragmentOffset: frag & 0x1fff,
      ttl: bytes[8]!,
      protocol,
      checksum: view.getUint16(10),
      options: hex(bytes.subarray(20, l4)),
    };
  } else {
    l4 = 40;
    protocol = bytes[6]!;
    const word = view.getUint32(0);
    ip = {
      version: 6,
      src: formatIP(bytes.subarray(8, 24)),
      dst: formatIP(bytes.subarray(24, 40)),
      trafficClass: (word >>> 20) & 0xff,
      flowLabel: word & 0xfffff,
      payloadLength: view.getUint16(4),
      nextHeader: protocol,
      hopLimit: bytes[7]!,
    };
  }
  let transport: Record<string, unknown>;
  let payloadAt = l4;
  if (protocol === 6 && bytes.length >= l4 + 20) {
    const dataOffset = bytes[l4 + 12]! >> 4;
    const flags = ((bytes[l4 + 12]! & 1) << 8) | bytes[l4 + 13]!;
    payloadAt = Math.min(bytes.length, l4 + Math.max(20, dataOffset * 4));
    transport = {
      protocol: "tcp",
      sport: view.getUint16(l4),
      dport: view.getUint16(l4 + 2),
      seq: view.getUint32(l4 + 4),
      ack: view.getUint32(l4 + 8),
      dataOffset,
      reserved: (bytes[l4 + 12]! >> 1) & 7,
      flags: flagNames(flags),
      window: view.getUint16(l4 + 14),
      checksum: view.getUint16(l4 + 16),
      urgentPointer: view.getUint16(l4 + 18),
      options: hex(bytes.subarray(l4 + 20, payloadAt)),
    };
  } else if (protocol === 17 && bytes.length >= l4 + 8) {
    payloadAt = l4 + 8;
    transport = {
      protocol: "udp",
      sport: view.getUint16(l4),
      dport: view.getUint16(l4 + 2),
      length: view.getUint16(l4 + 4),
      checksum: view.getUint16(l4 + 6),
    };
  } else if ((protocol === 1 || protocol === 58) && bytes.length >= l4 + 8) {
    payloadAt = l4 + 8;
    transport = {
      protocol: protocol === 1 ? "icmp" : "icmpv6",
      type: bytes[l4]!,
      code: bytes[l4 + 1]!,
      checksum: view.getUint16(l4 + 2),
      id: view.getUint16(l4 + 4),
      seq: view.getUint16(l4 + 6),
    };
  } else {
    transport = { protocol: "raw", number: protocol };
  }
  return { length: bytes.length, ip, transport, payload: hex(bytes.subarray(payloadAt)), hex: hex(bytes) };
}

const FLAG_LETTERS: Record<string, string> = {
  fin: "F",
  syn: "S",
  rst: "R",
  psh: "P",
  ack: ".",
  urg: "U",
  ece: "E",
  cwr: "W",
  ns: "N",
};

/** One tcpdump-like line: `10.0.0.1.40000 > 10.0.0.2.7000: tcp [S] seq 1 win 64240, 40 bytes`. */
export function summarize(bytes: Uint8Array): string {
  const d = describePacket(bytes);
  const ip = d.ip as Record<string, string | number>;
  const t = d.transport as Record<string, unknown>;
  const sep = ip.version === 6 ? "." : ".";
  switch (t.protocol) {
    case "tcp": {
      const flags = (t.flags as string[]).map((f) => FLAG_LETTERS[f]).join("") || "none";
      return `${ip.src}${sep}${t.sport} > ${ip.dst}${sep}${t.dport}: tcp [${flags}] seq ${t.seq} win ${t.window}, ${d.length} bytes`;
    }
    case "udp":
      return `${ip.src}${sep}${t.sport} > ${ip.dst}${sep}${t.dport}: udp, ${d.length} bytes`;
    case "icmp":
    case "icmpv6":
      return `${ip.src} > ${ip.dst}: ${t.protocol} type ${t.type} code ${t.code} id ${t.id} seq ${t.seq}, ${d.length} bytes`;
    default:
      return `${ip.src} > ${ip.dst}: protocol ${t.number}, ${d.length} bytes`;
  }
}

/** A classic hex dump: offset, 16 bytes in hex, and their printable ASCII. */
export function hexdump(bytes: Uint8Array): string {
  let out = "";
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const cells = [...row].map((b) => b.toString(16).padStart(2, "0"));
    const left = cells.slice(0, 8).join(" ");
    const right = cells.slice(8).join(" ");
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    out += `${at.toString(16).padStart(4, "0")}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|\n`;
  }
  return out;
}
