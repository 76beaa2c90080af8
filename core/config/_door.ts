/**
 * Door sections: starting one at its header, applying knockd's door keys, and the final check that every
 * door has a sequence.
 *
 * @module
 */
import { DEFAULT_CMD_TIMEOUT, DEFAULT_SEQ_TIMEOUT, type Door, type FlagSpec } from "./types.ts";
import { CODES } from "./codes.ts";
import { knockdDoorName, parseSequence } from "./sequence.ts";
import { parseFlagSpec } from "./flags.ts";
import { atoi } from "../_ctext.ts";
import type { DiagnosticCollector } from "./_collector.ts";
import type { HeaderLine } from "./_line.ts";
import type { DoorBuilder, MutableSection, ParseState, ValuedDirective } from "./_state.ts";

/** knockd's door keys (upper-cased), aliases included. */
export const DOOR_KEYS: ReadonlySet<string> = new Set([
  "SEQUENCE",
  "ONE_TIME_SEQUENCES",
  "SEQ_TIMEOUT",
  "TIMEOUT",
  "TCPFLAGS",
  "START_COMMAND",
  "COMMAND",
  "START_COMMAND_6",
  "COMMAND_6",
  "CMD_TIMEOUT",
  "STOP_COMMAND",
  "STOP_COMMAND_6",
  "TARGET",
]);

/**
 * Starts a section at its header: `[options]`, a door, or (for `[]`, which knockd refuses) a pseudo-door
 * that is parsed for its diagnostics but never listed.
 *
 * @param state The parse state.
 * @param header The header line.
 */
export function openSection(state: ParseState, header: HeaderLine): void {
  const section: MutableSection = {
    name: header.name,
    nameSpan: header.nameSpan,
    span: header.span,
    directives: [],
    isOptions: header.name === "options",
  };
  state.sections.push(section);
  state.current = section;
  if (header.name === "") {
    state.diagnostics.error(
      CODES.badSectionName,
      "Section name is empty",
      header.span,
      `config: line ${header.knockdLine}: bad section name`,
    );
    state.door = newDoor(section);
  } else if (!section.isOptions) {
    state.door = newDoor(section);
    state.doors.push(state.door);
  }
}

function newDoor(section: MutableSection): DoorBuilder {
  return { section, sequence: [], tcpFlags: new Map(), tcpFlagsSpans: [] };
}

/**
 * Applies one of knockd's door keys to a door.
 *
 * @param door The door being read.
 * @param directive The directive, with its value.
 * @param knockdLine knockd's line number, for its messages.
 * @param diagnostics Where problems of the value go.
 * @returns False when `directive` is not a door key.
 */
export function applyDoorKey(
  door: DoorBuilder,
  directive: ValuedDirective,
  knockdLine: number,
  diagnostics: DiagnosticCollector,
): boolean {
  const { value, valueSpan } = directive;
  switch (directive.normalizedKey) {
    case "SEQUENCE": {
      const parsed = parseSequence(value, valueSpan, { door: door.section.name });
      door.sequence = parsed.steps;
      door.sequenceSource = "sequence";
      if (parsed.diagnostics.length > 0) door.sequenceHasErrors = true;
      else delete door.sequenceHasErrors;
      diagnostics.reportAll(parsed.diagnostics);
      return true;
    }
    case "ONE_TIME_SEQUENCES":
      door.oneTimeSequences = { value, span: valueSpan };
      door.sequenceSource = "one_time_sequences";
      door.sequence = [];
      delete door.sequenceHasErrors;
      return true;
    case "SEQ_TIMEOUT":
    case "TIMEOUT":
      door.seqTimeout = { value: atoi(value), span: valueSpan };
      return true;
    case "CMD_TIMEOUT":
      door.cmdTimeout = { value: atoi(value), span: valueSpan };
      return true;
    case "TCPFLAGS": {
      const parsed = parseFlagSpec(value, { dialect: "knockd", span: valueSpan, knockdLine });
      for (const item of parsed.items) {
        if (item.flag !== undefined && item.state !== undefined) door.tcpFlags.set(item.flag, item.state);
      }
      door.tcpFlagsSpans.push(valueSpan);
      diagnostics.reportAll(parsed.diagnostics);
      return true;
    }
    case "START_COMMAND":
    case "COMMAND":
      door.startCommand = { value, span: valueSpan };
      return true;
    case "START_COMMAND_6":
    case "COMMAND_6":
      door.startCommand6 = { value, span: valueSpan };
      return true;
    case "STOP_COMMAND":
      door.stopCommand = { value, span: valueSpan };
      return true;
    case "STOP_COMMAND_6":
      door.stopCommand6 = { value, span: valueSpan };
      return true;
    case "TARGET":
      door.target = { value, span: valueSpan };
      return true;
  }
  return false;
}

/**
 * The doors as read, after knockd's end-of-file check: a door without `Sequence` or `One_Time_Sequences`
 * is refused (unless a `replacesSequence` extension makes it a TOTP or datagram door).
 *
 * @param state The parse state after the last line.
 * @returns The doors in file order.
 */
export function finishDoors(state: ParseState): Door[] {
  const doors: Door[] = [];
  for (const b of state.doors) {
    const derived = [...b.extensions?.keys() ?? []].some((k) => state.extensions.get(k)?.replacesSequence);
    if (b.sequenceSource === undefined && !derived) {
      const name = knockdDoorName(b.section.name);
      state.diagnostics.error(
        CODES.emptySequence,
        b.section.name.trim().toLowerCase() === "options"
          ? `Door "${b.section.name}" has no Sequence or One_Time_Sequences (the options section must be spelled exactly [options])`
          : `Door "${b.section.name}" has no Sequence or One_Time_Sequences`,
        b.section.span,
        `error: section '${name}' has an empty knock sequence`,
      );
    }
    doors.push(buildDoor(b));
  }
  return doors;
}

function buildDoor(b: DoorBuilder): Door {
  const door: {
    -readonly [K in keyof Door]: Door[K];
  } = {
    name: b.section.name,
    section: b.section,
    sequence: b.sequence,
    seqTimeout: b.seqTimeout ?? { value: DEFAULT_SEQ_TIMEOUT },
    cmdTimeout: b.cmdTimeout ?? { value: DEFAULT_CMD_TIMEOUT },
    tcpFlags: b.tcpFlags as FlagSpec,
    tcpFlagsSpans: b.tcpFlagsSpans,
  };
  if (b.sequenceSource !== undefined) door.sequenceSource = b.sequenceSource;
  if (b.sequenceHasErrors === true) door.sequenceHasErrors = true;
  if (b.oneTimeSequences !== undefined) door.oneTimeSequences = b.oneTimeSequences;
  if (b.startCommand !== undefined) door.startCommand = b.startCommand;
  if (b.startCommand6 !== undefined) door.startCommand6 = b.startCommand6;
  if (b.stopCommand !== undefined) door.stopCommand = b.stopCommand;
  if (b.stopCommand6 !== undefined) door.stopCommand6 = b.stopCommand6;
  if (b.target !== undefined) door.target = b.target;
  if (b.extensions !== undefined) door.extensions = b.extensions;
  return door;
}
