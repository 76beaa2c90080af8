/**
 * knockd's line reading: a loop of `fgets(line, PATH_MAX, fp)`, chunk by chunk.
 *
 * @module
 */

/** knockd reads with `fgets(line, PATH_MAX, fp)`: at most 4095 bytes per chunk, newline included. */
export const FGETS_MAX_BYTES = 4095;

/** One `fgets()` chunk of a text: a line, or a piece of a line longer than 4095 bytes. */
export interface Chunk {
  /** The chunk without its newline; cut at the first NUL (C string functions stop there). */
  readonly text: string;
  /** Offset of the chunk's first code unit in the whole text. */
  readonly offset: number;
  /** Physical (newline-separated) 1-based line number the chunk starts on. */
  readonly line: number;
  /** Offset where that physical line starts. */
  readonly lineStart: number;
  /** knockd's `linenum`: the 1-based count of `fgets()` calls so far. */
  readonly knockdLine: number;
}

/**
 * Splits `text` the way a loop of `fgets(buf, 4096, fp)` does: at `\n`
 * (kept out of the chunk), and after 4095 UTF-8 bytes when a line is longer.
 * Calls `visit` for each chunk; linear time, no recursion.
 */
export function forEachChunk(text: string, visit: (chunk: Chunk) => void): void {
  const n = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let knockdLine = 0;
  // A code unit is at most 3 UTF-8 bytes, so a piece this short can never exceed the limit.
  const safeUnits = Math.floor(FGETS_MAX_BYTES / 3);
  let nl = text.indexOf("\n");
  while (pos < n) {
    const start = pos;
    let end: number; // end of content (exclusive), before any newline
    let newline = false;
    // Search for the next newline only once per physical line (a long line has many chunks).
    if (nl !== -1 && nl < pos) nl = text.indexOf("\n", pos);
    const lineEnd = nl === -1 ? n : nl;
    if (lineEnd - pos + 1 <= safeUnits) {
      end = lineEnd;
      newline = nl !== -1;
      pos = newline ? nl + 1 : n;
    } else {
      let bytes = 0;
      let i = pos;
      for (;;) {
        if (i >= lineEnd) {
          // Reached the newline (or the end of the text).
          if (i < n && bytes + 1 <= FGETS_MAX_BYTES) {
            newline = true;
            end = i;
            pos = i + 1;
          } else {
            end = i;
            pos = i;
          }
          break;
        }
        const c = text.charCodeAt(i);
        let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        let units = 1;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < lineEnd) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            size = 4;
            units = 2;
          }
        }
        if (bytes + size > FGETS_MAX_BYTES) {
          end = i;
          pos = i;
          break;
        }
        bytes += size;
        i += units;
      }
    }
    knockdLine++;
    let content = text.slice(start, end);
    const nul = content.indexOf("\0");
    if (nul !== -1) content = content.slice(0, nul);
    visit({ text: content, offset: start, line, lineStart, knockdLine });
    if (newline) {
      line++;
      lineStart = pos;
    }
  }
}
