/**
 * The knockd.conf model shared by `serve`, `knock -c` and `lint`.
 *
 * Semantics follow knockd 0.8 exactly (see `docs/knockd.md` §1);
 * every value keeps the span it was read from, so later stages (lint rules,
 * the daemon's error messages) can point at the source.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Located, Span } from "../span.ts";

/** Transport protocol of one knock. */
export type Protocol = "tcp" | "udp";

/** TCP flag names, in the order of the TCP header bits (low to high). */
export type TcpFlag = "fin" | "syn" | "rst" | "psh" | "ack" | "urg" | "ece" | "cwr" | "ns";

/** Required state of one flag: set, clear, or (absent from the map) don't care. */
export type FlagState = "set" | "clear";

/** A TCP flag requirement such as `syn,!ack`. Flags not in the map are "don't care". */
export type FlagSpec = ReadonlyMap<TcpFlag, FlagState>;

/** One step of a knock sequence: `7000`, `7000:tcp`, `9999:udp`. */
export interface SequenceStep {
  /** Port as knockd computes it: `atoi()` truncated to 16 bits (`abc` → 0, `-1` → 65535). */
  readonly port: number;
  /** `tcp` unless the item says `:udp`. */
  readonly protocol: Protocol;
  /** The raw item text between commas, untrimmed. */
  readonly raw: string;
  /** Span of the raw item. */
  readonly span: Span;
}

/** A raw `key = value` line as written, for rules that care about spelling. */
export interface Directive {
  /** Key as written (trimmed, original case). */
  readonly key: string;
  /** Upper-cased key, as knockd compares it. */
  readonly normalizedKey: string;
  /** Span of the key. */
  readonly keySpan: Span;
  /** Value as knockd sees it (trimmed); `undefined` for a bare `UseSyslog`. */
  readonly value?: string;
  /** Span of the value; absent with the value. */
  readonly valueSpan?: Span;
  /** Span of the whole (trimmed) line. */
  readonly span: Span;
}

/**
 * One of our own directives, added on top of knockd's (`ParseOptions.extensions`). With none registered
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
  /**
   * A door with this directive is complete without `Sequence` or `One_Time_Sequences`: its sequence comes
   * from elsewhere (a TOTP door's, derived from the time) or it has none (a datagram door, opened by one
   * authenticated datagram). The parser does not report KT009 for it.
   */
  readonly replacesSequence?: boolean;
}

/** A `[name]` section as written. */
export interface Section {
  /** Name between the brackets, untrimmed (knockd does not trim it). */
  readonly name: string;
  /** Span of the name between the brackets. */
  readonly nameSpan: Span;
  /** Span of the whole `[name]` header. */
  readonly span: Span;
  /** The section's `key = value` lines, in file order. */
  readonly directives: readonly Directive[];
  /** True for the exact (case-sensitive) name `options`. */
  readonly isOptions: boolean;
}

/** The global `[options]` settings (all `[options]` sections merged, later lines win). */
export interface Options {
  /** Set by a bare `UseSyslog` line (in any section, as knockd allows). */
  readonly useSyslog?: Located<true>;
  /** `LogFile`: where knockd appends its log lines. */
  readonly logFile?: Located<string>;
  /** Only used with `-d`; knockd's default is `/var/run/knockd.pid`. */
  readonly pidFile?: Located<string>;
  /** Knockd's default is `eth0`; `-i` overrides it. */
  readonly interface?: Located<string>;
  /**
   * Directives of registered extensions (`ParseOptions.extensions`, scope
   * `options`), keyed by upper-cased key, last line wins. Absent when none was used.
   */
  readonly extensions?: ReadonlyMap<string, Directive>;
}

/** knockd's default `seq_timeout`, in seconds. */
export const DEFAULT_SEQ_TIMEOUT = 25;
/** knockd's default `cmd_timeout`, in seconds. */
export const DEFAULT_CMD_TIMEOUT = 10;
/** knockd's limit on sequence length (SEQ_MAX). */
export const MAX_SEQUENCE_LENGTH = 32;

/** One door: a `[name]` section other than `[options]`. */
export interface Door {
  /** Name as written between the brackets (knockd truncates to 127 characters when logging). */
  readonly name: string;
  /** The door's `[name]` header. */
  readonly section: Section;
  /**
   * The sequence in force: from the last `Sequence` line, or (when
   * `One_Time_Sequences` came later) empty until the one-time file is loaded
   * by the caller with `parseOneTimeSequences`.
   */
  readonly sequence: readonly SequenceStep[];
  /** Which directive supplied the sequence: the last of `Sequence` / `One_Time_Sequences` wins. */
  readonly sequenceSource?: "sequence" | "one_time_sequences";
  /**
   * Present (true) when the `Sequence` value in force has an item knockd refuses (KT006 to KT008): knockd
   * refuses the file, and `sequence` holds only the other items, so it is not a sequence anyone wrote.
   */
  readonly sequenceHasErrors?: true;
  /** Path of the one-time sequences file, if any. */
  readonly oneTimeSequences?: Located<string>;
  /** Seconds; `atoi()` semantics (garbage → 0, negatives kept). Default 25. */
  readonly seqTimeout: Located<number> | { readonly value: number; readonly span?: undefined };
  /** Seconds; default 10. */
  readonly cmdTimeout: Located<number> | { readonly value: number; readonly span?: undefined };
  /** Accumulated over every `TCPFlags` line; later mentions of a flag override earlier ones. */
  readonly tcpFlags: FlagSpec;
  /** Span of each `TCPFlags` value, in order. */
  readonly tcpFlagsSpans: readonly Span[];
  /** `Start_Command` / `Command` (last one wins). */
  readonly startCommand?: Located<string>;
  /** `Start_Command_6` / `Command_6`; an empty value means "nothing for IPv6". Falls back to `startCommand` when absent. */
  readonly startCommand6?: Located<string>;
  /** `Stop_Command`: run `cmd_timeout` seconds after the start command. */
  readonly stopCommand?: Located<string>;
  /** Falls back to `stopCommand` when absent. */
  readonly stopCommand6?: Located<string>;
  /** Literal IP string; knockd compares it as text against the packet's destination. */
  readonly target?: Located<string>;
  /**
   * Directives of registered extensions (`ParseOptions.extensions`, scope
   * `door`), keyed by upper-cased key, last line wins. Absent when none was used.
   * knockd itself would reject these lines.
   */
  readonly extensions?: ReadonlyMap<string, Directive>;
}

/** A parsed knockd.conf. */
export interface Config {
  /** The merged `[options]` settings. */
  readonly options: Options;
  /** Doors in file order; duplicate names are separate doors, as in knockd. */
  readonly doors: readonly Door[];
  /** Every section in file order, `[options]` included, for lint rules. */
  readonly sections: readonly Section[];
}
