/**
 * C strings for the bindings: NUL-terminated UTF-8 copies and NULL-terminated arrays of them.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * A NUL-terminated UTF-8 copy of `text`.
 *
 * @param text The string.
 * @returns Its bytes and a trailing 0.
 */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(text).length + 1);
  encoder.encodeInto(text, bytes);
  return bytes;
}

/**
 * A NULL-terminated `char *[]` of `strings`.
 *
 * @param strings The strings.
 * @param keep Receives every string's buffer: it must stay referenced as long as the array is used.
 * @returns The pointers and a trailing 0.
 */
export function cStringArray(strings: readonly string[], keep: Uint8Array[]): BigUint64Array<ArrayBuffer> {
  const array = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => {
    const bytes = cString(s);
    keep.push(bytes);
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  });
  return array;
}
