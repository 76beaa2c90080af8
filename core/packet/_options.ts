/**
 * What IPv4 and TCP options have in common: type-length-value encoding and padding the whole
 * options area with EOL (0) bytes to a multiple of 4, at most 40 bytes (a 4-bit length field of
 * 15 words minus the 20-byte fixed header).
 *
 * @module
 */
import { checkInt, checkUint, concatBytes } from "./_validate.ts";

/** Largest options area of an IPv4 or TCP header: 15 × 4 − 20 bytes. */
export const MAX_OPTIONS_LENGTH = 40;

/** Encodes a type-length-value option: `kind`, the length byte `2 + data.length`, then `data`. */
export function encodeTlvOption(kind: number, data: Uint8Array): Uint8Array {
  checkUint("option kind", kind, 8);
  checkInt("option length", 2 + data.length, 2, MAX_OPTIONS_LENGTH);
  const out = new Uint8Array(2 + data.length);
  out[0] = kind;
  out[1] = out.length;
  out.set(data, 2);
  return out;
}

/**
 * Concatenates encoded options and pads them with EOL bytes to a multiple of 4.
 *
 * @throws {RangeError} when the padded area is over {@linkcode MAX_OPTIONS_LENGTH} bytes.
 */
export function padOptions(parts: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(parts);
  const padded = new Uint8Array((body.length + 3) & ~3);
  padded.set(body);
  if (padded.length > MAX_OPTIONS_LENGTH) {
    throw new RangeError(
      `"options" must be at most ${MAX_OPTIONS_LENGTH} bytes after padding, got ${padded.length}`,
    );
  }
  return padded;
}
