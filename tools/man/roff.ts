/**
 * Writing man(7) pages: escaping text for roff, rendering Optique's structured help (messages, usage terms,
 * doc entries) and the plain-text explanations of the lint rules, so that the pages say what `--help` and
 * `lint --explain` say.
 *
 * @module
 */
import type { DocEntry } from "@optique/core/doc";
import type { Message } from "@optique/core/message";
import { formatUsage, formatUsageTerm, type Usage, type UsageTerm } from "@optique/core/usage";

/**
 * Escapes text for a roff text line: backslashes, and a `.` or `'` at the start of a line (which would
 * be read as a request).
 *
 * @param text Plain text, possibly several lines.
 * @returns The text, safe in a fill-mode paragraph.
 */
export function escape(text: string): string {
  return text.replace(/\\/g, "\\e").replace(/^([.'])/gm, "\\&$1");
}

/**
 * Escapes a literal a reader may type (an option, a path, a value): as {@linkcode escape}, and each `-`
 * becomes `\-`, so that it is a minus sign and not a hyphen when copied from the formatted page.
 *
 * @param text The literal.
 * @returns The escaped literal.
 */
export function literal(text: string): string {
  return escape(text).replace(/-/g, "\\-");
}

/** `text` in bold (`\fB...\fR`), as a literal. */
export function bold(text: string): string {
  return `\\fB${literal(text)}\\fR`;
}

/** `text` in italics (`\fI...\fR`), as a literal. */
export function italic(text: string): string {
  return `\\fI${literal(text)}\\fR`;
}

/**
 * Renders one of Optique's messages as roff text: option names and commands in bold, metavariables in
 * italics, values quoted as `--help` quotes them.
 *
 * @param message A message (a brief, a description, an option's help).
 * @returns One line of roff text (no trailing newline).
 */
export function messageText(message: Message): string {
  return message.map((term) => {
    switch (term.type) {
      case "text":
        return escape(term.text).replace(/\n\s*/g, " ");
      case "optionName":
        return bold(term.optionName);
      case "optionNames":
        return term.optionNames.map(bold).join("/");
      case "metavar":
        return italic(term.metavar);
      case "value":
        return `"${literal(term.value)}"`;
      case "values":
        return term.values.map((v) => `"${literal(v)}"`).join(" ");
      case "envVar":
        return bold(term.envVar);
      case "commandLine":
        return bold(term.commandLine);
      case "url":
        return literal(term.url.href);
      case "lineBreak":
        return "\n.br\n";
      default:
        return "";
    }
  }).join("").replace(/^\n/, "").replace(/^([.'])/gm, "\\&$1");
}

/**
 * The term of a help entry as roff: `-c, --config FILE` with the names in bold and the metavariable in
 * italics; any other kind of term (an argument, a command) as `--help` writes it, in italics for an
 * argument.
 *
 * @param term A doc entry's term.
 * @returns One line of roff text.
 */
export function termText(term: UsageTerm): string {
  if (term.type === "option") {
    const names = term.names.map(bold).join(", ");
    return term.metavar === undefined ? names : `${names} ${italic(term.metavar)}`;
  }
  if (term.type === "argument") return italic(term.metavar);
  if (term.type === "command") return bold(term.name);
  return literal(formatUsageTerm(term, { colors: false, context: "doc", optionsSeparator: ", " }));
}

/**
 * A list of help entries as `.TP` paragraphs (term, then its description and default).
 *
 * @param entries The entries of a doc section, in `--help` order.
 * @returns roff lines.
 */
export function entryList(entries: readonly DocEntry[]): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(".TP", termText(entry.term));
    lines.push(entry.description === undefined ? "(no description)" : messageText(entry.description));
  }
  return lines;
}

/**
 * A synopsis line: the program, then the usage on one logical line (roff wraps it between words).
 *
 * @param program The program name, e.g. `knocktool`.
 * @param usage The usage (starting with the command term for a subcommand).
 * @returns roff lines.
 */
export function synopsis(program: string, usage: Usage): string[] {
  const text = formatUsage(program, usage, { colors: false, maxWidth: 100_000 }).trim();
  const rest = text.startsWith(program) ? text.slice(program.length).trim() : text;
  return [`${bold(program)} ${literal(rest)}`];
}

/**
 * Renders a plain-text explanation (as `lint --explain` prints it): blank lines separate paragraphs,
 * prose lines are joined and filled, indented lines (examples) are kept as they are in a `.EX` block.
 *
 * @param text The explanation.
 * @param paragraph The paragraph macro: `.PP`, or `.IP` inside a `.TP` item.
 * @returns roff lines, starting with a paragraph.
 */
export function plainText(text: string, paragraph: ".PP" | ".IP" = ".PP"): string[] {
  const lines: string[] = [];
  let prose: string[] = [];
  let example: string[] = [];
  const flushProse = () => {
    if (prose.length > 0) lines.push(escape(prose.join(" ")));
    prose = [];
  };
  const flushExample = () => {
    if (example.length === 0) return;
    if (lines.at(-1) !== paragraph) lines.push(paragraph);
    lines.push(".EX", ...example.map((l) => literal(l)), ".EE");
    example = [];
  };
  for (const block of text.trim().split(/\n\s*\n/)) {
    lines.push(paragraph);
    for (const line of block.split("\n")) {
      if (/^\s/.test(line)) {
        flushProse();
        example.push(line.replace(/\s+$/, ""));
      } else {
        flushExample();
        if (lines.at(-1) === ".EE") lines.push(paragraph);
        prose.push(line.trim());
      }
    }
    flushProse();
    flushExample();
  }
  return lines;
}

/**
 * The title line of a page.
 *
 * @param name The page's name, e.g. `knocktool-serve`.
 * @param section The manual section, e.g. `8`.
 * @param date The date shown in the footer, `YYYY-MM-DD`.
 * @param source The source shown in the footer, e.g. `knocktool 0.1.0`.
 * @returns The `.TH` line.
 */
export function title(name: string, section: number, date: string, source: string): string {
  return `.TH ${name.toUpperCase().replace(/-/g, "\\-")} ${section} ${date} "${escape(source)}"`;
}

/**
 * Folds a page's text lines at spaces so that none is longer than `width` bytes where it can be helped
 * (mandoc's style check), leaving requests and no-fill blocks (`.EX`/`.nf`) as they are.
 *
 * @param page The roff source.
 * @param width The longest line wanted (80).
 * @returns The same page, folded; it renders the same.
 */
export function fold(page: string, width = 80): string {
  const out: string[] = [];
  let noFill = false;
  for (const line of page.split("\n")) {
    if (/^\.(EX|nf)\b/.test(line)) noFill = true;
    if (/^\.(EE|fi)\b/.test(line)) noFill = false;
    if (noFill || line.startsWith(".") || line.startsWith("'") || bytes(line) <= width) {
      out.push(line);
      continue;
    }
    let current = "";
    for (const word of line.split(" ")) {
      if (current !== "" && bytes(current) + 1 + bytes(word) > width) {
        out.push(current);
        current = /^[.']/.test(word) ? `\\&${word}` : word;
      } else {
        current = current === "" ? word : `${current} ${word}`;
      }
    }
    out.push(current);
  }
  return out.join("\n");
}

function bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * A brief as the NAME line wants it: starting in lower case (unless it starts with an acronym or a name
 * in capitals) and without the final period.
 *
 * @param text The brief, as roff text.
 * @returns The text after `name \-` in the NAME section.
 */
export function nameLine(text: string): string {
  const trimmed = text.replace(/\.$/, "");
  return /^[A-Z](?![A-Z0-9])/.test(trimmed) ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1) : trimmed;
}
