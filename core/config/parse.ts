/**
 * `parseConfig`: knockd.conf text → {@link Config} plus diagnostics, with
 * knockd 0.8's exact acceptance rules (`parseconfig()` in knockd.c).
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Located, Span } from "../span.ts";
import {
  type Config,
  DEFAULT_CMD_TIMEOUT,
  DEFAULT_SEQ_TIMEOUT,
  type Directive,
  type Door,
  type FlagSpec,
  type FlagState,
  type Options,
  type Section,
  type SequenceStep,
  type TcpFlag,
} from "./types.ts";
import { CODES } from "./codes.ts";
import { knockdDoorName, parseSequence } from "./sequence.ts";
import { parseFlagSpec } from "../flags.ts";
import { asciiUpper, atoi, trimBounds } from "../_ctext.ts";
import { spanAt } from "../_spans.ts";
import { type Chunk, forEachChunk } from "./_chunks.ts";

/**
 * One of our own directives, added on top of knockd's. With none registered
 * the parser accepts exactly what knockd accepts.
 */
export interface ConfigExtension {
  /** The key, case-insensitive like knockd's keys (e.g. `Cool_Down`). */
  readonly key: string;
  /** Where the key is allowed: in doors or in `[options]`. */
  readonly scope: "door" | "options";
  /**
   * Optional validation of the value; returned diagnostics are added to the
   * result as they are (use your own codes). The directive is kept either way.
   */
  readonly parse?: (value: string, directive: Directive) => readonly Diagnostic[];
}

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /** Extra directives to accept and keep in `Door.extensions` / `Options.extensions`. */
  readonly extensions?: readonly ConfigExtension[];
  /**
   * Keep at most this many diagnostics (default 10,000) so that a huge
   * garbage input cannot exhaust memory; the rest are only counted in
   * `ParseResult.omittedDiagnostics`.
   */
  readonly maxDiagnostics?: number;
}

/** Default of `ParseOptions.maxDiagnostics`. */
export const DEFAULT_MAX_DIAGNOSTICS = 10_000;

/** Result of {@link parseConfig}. */
export interface ParseResult {
  readonly config: Config;
  /**
   * Every problem, sorted by line then column. Any diagnostic with severity
   * `error` means knockd would refuse the file (it stops at the first one,
   * we report them all).
   */
  readonly diagnostics: Diagnostic[];
  /** True when there is no `error` diagnostic (omitted ones included), i.e. knockd would accept the file. */
  readonly ok: boolean;
  /** How many diagnostics were dropped beyond `ParseOptions.maxDiagnostics` (normally 0). */
  readonly omittedDiagnostics: number;
}

