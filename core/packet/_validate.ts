/**
 * Range checks shared by the encoders. Every error names the field it is about.
 *
 * @module
 */

/**
 * Throws a `RangeError` unless `value` is an integer in `min..max`.
 *
 * The message names the field: `"ttl" must be 0..255, got 300`.
 */
export function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`"${name}" must be ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks an unsigned integer of `bits` bits (1..32). */
export function checkUint(name: string, value: number, bits: number): number {
  return checkInt(name, value, 0, 2 ** bits - 1);
}

/** Checks that an address is 4 (IPv4) or 16 (IPv6) bytes. */
export function checkAddress(name: string, bytes: Uint8Array, length: 4 | 16): Uint8Array {
  if (bytes.length !== length) {
    throw new RangeError(
      `"${name}" must be a ${
        length === 4 ? "4-byte IPv4" : "16-byte IPv6"
      } address, got ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
