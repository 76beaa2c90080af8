/**
 * A closer look at one raw sequence item (`7000`, ` 8000:udp`, `abc`, `-1`, `9000:tcp:junk`), telling what
 * knockd silently did with it.
 *
 * @module
 */
import type { Span } from "../span.ts";
import type { Door, SequenceStep } from "../config/types.ts";
import { cTrim, isCSpace as isCSpaceCode } from "../_ctext.ts";
import { type AtoiReading, readAtoi } from "./_number.ts";
import { joinSpans, subSpan } from "./_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "./_directives.ts";

/** What knockd made of one sequence item. */
export interface StepReading {
  readonly step: SequenceStep;
  /** The item's text before the first `:`. */
  readonly portText: string;
  readonly atoi: AtoiReading;
  /** The port part is empty or blank (an empty item or a trailing comma). */
  readonly empty: boolean;
  /** The port part is non-blank but has no digits (`abc`). */
  readonly garbage: boolean;
  /** Span of the item without surrounding blanks (zero width for an empty item). */
  readonly trimmedSpan: Span;
  /** Non-blank text after the port number that `atoi()` ignored, relative to `raw`. */
  readonly trailing?: { readonly start: number; readonly end: number; readonly text: string };
  /** Text after a second `:` that knockd ignores, relative to `raw`. */
  readonly afterProtocol?: { readonly start: number; readonly end: number; readonly text: string };
}

/** First index in `[start, end)` that is not C whitespace (`end` when there is none). */
function skipBlanks(text: string, start: number, end: number): number {
  while (start < end && isCSpaceCode(text.charCodeAt(start))) start++;
  return start;
}

/** One past the last index in `[start, end)` that is not C whitespace (`start` when there is none). */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isCSpaceCode(text.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * Reads one sequence item the way knockd's `parse_port_sequence()` does.
 *
 * @param step The parsed step with its raw text and span.
 * @returns The reading.
 */
export function readStep(step: SequenceStep): StepReading {
  let reading = readings.get(step);
  if (reading === undefined) readings.set(step, reading = computeReading(step));
  return reading;
}

/** Several rules look at the same steps: read each one once. */
const readings = new WeakMap<SequenceStep, StepReading>();

function computeReading(step: SequenceStep): StepReading {
  const raw = step.raw;
  const colon = raw.indexOf(":");
  const portEnd = colon === -1 ? raw.length : colon;
  const portText = colon === -1 ? raw : raw.slice(0, portEnd);
  const atoi = readAtoi(portText);
  const empty = portText.trim() === "";
  const garbage = !empty && !atoi.hasDigits;
  const ts = skipBlanks(raw, 0, raw.length);
  const te = trimEnd(raw, ts, raw.length);
  const trimmedSpan = subSpan(step.span, ts, te);
  let trailing: StepReading["trailing"];
  if (atoi.hasDigits) {
    const gs = skipBlanks(portText, atoi.end, portText.length);
    const ge = trimEnd(portText, gs, portText.length);
    if (ge > gs) trailing = { start: gs, end: ge, text: portText.slice(gs, ge) };
  }
  let afterProtocol: StepReading["afterProtocol"];
  if (colon !== -1) {
    const second = raw.indexOf(":", colon + 1);
    if (second !== -1) afterProtocol = { start: second, end: te, text: raw.slice(second + 1, te) };
  }
  // Built without spreads: this runs for every step of every door.
  const reading: { -readonly [K in keyof StepReading]: StepReading[K] } = {
    step,
    portText,
    atoi,
    empty,
    garbage,
    trimmedSpan,
  };
  if (trailing !== undefined) reading.trailing = trailing;
  if (afterProtocol !== undefined) reading.afterProtocol = afterProtocol;
  return reading;
}

/**
 * The steps written on the door's `Sequence` line when that line is the one in force (not a one-time file)
 * and knockd accepts it. A value with an item knockd refuses (KT006 to KT008) gives none: the items left
 * over are not a sequence anyone wrote, so no rule judges or quotes them.
 *
 * @param door The door.
 * @returns The steps, or an empty list.
 */
export function writtenSequence(door: Door): readonly SequenceStep[] {
  if (door.sequenceSource === "one_time_sequences" || door.sequenceHasErrors === true) return [];
  return door.sequence;
}

/**
 * Span of the whole sequence value of a door, for findings about the sequence as a whole.
 *
 * @param door The door.
 * @returns The span of the `Sequence` value, or of the door header when there is none.
 */
export function sequenceSpan(door: Door): Span {
  const steps = door.sequence;
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first !== undefined && last !== undefined && door.sequenceSource !== "one_time_sequences") {
    const a = readStep(first).trimmedSpan;
    const b = readStep(last).trimmedSpan;
    if (a.line === b.line && b.endColumn > a.column) return joinSpans(a, b);
  }
  const d = lastDirective(door.section, KEYS.sequence);
  return d !== undefined ? valueSpanOf(d) : door.section.nameSpan;
}

/**
 * The sequence as written, for messages: each item trimmed, joined by commas (`7000,8000,9000:udp`).
 *
 * @param steps The steps.
 * @returns The items' text, not the numbers `atoi()` made of them.
 */
export function sequenceText(steps: readonly SequenceStep[]): string {
  return steps.map((s) => cTrim(s.raw)).join(",");
}

/**
 * A step's port for messages: the number knockd uses, and how it was written when that differs
 * (`65535 (written "-1")`).
 *
 * @param step The step.
 * @param suffix Text right after the number, e.g. `/udp`.
 * @returns The port label.
 */
export function portLabel(step: SequenceStep, suffix = ""): string {
  const written = cTrim(readStep(step).portText);
  const shown = `${step.port}${suffix}`;
  return written === String(step.port) ? shown : `${shown} (written "${written}")`;
}
