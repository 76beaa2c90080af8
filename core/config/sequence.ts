/**
 * knockd's knock-sequence syntax (`parse_port_sequence()`), shared by the
 * `Sequence` directive and one-time-sequences files.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { Span } from "../span.ts";
import { MAX_SEQUENCE_LENGTH, type Protocol, type SequenceStep } from "./types.ts";
import { CODES } from "./codes.ts";
import { atoi, cTrim, trimBounds, truncateUtf8 } from "../_ctext.ts";
import { subSpan } from "../_spans.ts";

/** Options of {@link parseSequence}. */
export interface ParseSequenceOptions {
  /** Door name for knockd's messages (`config: section NAME: ...`); knockd truncates it to 127 bytes. */
  readonly door?: string;
}

/** Result of {@link parseSequence}. */
export interface ParsedSequence {
  /**
   * The steps knockd would store, in order. Items with an error are left out,
   * and steps beyond the 32nd are dropped (knockd refuses the whole value in
   * both cases, see the diagnostics).
   */
  readonly steps: readonly SequenceStep[];
  /** `KT006` invalid port, `KT007` too many ports, `KT008` unknown protocol; all errors. */
  readonly diagnostics: readonly Diagnostic[];
}

/** knockd stores door names in a 128-byte buffer. */
export function knockdDoorName(name: string): string {
  return truncateUtf8(name, 127);
}

/**
 * `tcp` or `udp` when `raw[start, end)` upper-cases (C locale) to `TCP` or `UDP`, else `undefined`; compared in
 * place, without building the upper-cased text (this runs for every item with a protocol).
 */
function protocolName(raw: string, start: number, end: number): Protocol | undefined {
  if (end - start !== 3) return undefined;
  const a = upperCode(raw.charCodeAt(start));
  const b = upperCode(raw.charCodeAt(start + 1));
  const c = upperCode(raw.charCodeAt(start + 2));
  if (a === 0x54 && b === 0x43 && c === 0x50) return "tcp"; // T C P
  if (a === 0x55 && b === 0x44 && c === 0x50) return "udp"; // U D P
  return undefined;
}

/** `toupper()` in the C locale on one code unit: only a-z change. */
function upperCode(code: number): number {
  return code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
}

/**
 * Parses a sequence value (`7000,8000:udp,9000`) exactly as knockd does:
 * items split at `,`, each item split at `:`; the port is `atoi()` of the
 * first part truncated to 16 bits (`abc` → 0, `-1` → 65535, an empty item → 0)
 * and only rejected above 65535; the protocol is trimmed, upper-cased and must
 * be `TCP` or `UDP` (default TCP); anything after a second `:` is ignored.
 * `valueSpan` places item spans in the source (default: line 1, column 1).
 * Never throws.
 */
export function parseSequence(
  value: string,
  valueSpan?: Span,
  options: ParseSequenceOptions = {},
): ParsedSequence {
  const base: Span = valueSpan ?? { line: 1, column: 1, endColumn: 1 + value.length, offset: 0 };
  // knockd's name of the door, only for its messages: computed when a message needs it.
  const doorName = (): string => knockdDoorName(options.door ?? "");
  const steps: SequenceStep[] = [];
  const diagnostics: Diagnostic[] = [];
  let count = 0;
  let start = 0;
  for (;;) {
    const comma = value.indexOf(",", start);
    const end = comma === -1 ? value.length : comma;
    if (count >= MAX_SEQUENCE_LENGTH) {
      // knockd checks before reading the 33rd item: point from there to the end of the value.
      let total = count;
      for (let i = value.indexOf(",", start); i !== -1; i = value.indexOf(",", i + 1)) total++;
      diagnostics.push({
        code: CODES.tooManyPorts,
        severity: "error",
        message: `Sequence has ${total + 1} ports, more than the maximum of ${MAX_SEQUENCE_LENGTH}`,
        span: subSpan(base, start, value.length - start),
        knockd: `config: section ${doorName()}: too many ports in knock sequence`,
      });
      break;
    }
    count++;
    const raw = value.slice(start, end);
    const span = subSpan(base, start, end - start);
    const colon = raw.indexOf(":");
    const portText = colon === -1 ? raw : raw.slice(0, colon);
    const number = atoi(portText);
    let ok = true;
    if (number > 65535) {
      ok = false;
      diagnostics.push({
        code: CODES.invalidPort,
        severity: "error",
        message: `Port "${cTrim(portText)}" is out of range (the maximum is 65535)`,
        span: subSpan(base, start, portText.length),
        knockd: `config: section ${doorName()}: port ${portText} is invalid`,
      });
    }
    let protocol: Protocol = "tcp";
    if (colon !== -1) {
      const second = raw.indexOf(":", colon + 1);
      const protoEnd = second === -1 ? raw.length : second;
      const [ps, pe] = trimBounds(raw, colon + 1, protoEnd);
      const name = protocolName(raw, ps, pe);
      if (name === "tcp") protocol = "tcp";
      else if (name === "udp") protocol = "udp";
      else {
        ok = false;
        const shown = raw.slice(colon + 1, protoEnd);
        diagnostics.push({
          code: CODES.unknownProtocol,
          severity: "error",
          message: shown === ""
            ? `Missing protocol after ":" in "${raw}" (expected "tcp" or "udp")`
            : `Unknown protocol "${shown}" (expected "tcp" or "udp")`,
          span: subSpan(base, start + colon + 1, protoEnd - colon - 1),
          knockd: `config: section ${doorName()}: unknown protocol in knock sequence`,
        });
      }
    }
    if (ok) steps.push({ port: number & 0xffff, protocol, raw, span });
    if (comma === -1) break;
    start = comma + 1;
  }
  return { steps, diagnostics };
}
