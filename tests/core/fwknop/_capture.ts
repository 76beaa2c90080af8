/**
 * The captured fwknop client packets of tests/testdata/fwknop (made by its capture.sh with the real Debian
 * client): their keys, payloads (read from capture.pcap) and what the client printed about each (`-v`).
 *
 * @module
 */
const DIR = new URL("../../testdata/fwknop/", import.meta.url);

/** A captured datagram. */
export interface Captured {
  readonly src: string;
  readonly sport: number;
  readonly timeMs: number;
  readonly payload: Uint8Array<ArrayBuffer>;
  readonly text: string;
}

/** The UDP datagrams of a little-endian pcap of Ethernet (Linux loopback) frames carrying IPv4. */
export function readCapture(path: URL = new URL("capture.pcap", DIR)): Captured[] {
  const bytes = Deno.readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== 0xa1b2c3d4) throw new Error("not a little-endian microsecond pcap");
  if (view.getUint32(20, true) !== 1) throw new Error("not Ethernet");
  const out: Captured[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const sec = view.getUint32(at, true);
    const usec = view.getUint32(at + 4, true);
    const caplen = view.getUint32(at + 8, true);
    const frame = bytes.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    const ip = frame.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    const udp = ip.subarray(ihl);
    const payload = udp.slice(8, udp[4]! << 8 | udp[5]!);
    out.push({
      src: [...ip.subarray(12, 16)].join("."),
      sport: udp[0]! << 8 | udp[1]!,
      timeMs: sec * 1000 + Math.floor(usec / 1000),
      payload,
      text: new TextDecoder().decode(payload),
    });
  }
  return out;
}

/** The test keys (keys.txt). */
export function testKeys(): { keyBase64: string; hmacKeyBase64: string; keyText: string } {
  const text = Deno.readTextFileSync(new URL("keys.txt", DIR));
  const get = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(text)![1]!;
  return { keyBase64: get("KEY_BASE64"), hmacKeyBase64: get("HMAC_KEY_BASE64"), keyText: get("KEY_TEXT") };
}

/** What the client printed for run `n` (`Name: value` lines of `fwknop -v`). */
export function clientView(n: number): Map<string, string> {
  const text = Deno.readTextFileSync(new URL(`client-${n}.txt`, DIR));
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z][A-Za-z ]+?):\s(.*)$/.exec(line);
    if (m !== null && !out.has(m[1]!)) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}
