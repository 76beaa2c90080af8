/**
 * Payload bytes from text or hex, as `craft` and `knock` take them (files are read by `cli/`).
 *
 * @module
 */

/** A hex string that could not be decoded. `offset` is the index in `input` of the problem. */
export class HexSyntaxError extends SyntaxError {
  /** The text that was decoded. */
  readonly input: string;
  /** Index in `input` of the offending character. */
  readonly offset: number;

  /** Builds the error; the message ends with the offending column. */
  constructor(message: string, input: string, offset: number) {
    super(`${message} at column ${offset + 1}`);
    this.name = "HexSyntaxError";
    this.input = input;
    this.offset = offset;
  }
}

/** UTF-8 bytes of `text`. */
export function textPayload(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Decodes hex text: an optional `0x` prefix, then pairs of hex digits, optionally separated by
 * whitespace or `:` between bytes (`0x414243`, `41 42 43`, `41:42:43`, `0x 41 42 43`).
 *
 * @throws {HexSyntaxError} on a non-hex character or a lone digit.
 */
export function parseHexPayload(text: string): Uint8Array {
  const out: number[] = [];
  let pos = /^\s*0[xX]/.exec(text)?.[0].length ?? 0;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3a) {
      pos++;
      continue;
    }
    const hi = hexValue(c);
    if (hi < 0) throw new HexSyntaxError(`Invalid hex digit "${text[pos]}"`, text, pos);
    const lo = hexValue(text.charCodeAt(pos + 1));
    if (lo < 0) {
      if (pos + 1 >= text.length || "\t\n\r :".includes(text[pos + 1]!)) {
        throw new HexSyntaxError(`Odd hex digit "${text[pos]}" without a partner`, text, pos);
      }
      throw new HexSyntaxError(`Invalid hex digit "${text[pos + 1]}"`, text, pos + 1);
    }
    out.push(hi * 16 + lo);
    pos += 2;
  }
  return Uint8Array.from(out);
}