const OPTION_KEYS = new Set(["LOGFILE", "PIDFILE", "INTERFACE"]);
const DOOR_KEYS = new Set([
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

interface MutableSection {
  name: string;
  nameSpan: Span;
  span: Span;
  directives: Directive[];
  isOptions: boolean;
}

interface DoorBuilder {
  section: MutableSection;
  sequence: readonly SequenceStep[];
  sequenceSource?: "sequence" | "one_time_sequences";
  oneTimeSequences?: Located<string>;
  seqTimeout?: Located<number>;
  cmdTimeout?: Located<number>;
  tcpFlags: Map<TcpFlag, FlagState>;
  tcpFlagsSpans: Span[];
  startCommand?: Located<string>;
  startCommand6?: Located<string>;
  stopCommand?: Located<string>;
  stopCommand6?: Located<string>;
  target?: Located<string>;
  extensions?: Map<string, Directive>;
}

interface MutableOptions {
  useSyslog?: Located<true>;
  logFile?: Located<string>;
  pidFile?: Located<string>;
  interface?: Located<string>;
  extensions?: Map<string, Directive>;
}

/**
 * Parses knockd.conf text. Pure and total: never throws, linear in the size
 * of the input, no recursion. See the module documentation of `mod.ts`.
 */
export function parseConfig(text: string, options: ParseOptions = {}): ParseResult {
  const extensions = new Map<string, ConfigExtension>();
  for (const ext of options.extensions ?? []) extensions.set(asciiUpper(ext.key.trim()), ext);

  const diagnostics: Diagnostic[] = [];
  const max = options.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS;
  let omitted = 0;
  let omittedError = false;
  const report = (d: Diagnostic): void => {
    if (diagnostics.length < max) diagnostics.push(d);
    else {
      omitted++;
      if (d.severity === "error") omittedError = true;
    }
  };
  const reportAll = (items: readonly Diagnostic[]): void => {
    for (const d of items) report(d);
  };
  const sections: MutableSection[] = [];
  const builders: DoorBuilder[] = [];
  const opts: MutableOptions = {};
  let current: MutableSection | undefined;
  let door: DoorBuilder | undefined;

  const error = (code: string, message: string, span: Span, knockd: string): void => {
    report({ code, severity: "error", message, span, knockd });
  };

  const onChunk = (chunk: Chunk): void => {
    const line = chunk.text;
    const [s, e] = trimBounds(line);
    if (s === e || line.charCodeAt(s) === 0x23 /* # */) return;
    const at = (from: number, to: number): Span =>
      spanAt(chunk.line, chunk.lineStart, chunk.offset + from, to - from);
    const lineSpan = at(s, e);
    const kLine = chunk.knockdLine;

    // Section header: first character "[" and last character "]".
    if (line.charCodeAt(s) === 0x5b && e - s >= 2 && line.charCodeAt(e - 1) === 0x5d) {
      const name = line.slice(s + 1, e - 1);
      const section: MutableSection = {
        name,
        nameSpan: at(s + 1, e - 1),
        span: lineSpan,
        directives: [],
        isOptions: name === "options",
      };
      sections.push(section);
      current = section;
      if (name === "") {
        error(
          CODES.badSectionName,
          "Section name is empty",
          lineSpan,
          `config: line ${kLine}: bad section name`,
        );
        door = newDoor(section); // parsed for diagnostics, never listed
      } else if (!section.isOptions) {
        door = newDoor(section);
        builders.push(door);
      }
      return;
    }

    // Directive.
    const eq = line.indexOf("=", s);
    const hasValue = eq !== -1 && eq < e;
    const [ks, ke] = hasValue ? trimBounds(line, s, eq) : [s, e];
    const key = line.slice(ks, ke);
    const upper = asciiUpper(key);
    let value: string | undefined;
    let valueSpan: Span | undefined;
    if (hasValue) {
      const [vs, ve] = trimBounds(line, eq + 1, e);
      value = line.slice(vs, ve);
      valueSpan = at(vs, ve);
    }
    const keySpan = at(ks, ke);
    if (current === undefined) {
      error(
        CODES.directiveOutsideSection,
        `Directive "${key}" comes before any [section] header`,
        lineSpan,
        `config: line ${kLine}: all directives must belong to a section`,
      );
      return;
    }
    const directive: Directive = value === undefined || valueSpan === undefined
      ? { key, normalizedKey: upper, keySpan, span: lineSpan }
      : { key, normalizedKey: upper, keySpan, value, valueSpan, span: lineSpan };
    current.directives.push(directive);

    if (value === undefined || valueSpan === undefined) {
      if (upper === "USESYSLOG") {
        opts.useSyslog = { value: true, span: lineSpan };
      } else {
        error(
          CODES.syntaxError,
          DOOR_KEYS.has(upper) || OPTION_KEYS.has(upper)
            ? `Directive "${key}" needs a value: write "${key} = ..."`
            : `Expected "key = value" but found "${key}"`,
          lineSpan,
          syntaxError(kLine),
        );
      }
      return;
    }
    if (upper === "USESYSLOG") {
      error(
        CODES.useSyslogWithValue,
        `"${key}" takes no value: write "${key}" alone on its line, without "="`,
        lineSpan,
        syntaxError(kLine),
      );
      return;
    }
    const located = <T>(v: T): Located<T> => ({ value: v, span: valueSpan });
    const ext = extensions.get(upper);

    if (current.isOptions) {
      switch (upper) {
        case "LOGFILE":
          opts.logFile = located(value);
          return;
        case "PIDFILE":
          opts.pidFile = located(value);
          return;
        case "INTERFACE":
          opts.interface = located(value);
          return;
      }
      if (ext !== undefined && ext.scope === "options") {
        (opts.extensions ??= new Map()).set(upper, directive);
        if (ext.parse) reportAll(ext.parse(value, directive));
        return;
      }
      if (DOOR_KEYS.has(upper) || (ext !== undefined && ext.scope === "door")) {
        error(
          CODES.misplacedDirective,
          `"${key}" is a door directive and cannot be used in [options]`,
          keySpan,
          syntaxError(kLine),
        );
      } else {
        error(CODES.syntaxError, `Unknown directive "${key}" in [options]`, keySpan, syntaxError(kLine));
      }
      return;
    }

    // A door (or the pseudo-door after a bad header).
    const d = door;
    if (d === undefined) return; // unreachable: a non-options section always has a door
    const doorName = current.name;
    switch (upper) {
      case "SEQUENCE": {
        const parsed = parseSequence(value, valueSpan, { door: doorName });
        d.sequence = parsed.steps;
        d.sequenceSource = "sequence";
        reportAll(parsed.diagnostics);
        return;
      }
      case "ONE_TIME_SEQUENCES":
        d.oneTimeSequences = located(value);
        d.sequenceSource = "one_time_sequences";
        d.sequence = [];
        return;
      case "SEQ_TIMEOUT":
      case "TIMEOUT":
        d.seqTimeout = located(atoi(value));
        return;
      case "CMD_TIMEOUT":
        d.cmdTimeout = located(atoi(value));
        return;
      case "TCPFLAGS": {
        const parsed = parseFlagSpec(value, { dialect: "knockd", span: valueSpan, knockdLine: kLine });
        for (const item of parsed.items) {
          if (item.flag !== undefined && item.state !== undefined) d.tcpFlags.set(item.flag, item.state);
        }
        d.tcpFlagsSpans.push(valueSpan);
        reportAll(parsed.diagnostics);
        return;
      }
      case "START_COMMAND":
      case "COMMAND":
        d.startCommand = located(value);
        return;
      case "START_COMMAND_6":
      case "COMMAND_6":
        d.startCommand6 = located(value);
        return;
      case "STOP_COMMAND":
        d.stopCommand = located(value);
        return;
      case "STOP_COMMAND_6":
        d.stopCommand6 = located(value);
        return;
      case "TARGET":
        d.target = located(value);
        return;
    }
    if (ext !== undefined && ext.scope === "door") {
      (d.extensions ??= new Map()).set(upper, directive);
      if (ext.parse) reportAll(ext.parse(value, directive));
      return;
    }
    if (OPTION_KEYS.has(upper) || (ext !== undefined && ext.scope === "options")) {
      error(
        CODES.misplacedDirective,
        `"${key}" is an [options] directive and cannot be used in door "${doorName}"`,
        keySpan,
        syntaxError(kLine),
      );
    } else {
      error(
        CODES.syntaxError,
        `Unknown directive "${key}" in door "${doorName}"`,
        keySpan,
        syntaxError(kLine),
      );
    }
  };

  forEachChunk(text, onChunk);

  const doors: Door[] = [];
  for (const b of builders) {
    if (b.sequenceSource === undefined) {
      const name = knockdDoorName(b.section.name);
      error(
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
  diagnostics.sort(byPosition);
  const config: Config = { options: opts as Options, doors, sections: sections as readonly Section[] };
  const ok = !omittedError && !diagnostics.some((d) => d.severity === "error");
  return { config, diagnostics, ok, omittedDiagnostics: omitted };
}

function newDoor(section: MutableSection): DoorBuilder {
  return { section, sequence: [], tcpFlags: new Map(), tcpFlagsSpans: [] };
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
  if (b.oneTimeSequences !== undefined) door.oneTimeSequences = b.oneTimeSequences;
  if (b.startCommand !== undefined) door.startCommand = b.startCommand;
  if (b.startCommand6 !== undefined) door.startCommand6 = b.startCommand6;
  if (b.stopCommand !== undefined) door.stopCommand = b.stopCommand;
  if (b.stopCommand6 !== undefined) door.stopCommand6 = b.stopCommand6;
  if (b.target !== undefined) door.target = b.target;
  if (b.extensions !== undefined) door.extensions = b.extensions;
  return door;
}

function syntaxError(knockdLine: number): string {
  return `config: line ${knockdLine}: syntax error`;
}

/** Orders diagnostics by line, then column, then offset (diagnostics without a span last). */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  const sa = a.span;
  const sb = b.span;
  if (sa === undefined || sb === undefined) return (sa === undefined ? 1 : 0) - (sb === undefined ? 1 : 0);
  return sa.line - sb.line || sa.column - sb.column || sa.offset - sb.offset;
}
