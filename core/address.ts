/**
 * IP and MAC address text ⇄ bytes, shared by the packet encoders, the frame decoder and `lint`.
 *
 * Parsing is strict: IPv4 only as a dotted quad of decimal numbers without leading zeros
 * (`010.0.0.1` is octal to `inet_aton` and decimal to others, so it is refused unless the caller
 * asks for {@linkcode ParseIPOptions.leadingZeros}), IPv6 as in RFC 4291 §2.2 (`::` compression,
 * an embedded dotted quad in the last 32 bits), no zone index.
 *
 * Formatting gives the canonical text knockd compares against (`inet_ntoa`/`inet_ntop`):
 * RFC 5952 for IPv6 (lowercase, no leading zeros, the longest run of two or more zero groups
 * compressed, the first one on a tie), with the dotted-quad tail glibc's `inet_ntop` prints for
 * IPv4-mapped (`::ffff:10.0.0.1`) and IPv4-compatible (`::10.0.0.1`) addresses. There is one
 * formatter, {@linkcode formatIPv6At}, which reads straight out of a packet buffer without
 * copying; {@linkcode formatIPv6} is a view over it.
 *
 * @module
 */

/** An address that could not be parsed. `offset` is the index in `input` where the problem is. */
export class AddressSyntaxError extends SyntaxError {
  /** The text that was parsed. */
  readonly input: string;
  /** Index in `input` of the offending character (or `input.length` at the end). */
  readonly offset: number;

  /** Builds the error; the message ends with the offending column. */
  constructor(message: string, input: string, offset: number) {
    super(`${message} in "${input}" at column ${offset + 1}`);
    this.name = "AddressSyntaxError";
    this.input = input;
    this.offset = offset;
  }
}

/** A parsed IP address. */
export interface IPAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** 4 or 16 bytes in network order. */
  readonly bytes: Uint8Array;
}

/** Options for the lenient `tryParse*` functions. */
export interface ParseIPOptions {
  /**
   * Accept IPv4 parts with leading zeros (`010.0.0.1`), read as decimal. Off by default: such text
   * is never what `inet_ntoa` prints and `inet_aton` would read it as octal.
   */
  readonly leadingZeros?: boolean;
}

type Scan = { readonly bytes: Uint8Array } | { readonly message: string; readonly offset: number };

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function scanIPv4(text: string, start: number, end: number, leadingZeros = false): Scan {
  const bytes = new Uint8Array(4);
  let pos = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (pos >= end || text.charCodeAt(pos) !== 0x2e) {
        return {
          message: pos >= end ? "Expected 4 dotted parts" : `Unexpected character "${text[pos]}"`,
          offset: pos,
        };
      }
      pos++;
    }
    const partStart = pos;
    let value = 0;
    while (pos < end && isDigit(text.charCodeAt(pos))) {
      value = value * 10 + (text.charCodeAt(pos) - 0x30);
      pos++;
      if (pos - partStart > 3) return { message: "IPv4 part has more than 3 digits", offset: partStart };
    }
    if (pos === partStart) {
      return {
        message: pos >= end ? "Expected a decimal number" : `Unexpected character "${text[pos]}"`,
        offset: pos,
      };
    }
    if (!leadingZeros && pos - partStart > 1 && text.charCodeAt(partStart) === 0x30) {
      return { message: "IPv4 part has a leading zero", offset: partStart };
    }
    if (value > 255) {
      return { message: `IPv4 part "${text.slice(partStart, pos)}" is over 255`, offset: partStart };
    }
    bytes[part] = value;
  }
  if (pos < end) return { message: `Unexpected character "${text[pos]}"`, offset: pos };
  return { bytes };
}

