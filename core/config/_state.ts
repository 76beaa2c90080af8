/**
 * What the parser builds while it reads a config: sections, doors and options, mutable until the end.
 *
 * @module
 */
import type { Located, Span } from "../span.ts";
import type { ConfigExtension, Directive, FlagState, SequenceStep, TcpFlag } from "./types.ts";
import type { DiagnosticCollector } from "./_collector.ts";

/** A directive that has a value (its line has an `=`). */
export type ValuedDirective = Directive & { readonly value: string; readonly valueSpan: Span };

/** A `[name]` section being read. */
export interface MutableSection {
  name: string;
  nameSpan: Span;
  span: Span;
  directives: Directive[];
  isOptions: boolean;
}

/** A door being read: the settings seen so far. */
export interface DoorBuilder {
  section: MutableSection;
  sequence: readonly SequenceStep[];
  sequenceSource?: "sequence" | "one_time_sequences";
  sequenceHasErrors?: true;
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

/** The `[options]` settings seen so far (all `[options]` sections merged). */
export interface MutableOptions {
  useSyslog?: Located<true>;
  logFile?: Located<string>;
  pidFile?: Located<string>;
  interface?: Located<string>;
  extensions?: Map<string, Directive>;
}

/** The whole state of one parse. */
export interface ParseState {
  /** Registered extensions by upper-cased key. */
  readonly extensions: ReadonlyMap<string, ConfigExtension>;
  readonly diagnostics: DiagnosticCollector;
  readonly sections: MutableSection[];
  /** The doors in file order (not the pseudo-door of a `[]` header). */
  readonly doors: DoorBuilder[];
  readonly options: MutableOptions;
  /** The section the next directive belongs to; `undefined` before the first header. */
  current?: MutableSection;
  /** The door of `current` when it is not `[options]`. */
  door?: DoorBuilder;
}
