/**
 * Usage lines that read well at any terminal width: the full synopsis of a help page wraps only
 * between top-level terms (never after a `[` or before a `]`), and the one-line synopsis shown
 * under a usage error collapses the optional options into `[OPTIONS]`.
 *
 * @module
 */
import type { Parser } from "@optique/core/parser";
import { formatUsage, formatUsageTerm, type Usage, type UsageTerm } from "@optique/core/usage";

function hidden(term: UsageTerm): boolean {
  return "hidden" in term && term.hidden !== undefined && term.hidden !== false && term.hidden !== "doc";
}

/**
 * The same synopsis with every top-level term turned into one unbreakable literal (`[--ttl N]`,
 * `[PORT[:PROTO]...]`), so that Optique's wrapping can only break between terms.
 *
 * @param usage A command's usage tail (what follows the command name).
 * @returns The tail with each term rendered as a literal, in the same order.
 */
export function atomicUsage(usage: Usage): Usage {
  return usage.filter((term) => !hidden(term)).map((term): UsageTerm => {
    const text = formatUsageTerm(term, { colors: false });
    return text === "" ? term : { type: "literal", value: text };
  });
}

function isOptionalOption(term: UsageTerm): boolean {
  if (term.type === "option") return false;
  if (term.type !== "optional" && !(term.type === "multiple" && term.min === 0)) return false;
  return term.terms.every((t) => t.type === "option" || (t.type === "optional" && isOptionalOption(t)));
}

/**
 * The short synopsis of a command: the options that may be left out become one `[OPTIONS]`, the
 * required options and the arguments stay, e.g. `craft --dst HOST [OPTIONS]` or
 * `knock [OPTIONS] HOST [PORT[:PROTO]...]`.
 *
 * @param usage A command's usage tail.
 * @returns The short tail, as unbreakable literals.
 */
export function shortUsage(usage: Usage): Usage {
  const visible = usage.filter((term) => !hidden(term));
  const required = visible.filter((t) => t.type === "option");
  const optional = visible.some(isOptionalOption);
  const rest = visible.filter((t) => t.type !== "option" && !isOptionalOption(t));
  return atomicUsage([
    ...required,
    ...(optional ? [{ type: "literal", value: "[OPTIONS]" } as const] : []),
    ...rest,
  ]);
}

/** A subcommand parser (the result of Optique's `command()`). */
// deno-lint-ignore no-explicit-any
export type CommandParser = Parser<"sync" | "async", any, any>;

function commandTerm(parser: CommandParser): Extract<UsageTerm, { type: "command" }> {
  const first = parser.usage[0];
  if (first?.type !== "command") throw new TypeError("Not a command parser");
  return first;
}

/**
 * The command with a help-page synopsis that never wraps inside a term (see
 * {@linkcode atomicUsage}), applied after the command's own `usageLine` if it has one. Only the
 * documentation changes: parsing, suggestions and completion use the command's usage as it is.
 *
 * @param parser A parser made by `command()`.
 * @returns A parser that parses exactly like `parser`.
 */
export function withAtomicUsage<P extends CommandParser>(parser: P): P {
  const term = commandTerm(parser);
  const own = term.usageLine;
  const usageLine = (defaults: Usage): Usage =>
    atomicUsage(own === undefined ? defaults : typeof own === "function" ? own(defaults) : own);
  return { ...parser, usage: [{ ...term, usageLine }, ...parser.usage.slice(1)] };
}

/**
 * The synopsis of the program's own help page: one line per way of calling it, each subcommand
 * in its short form (`knocktool craft --dst HOST [OPTIONS]`; its own `--help` has every option).
 *
 * @param defaults The root usage Optique builds (help, version, the commands, completion, help).
 */
export function rootUsage(defaults: Usage): Usage {
  return defaults.map((term): UsageTerm => {
    if (term.type !== "exclusive") return term;
    return {
      type: "exclusive",
      terms: term.terms.map((branch) => {
        const [head, ...tail] = branch;
        if (head?.type !== "command" || head.name === "help" || head.name === "completion") return branch;
        return [head, ...shortUsage(tail)];
      }),
    };
  });
}

/**
 * The one-line synopsis of a subcommand, e.g. `knocktool craft --dst HOST [OPTIONS]`.
 *
 * @param programName The program name.
 * @param parser A parser made by `command()`.
 */
export function oneLineUsage(programName: string, parser: CommandParser): string {
  const term = commandTerm(parser);
  return formatUsage(programName, [
    { type: "literal", value: term.name },
    ...shortUsage(parser.usage.slice(1)),
  ], {
    colors: false,
  });
}
