/**
 * How C `atoi()` reads a string, with enough detail for rules to say what it ignored.
 *
 * @module
 */

import { isCSpace as isCSpaceCode } from "../_ctext.ts";

/** The result of reading a string the way `atoi()` does. */
export interface AtoiReading {
  /** The number `atoi()` returns (0 when there are no digits). */
  readonly value: number;
  /** True when at least one digit was read. */
  readonly hasDigits: boolean;
  /** True when a `-` sign was read before the digits. */
  readonly negative: boolean;
  /** Index just past the last code unit `atoi()` consumed (leading blanks, sign, digits). */
  readonly end: number;
  /** Index of the first non-blank code unit (where a sign or digit would start). */
  readonly start: number;
}

/**
 * Whether `ch` is one of the characters C `isspace()` accepts in the C locale.
 *
 * @param ch One character (or `undefined` past the end of a string).
 * @returns True for space, tab, newline, vertical tab, form feed and carriage return.
 */
export function isCSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\v" || ch === "\f" || ch === "\r";
}

/**
 * Reads `text` the way glibc `atoi()` does: leading blanks, an optional sign, then decimal digits.
 *
 * @param text The string handed to `atoi()`.
 * @returns The value and where reading stopped.
 */
export function readAtoi(text: string): AtoiReading {
  let i = 0;
  // Character codes, not one-character strings: this runs for every port and timeout of every door.
  while (i < text.length && isCSpaceCode(text.charCodeAt(i))) i++;
  const start = i;
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b /* + */ || sign === 0x2d /* - */) {
    negative = sign === 0x2d;
    i++;
  }
  const digitsStart = i;
  let value = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  const hasDigits = i > digitsStart;
  if (!hasDigits) return { value: 0, hasDigits: false, negative: false, end: start, start };
  return { value: negative ? -value : value, hasDigits, negative, end: i, start };
}
