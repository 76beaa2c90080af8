/**
 * Making untrusted text safe to print on a terminal.
 *
 * @module
 */

/**
 * Replaces characters that would corrupt or spoof a terminal with visible
 * stand-ins of the same UTF-16 length (so columns still line up): C0 controls
 * other than tab become Unicode control pictures (NUL → `␀`), DEL becomes `␡`,
 * and C1 controls and bidirectional overrides (Trojan Source) become `�`.
 */
export function sanitize(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return "\ufffd";
  });
}
