/**
 * A small TypeScript lexer for the hygiene checks: it blanks comments (and, if asked, the contents of string,
 * template and regular-expression literals) while keeping every other character, every newline and every
 * offset where it was, so that a plain regular expression over the result sees only code and a match offset
 * is still a position in the original text.
 *
 * @module
 */

/** Options of {@linkcode maskSource}. */
export interface MaskOptions {
  /**
   * Also blank the contents of string, template and regular-expression literals (default `true`). The quotes
   * stay, and the `${...}` expressions of a template literal stay as code.
   */
  readonly strings?: boolean;
}

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);
const REGEX_AFTER_CHAR = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

function blank(ch: string): string {
  return ch === "\n" ? "\n" : " ";
}

/** Whether a `/` at `index` of `text` (in code) starts a regular expression, judged by what precedes it. */
function startsRegex(text: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  if (i < 0) return true;
  const ch = text[i]!;
  if (REGEX_AFTER_CHAR.has(ch)) return true;
  if (!/[A-Za-z_$]/.test(ch)) return false;
  let start = i;
  while (start > 0 && /[A-Za-z0-9_$]/.test(text[start - 1]!)) start--;
  return REGEX_AFTER_WORD.has(text.slice(start, i + 1));
}

/**
 * Blanks the comments of `text` (and by default the contents of its literals), keeping its length, its
 * newlines and the offset of every remaining character.
 *
 * @param text TypeScript source.
 * @param options Whether literals are blanked too.
 * @returns The masked text, as long as `text`.
 */
export function maskSource(text: string, options: MaskOptions = {}): string {
  const strings = options.strings ?? true;
  const out: string[] = [];
  /** For each open template literal, the `{` depth of the code inside its current `${...}`. */
  const templates: number[] = [];
  let i = 0;
  const literal = (ch: string): string => strings ? blank(ch) : ch;
  /** Copies a quoted string or a template's text up to its end; returns true when a `${` opened. */
  const quoted = (quote: string): boolean => {
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === "\\" && i + 1 < text.length) {
        out.push(literal(ch), literal(text[i + 1]!));
        i += 2;
        continue;
      }
      if (ch === quote) {
        out.push(ch);
        i++;
        return false;
      }
      if (quote === "`" && ch === "$" && text[i + 1] === "{") {
        out.push("${");
        i += 2;
        templates.push(0);
        return true;
      }
      if (quote !== "`" && ch === "\n") return false; // unterminated: stop at the line's end
      out.push(literal(ch));
      i++;
    }
    return false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") out.push(blank(text[i++]!));
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      while (i < stop) out.push(blank(text[i++]!));
    } else if (ch === '"' || ch === "'" || ch === "`") {
      out.push(ch);
      i++;
      quoted(ch);
    } else if (ch === "/" && startsRegex(text, i)) {
      out.push(ch);
      i++;
      let inClass = false;
      while (i < text.length && text[i] !== "\n") {
        const c = text[i]!;
        if (c === "\\" && i + 1 < text.length) {
          out.push(literal(c), literal(text[i + 1]!));
          i += 2;
          continue;
        }
        if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        out.push(literal(c));
        i++;
      }
      if (text[i] === "/") out.push(text[i++]!);
    } else if (templates.length > 0 && ch === "{") {
      templates[templates.length - 1]!++;
      out.push(ch);
      i++;
    } else if (templates.length > 0 && ch === "}") {
      out.push(ch);
      i++;
      if (templates[templates.length - 1] === 0) {
        templates.pop();
        quoted("`"); // back in the template's text
      } else templates[templates.length - 1]!--;
    } else {
      out.push(ch);
      i++;
    }
  }
  return out.join("");
}

/**
 * The 1-based line of an offset.
 *
 * @param text The text.
 * @param index An offset into it.
 * @returns The line number of that offset.
 */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The offset just past the bracket that closes the one at `open` (`(`, `[` or `{`), in masked text.
 *
 * @param masked Text from {@linkcode maskSource} (literals blanked, so brackets in them do not count).
 * @param open The offset of the opening bracket.
 * @returns The offset after its closing bracket, or the text's length when it is never closed.
 */
export function matchBracket(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const ch = masked[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return masked.length;
}