function scanIPv6(text: string, leadingZeros = false): Scan {
  const end = text.length;
  if (end === 0) return { message: "Empty address", offset: 0 };
  const zone = text.indexOf("%");
  if (zone >= 0) return { message: "Zone index is not supported", offset: zone };
  const groups: number[] = [];
  let gap = -1; // index in groups where "::" stands
  let pos = 0;
  if (text.startsWith("::")) {
    gap = 0;
    pos = 2;
    if (pos === end) return { bytes: new Uint8Array(16) };
  } else if (text.charCodeAt(0) === 0x3a) {
    return { message: 'Single leading ":"', offset: 0 };
  }
  while (true) {
    // One group (or the embedded IPv4 tail) starts at pos.
    const groupStart = pos;
    let value = 0;
    while (pos < end && hexValue(text.charCodeAt(pos)) >= 0) {
      value = value * 16 + hexValue(text.charCodeAt(pos));
      pos++;
    }
    if (pos < end && text.charCodeAt(pos) === 0x2e) {
      const tail = scanIPv4(text, groupStart, end, leadingZeros);
      if ("message" in tail) return tail;
      if (groups.length > 6) return { message: "Too many groups", offset: groupStart };
      groups.push((tail.bytes[0]! << 8) | tail.bytes[1]!, (tail.bytes[2]! << 8) | tail.bytes[3]!);
      pos = end;
      break;
    }
    if (pos === groupStart) {
      return {
        message: pos >= end ? 'Expected a hex group after ":"' : `Unexpected character "${text[pos]}"`,
        offset: pos,
      };
    }
    if (pos - groupStart > 4) return { message: "Group has more than 4 hex digits", offset: groupStart };
    if (groups.length >= 8) return { message: "Too many groups", offset: groupStart };
    groups.push(value);
    if (pos >= end) break;
    if (text.charCodeAt(pos) !== 0x3a) return { message: `Unexpected character "${text[pos]}"`, offset: pos };
    pos++;
    if (pos < end && text.charCodeAt(pos) === 0x3a) {
      if (gap >= 0) return { message: 'Second "::"', offset: pos - 1 };
      gap = groups.length;
      pos++;
      if (pos >= end) break;
    } else if (pos >= end) {
      return { message: 'Trailing ":"', offset: pos - 1 };
    }
  }
  if (gap < 0 && groups.length !== 8) return { message: "Expected 8 groups", offset: end };
  if (gap >= 0 && groups.length > 7) {
    return { message: '"::" must stand for at least one group', offset: end };
  }
  const bytes = new Uint8Array(16);
  const fill = 8 - groups.length;
  let word = 0;
  for (let i = 0; i < groups.length; i++) {
    if (i === gap) word += fill;
    bytes[word * 2] = groups[i]! >>> 8;
    bytes[word * 2 + 1] = groups[i]! & 0xff;
    word++;
  }
  return { bytes };
}

function unwrap(scan: Scan, input: string): Uint8Array {
  if ("message" in scan) throw new AddressSyntaxError(scan.message, input, scan.offset);
  return scan.bytes;
}

/** Parses a dotted-quad IPv4 address into 4 bytes; throws {@linkcode AddressSyntaxError}. */
export function parseIPv4(text: string): Uint8Array {
  return unwrap(scanIPv4(text, 0, text.length), text);
}

/** Parses an IPv6 address into 16 bytes; throws {@linkcode AddressSyntaxError}. */
export function parseIPv6(text: string): Uint8Array {
  return unwrap(scanIPv6(text), text);
}

/** Parses an IPv4 address, or returns `undefined`. Never throws. */
export function tryParseIPv4(text: string, options?: ParseIPOptions): Uint8Array | undefined {
  const scan = scanIPv4(text, 0, text.length, options?.leadingZeros);
  return "bytes" in scan ? scan.bytes : undefined;
}

/** Parses an IPv6 address, or returns `undefined`. Never throws. */
export function tryParseIPv6(text: string, options?: ParseIPOptions): Uint8Array | undefined {
  const scan = scanIPv6(text, options?.leadingZeros);
  return "bytes" in scan ? scan.bytes : undefined;
}

/**
 * Parses either family: text with a `:` is IPv6, anything else IPv4.
 * Throws {@linkcode AddressSyntaxError}.
 */
export function parseIP(text: string): IPAddress {
  return text.includes(":") ? { family: 6, bytes: parseIPv6(text) } : { family: 4, bytes: parseIPv4(text) };
}

