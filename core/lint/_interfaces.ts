/**
 * The `Interface` line in force and the names it lists (`eth0,wlan0`: knocktool captures on each).
 *
 * @module
 */
import type { Span } from "../span.ts";
import type { Config, Directive } from "../config/types.ts";
import { trimBounds } from "../_ctext.ts";
import { subSpan } from "./_context.ts";
import { KEYS } from "./_directives.ts";

/** One name of an `Interface` list. */
export interface InterfaceMember {
  /** The name, trimmed (`""` for an empty member). */
  readonly name: string;
  /** The trimmed name's span; for an empty member, the comma next to it (or the whole line). */
  readonly span: Span;
}

/** The `Interface` directive knockd uses and its members. */
export interface InterfaceList {
  readonly directive: Directive;
  readonly members: readonly InterfaceMember[];
}

/**
 * The last `Interface` line of the `[options]` sections (all of them are merged; a later line wins).
 *
 * @param config The parsed config.
 * @returns The line and its comma-separated members, or `undefined` without an `Interface` line.
 */
export function interfaceList(config: Config): InterfaceList | undefined {
  let directive: Directive | undefined;
  const keys: readonly string[] = KEYS.interface;
  for (const section of config.sections) {
    if (!section.isOptions) continue;
    for (const d of section.directives) {
      if (keys.includes(d.normalizedKey) && d.value !== undefined) directive = d;
    }
  }
  if (directive === undefined) return undefined;
  const value = directive.value ?? "";
  const span = directive.valueSpan;
  if (span === undefined || value === "") return { directive, members: [{ name: "", span: directive.span }] };
  const members: InterfaceMember[] = [];
  let start = 0;
  for (;;) {
    const comma = value.indexOf(",", start);
    const end = comma === -1 ? value.length : comma;
    const [s, e] = trimBounds(value, start, end);
    let at: Span;
    if (e > s) at = subSpan(span, s, e);
    else if (comma !== -1) at = subSpan(span, comma, comma + 1); // the comma after the empty member
    else at = subSpan(span, start - 1, start); // a trailing comma
    members.push({ name: value.slice(s, e), span: at });
    if (comma === -1) break;
    start = comma + 1;
  }
  return { directive, members };
}
