/**
 * One directive line: where knockd accepts it (a section, the right kind of section, a value or none) and
 * what it sets, with knockd's message for every line it refuses.
 *
 * @module
 */
import type { Directive } from "./types.ts";
import { CODES } from "./codes.ts";
import { type DirectiveLine, syntaxError } from "./_line.ts";
import { applyOptionKey, OPTION_KEYS } from "./_options.ts";
import { applyDoorKey, DOOR_KEYS } from "./_door.ts";
import type { MutableSection, ParseState, ValuedDirective } from "./_state.ts";

/**
 * Reads a directive line into the current section.
 *
 * @param state The parse state.
 * @param line The line.
 */
export function applyDirective(state: ParseState, line: DirectiveLine): void {
  const current = state.current;
  if (current === undefined) {
    state.diagnostics.error(
      CODES.directiveOutsideSection,
      `Directive "${line.key}" comes before any [section] header`,
      line.span,
      `config: line ${line.knockdLine}: all directives must belong to a section`,
    );
    return;
  }
  const { key, upper, keySpan, span, value, valueSpan } = line;
  if (value === undefined || valueSpan === undefined) {
    current.directives.push({ key, normalizedKey: upper, keySpan, span });
    applyBare(state, line);
    return;
  }
  const directive: ValuedDirective = { key, normalizedKey: upper, keySpan, value, valueSpan, span };
  current.directives.push(directive);
  if (upper === "USESYSLOG") {
    state.diagnostics.error(
      CODES.useSyslogWithValue,
      `"${key}" takes no value: write "${key}" alone on its line, without "="`,
      span,
      syntaxError(line.knockdLine),
    );
    return;
  }
  if (current.isOptions) applyInOptions(state, directive, line.knockdLine);
  else applyInDoor(state, current, directive, line.knockdLine);
}

/** A line without `=`: only `UseSyslog` (in any section, as knockd allows). */
function applyBare(state: ParseState, line: DirectiveLine): void {
  if (line.upper === "USESYSLOG") {
    state.options.useSyslog = { value: true, span: line.span };
    return;
  }
  state.diagnostics.error(
    CODES.syntaxError,
    DOOR_KEYS.has(line.upper) || OPTION_KEYS.has(line.upper)
      ? `Directive "${line.key}" needs a value: write "${line.key} = ..."`
      : `Expected "key = value" but found "${line.key}"`,
    line.span,
    syntaxError(line.knockdLine),
  );
}

function applyInOptions(state: ParseState, directive: ValuedDirective, knockdLine: number): void {
  if (applyOptionKey(state.options, directive)) return;
  const { key, normalizedKey: upper } = directive;
  const ext = state.extensions.get(upper);
  if (ext !== undefined && ext.scope === "options") {
    (state.options.extensions ??= new Map()).set(upper, directive);
    if (ext.parse) state.diagnostics.reportAll(ext.parse(directive.value, directive));
    return;
  }
  if (DOOR_KEYS.has(upper) || (ext !== undefined && ext.scope === "door")) {
    misplaced(state, directive, `"${key}" is a door directive and cannot be used in [options]`, knockdLine);
  } else {
    unknown(state, directive, `Unknown directive "${key}" in [options]`, knockdLine);
  }
}

/** A door, or the pseudo-door after a `[]` header. */
function applyInDoor(
  state: ParseState,
  section: MutableSection,
  directive: ValuedDirective,
  knockdLine: number,
): void {
  const door = state.door;
  if (door === undefined) return; // unreachable: a non-options section always has a door
  if (applyDoorKey(door, directive, knockdLine, state.diagnostics)) return;
  const { key, normalizedKey: upper } = directive;
  const ext = state.extensions.get(upper);
  if (ext !== undefined && ext.scope === "door") {
    (door.extensions ??= new Map()).set(upper, directive);
    if (ext.parse) state.diagnostics.reportAll(ext.parse(directive.value, directive));
    return;
  }
  if (OPTION_KEYS.has(upper) || (ext !== undefined && ext.scope === "options")) {
    misplaced(
      state,
      directive,
      `"${key}" is an [options] directive and cannot be used in door "${section.name}"`,
      knockdLine,
    );
  } else {
    unknown(state, directive, `Unknown directive "${key}" in door "${section.name}"`, knockdLine);
  }
}

function misplaced(state: ParseState, d: Directive, message: string, knockdLine: number): void {
  state.diagnostics.error(CODES.misplacedDirective, message, d.keySpan, syntaxError(knockdLine));
}

function unknown(state: ParseState, d: Directive, message: string, knockdLine: number): void {
  state.diagnostics.error(CODES.syntaxError, message, d.keySpan, syntaxError(knockdLine));
}