/** Like {@linkcode parseIP} but returns `undefined` instead of throwing. */
export function tryParseIP(text: string): IPAddress | undefined {
  const bytes = text.includes(":") ? tryParseIPv6(text) : tryParseIPv4(text);
  if (bytes === undefined) return undefined;
  return { family: bytes.length === 4 ? 4 : 6, bytes };
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} address must be ${length} bytes, got ${bytes.length}`);
  }
}

/** Formats 4 bytes as a dotted quad (`10.0.0.1`). */
export function formatIPv4(bytes: Uint8Array): string {
  checkLength(bytes, 4, "IPv4");
  return formatIPv4At(new DataView(bytes.buffer, bytes.byteOffset, 4), 0);
}

/** Formats 16 bytes canonically, exactly as glibc `inet_ntop(AF_INET6)` does (see the module notes). */
export function formatIPv6(bytes: Uint8Array): string {
  checkLength(bytes, 16, "IPv6");
  return formatIPv6At(new DataView(bytes.buffer, bytes.byteOffset, 16), 0);
}

/**
 * Formats the IPv4 address stored at `offset` in `view` as a dotted quad, without copying.
 *
 * @param view The buffer, such as a captured packet.
 * @param offset Byte offset of the 4-byte address; the caller has checked the bounds.
 * @returns The address such as `10.0.0.2`.
 */
export function formatIPv4At(view: DataView, offset: number): string {
  return `${view.getUint8(offset)}.${view.getUint8(offset + 1)}.${view.getUint8(offset + 2)}.${
    view.getUint8(offset + 3)
  }`;
}

/**
 * Formats the IPv6 address stored at `offset` in `view` canonically (RFC 5952 with glibc's dotted
 * tails, see the module notes), without copying.
 *
 * @param view The buffer, such as a captured packet.
 * @param offset Byte offset of the 16-byte address; the caller has checked the bounds.
 * @returns The address such as `fd00:200::2`.
 */
export function formatIPv6At(view: DataView, offset: number): string {
  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (view.getUint16(offset + i * 2) === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;

  // glibc: ::a.b.c.d (first 96 bits zero, word 6 non-zero) and ::ffff:a.b.c.d.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && view.getUint16(offset + 10) === 0xffff))) {
    const prefix = bestLen === 5 ? "::ffff:" : "::";
    return prefix + formatIPv4At(view, offset + 12);
  }

  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(":")) out += ":";
    out += view.getUint16(offset + i * 2).toString(16);
  }
  return out;
}

/** Formats 4 or 16 bytes with {@linkcode formatIPv4} or {@linkcode formatIPv6}. */
export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  throw new RangeError(`IP address must be 4 or 16 bytes, got ${bytes.length}`);
}

/**
 * The canonical spelling of an address (`FD77:0::2` → `fd77::2`), or `undefined` if the text is
 * not an address. Knockd compares `Target` and `%IP%` as strings, so only this form matches.
 */
export function canonicalIP(text: string): string | undefined {
  const parsed = tryParseIP(text);
  return parsed === undefined ? undefined : formatIP(parsed.bytes);
}

/** Parses a MAC address `02:00:00:00:00:01` (also with `-`) into 6 bytes; throws {@linkcode AddressSyntaxError}. */
export function parseMac(text: string): Uint8Array {
  const bytes = new Uint8Array(6);
  let pos = 0;
  for (let i = 0; i < 6; i++) {
    if (i > 0) {
      const c = text.charCodeAt(pos);
      if (c !== 0x3a && c !== 0x2d) {
        throw new AddressSyntaxError(pos >= text.length ? "Expected 6 parts" : 'Expected ":"', text, pos);
      }
      pos++;
    }
    const hi = hexValue(text.charCodeAt(pos));
    const lo = hexValue(text.charCodeAt(pos + 1));
    if (hi < 0 || lo < 0) throw new AddressSyntaxError("Expected two hex digits", text, pos);
    bytes[i] = hi * 16 + lo;
    pos += 2;
  }
  if (pos !== text.length) throw new AddressSyntaxError(`Unexpected character "${text[pos]}"`, text, pos);
  return bytes;
}

/** Formats 6 bytes as a lowercase colon-separated MAC address. */
export function formatMac(bytes: Uint8Array): string {
  checkLength(bytes, 6, "MAC");
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
}
