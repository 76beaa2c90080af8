/**
 * The text of a thrown value: an `Error`'s message, anything else as a string. The one place that turns a
 * caught `unknown` into a message.
 *
 * @module
 */

/**
 * The message of `error`.
 *
 * @param error A caught value.
 * @returns `error.message` for an `Error`, else `String(error)`.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
