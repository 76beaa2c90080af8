/**
 * The daemon's log messages: knockd's exact texts for engine events, plus our own for what knockd keeps
 * silent (failures, retransmissions, evictions). Pure.
 *
 * @module
 */
import type { EngineEvent, KnockTarget } from "../engine/types.ts";

/** Structured fields of a log message (the `--log-format json` keys besides time, level, message). */
export interface LogFields {
  readonly event: string;
  readonly src?: string;
  readonly door?: string;
  readonly stage?: number;
  readonly [key: string]: string | number | undefined;
}

/** One log message: knockd's text and its fields. */
export interface LogEntry {
  readonly level: "debug" | "info" | "warning" | "error";
  readonly message: string;
  readonly fields: LogFields;
}

function step(target: KnockTarget): string {
  return `${target.port}/${target.protocol}`;
}

/**
 * The log message of an engine event, or `undefined` for events logged another way (`evicted` is counted
 * and aggregated by the caller, see {@linkcode evictionMessage}).
 *
 * - `stage` → `<ip>: <door>: Stage N`, `open` → `<ip>: <door>: OPEN SESAME`,
 *   `timeout` → `<ip>: <door>: sequence timeout (stage N)` (knockd's texts);
 * - `fail` → `<ip>: <door>: sequence failed at stage N: expected 7000/tcp, got 9000/tcp` (N = steps
 *   matched, as in the timeout line);
 * - `retransmission` → `<ip>: <door>: retransmission ignored at stage N (port 8000/tcp)`;
 * - `repeat` → `<ip>: <door>: repeat of 8000/tcp ignored at stage N (100 ms after the counted knock)`
 *   (whole milliseconds);
 * - `dropped` → `<ip>: <door>: attempt dropped by reload at stage N`;
 * - a strict door's `fail` → `<ip>: <door>: sequence failed at stage N: strict: unexpected packet to 1234/tcp`;
 * - `cooldown` → `<ip>: <door>: cooldown, not opening again for N s` (N rounded up to 0.1 s).
 *
 * With `name` (`serve -l`), the source shows as knockd shows it then: `<ip> (<name>): <door>: ...`.
 *
 * @param event An engine event.
 * @param name The source's host name, if known.
 * @returns The entry, or `undefined`.
 */
export function eventMessage(event: EngineEvent, name?: string): LogEntry | undefined {
  const head = name === undefined
    ? `${event.src}: ${event.name}: `
    : `${event.src} (${name}): ${event.name}: `;
  const base = { src: event.src, door: event.name };
  switch (event.type) {
    case "stage":
      return {
        level: "info",
        message: `${head}Stage ${event.stage}`,
        fields: { event: "stage", ...base, stage: event.stage },
      };
    case "open":
      return {
        level: "info",
        message: `${head}OPEN SESAME`,
        fields: { event: "open", ...base, dst: event.dst },
      };
    case "timeout":
      return {
        level: "info",
        message: `${head}sequence timeout (stage ${event.stage})`,
        fields: { event: "timeout", ...base, stage: event.stage },
      };
    case "fail":
      return {
        level: "info",
        message: event.reason === "strict"
          ? `${head}sequence failed at stage ${event.stage}: strict: unexpected packet to ${step(event.got)}`
          : `${head}sequence failed at stage ${event.stage}: expected ${step(event.expected)}, got ${
            step(event.got)
          }`,
        fields: {
          event: "fail",
          ...base,
          stage: event.stage,
          reason: event.reason,
          expected: step(event.expected),
          got: step(event.got),
        },
      };
    case "retransmission":
      return {
        level: "debug",
        message: `${head}retransmission ignored at stage ${event.stage} (port ${event.port}/tcp)`,
        fields: {
          event: "retransmission",
          ...base,
          stage: event.stage,
          port: event.port,
          sport: event.sport,
        },
      };
    case "repeat":
      return {
        level: "debug",
        message: `${head}repeat of ${step(event.step)} ignored at stage ${event.stage} ` +
          `(${Math.round(event.sinceMs)} ms after the counted knock)`,
        fields: {
          event: "repeat",
          ...base,
          stage: event.stage,
          step: step(event.step),
          sport: event.sport,
          sinceMs: event.sinceMs,
        },
      };
    case "dropped":
      return {
        level: "info",
        message: `${head}attempt dropped by reload at stage ${event.stage}`,
        fields: { event: "dropped", ...base, stage: event.stage },
      };
    case "cooldown":
      return {
        level: "info",
        message: `${head}cooldown, not opening again for ${Math.ceil(event.remainingMs / 100) / 10} s`,
        fields: { event: "cooldown", ...base, remainingMs: event.remainingMs },
      };
    case "evicted":
      return undefined;
  }
}

/**
 * The aggregated eviction message: `attempt table full (max N): evicted K oldest attempts (last: <ip>
 * at <door>)`. Callers log it at most once per interval.
 *
 * @param count Evictions since the last message.
 * @param max The table cap.
 * @param last The last evicted attempt's source and door.
 * @returns The entry.
 */
export function evictionMessage(count: number, max: number, last: { src: string; name: string }): LogEntry {
  const what = count === 1 ? "1 oldest attempt" : `${count} oldest attempts`;
  return {
    level: "warning",
    message: `attempt table full (max ${max}): evicted ${what} (last: ${last.src} at ${last.name})`,
    fields: { event: "evicted", count, src: last.src, door: last.name },
  };
}

/**
 * The warning for packets the kernel dropped because the capture buffer was full (libpcap's `ps_drop`),
 * logged at most once a second with the count since the last one: a knock may have been among them.
 *
 * @param iface The interface.
 * @param count Packets dropped since the last warning (≥ 1).
 * @param total Packets dropped since the capture started.
 * @returns The entry.
 */
export function captureDropMessage(iface: string, count: number, total: number): LogEntry {
  const what = count === 1 ? "1 packet" : `${count} packets`;
  return {
    level: "warning",
    message: `pcap: ${iface}: capture buffer full, the kernel dropped ${what} (${total} in all); ` +
      `knocks may be lost: raise --buffer-size`,
    fields: { event: "capture-drops", iface, count, total },
  };
}

/**
 * The capture counters of an interface at shutdown (libpcap's `pcap_stats`), at info level.
 *
 * @param iface The interface.
 * @param received Packets that passed the filter.
 * @param dropped Packets dropped for lack of buffer space.
 * @returns The entry.
 */
export function captureTotalsMessage(iface: string, received: number, dropped: number): LogEntry {
  return {
    level: "info",
    message: `pcap: ${iface}: ${received} packets captured, ${dropped} dropped`,
    fields: { event: "capture-stats", iface, received, dropped },
  };
}
