/**
 * Test helpers: build `Door`s directly (no parser), build knocks, replay
 * them through an engine and keep the events in a compact form.
 *
 * @module
 */
import type {
  Door,
  FlagState,
  Protocol,
  Section,
  SequenceStep,
  TcpFlag,
} from "../../../core/config/types.ts";
import type { Knock } from "../../../core/knock.ts";
import type { EngineEvent, KnockEngine } from "../../../core/engine/mod.ts";

const SPAN = { line: 1, column: 1, endColumn: 1, offset: 0 };

/** Options of {@linkcode door}. */
export interface DoorSpec {
  /** `"7000,8000,9000"` or `"7000:tcp,4000:udp"`, as in knockd.conf. */
  sequence: string;
  /** `"syn,!ack"`; absent means no `TCPFlags` line. */
  tcpflags?: string;
  /** Seconds (knockd's unit). Default 25. */
  seqTimeout?: number;
  target?: string;
}

/** A `Door` as the parser would build it, from knockd.conf-like strings. */
export function door(name: string, spec: DoorSpec): Door {
  const section: Section = { name, nameSpan: SPAN, span: SPAN, directives: [], isOptions: false };
  const sequence: SequenceStep[] = spec.sequence.split(",").map((raw) => {
    const [port, protocol] = raw.trim().split(":");
    return {
      port: Number(port),
      protocol: (protocol === "udp" ? "udp" : "tcp") as Protocol,
      raw,
      span: SPAN,
    };
  });
  const tcpFlags = new Map<TcpFlag, FlagState>();
  if (spec.tcpflags !== undefined) {
    for (const item of spec.tcpflags.split(",")) {
      if (item.startsWith("!")) tcpFlags.set(item.slice(1) as TcpFlag, "clear");
      else tcpFlags.set(item as TcpFlag, "set");
    }
  }
  const base: Door = {
    name,
    section,
    sequence,
    seqTimeout: { value: spec.seqTimeout ?? 25 },
    cmdTimeout: { value: 10 },
    tcpFlags,
    tcpFlagsSpans: [],
  };
  return spec.target === undefined ? base : { ...base, target: { value: spec.target, span: SPAN } };
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

let autoSport = 40000;

/** Options of {@linkcode knock}. */
export interface KnockSpec {
  src?: string;
  dst?: string;
  /** `"7000"` (TCP) or `"4000:udp"`. */
  port: string;
  flags?: number;
  /** Default: a fresh ephemeral port per knock, like separate `connect()` calls. */
  sport?: number;
  /** Default: derived from the source port. */
  seq?: number;
  /** Capture time in ms. */
  at: number;
}

/** A decoded packet. */
export function knock(spec: KnockSpec): Knock {
  const [port, proto] = spec.port.split(":");
  const protocol: Protocol = proto === "udp" ? "udp" : "tcp";
  const src = spec.src ?? "10.0.0.2";
  const sport = spec.sport ?? autoSport++;
  return {
    family: src.includes(":") ? 6 : 4,
    src,
    dst: spec.dst ?? (src.includes(":") ? "fd77::1" : "10.0.0.1"),
    protocol,
    sport,
    dport: Number(port),
    flags: protocol === "udp" ? 0 : spec.flags ?? SYN,
    seq: protocol === "udp" ? 0 : spec.seq ?? (sport * 7919) >>> 0,
    timeMs: spec.at,
  };
}

/**
 * An event in the text form knockd logs (plus our own lines), e.g.
 * `10.0.0.2: A: Stage 1`, `10.0.0.2: A: OPEN SESAME`,
 * `10.0.0.2: A: sequence timeout (stage 2)`,
 * `10.0.0.2: A: fail wrong-port (stage 1, expected 8000/tcp, got 9000/tcp)`,
 * `10.0.0.2: A: repeat ignored (stage 1, 7000/tcp after 100 ms)`.
 * The door index is shown as `A#1` when `withIndex` is set.
 */
export function line(event: EngineEvent, withIndex = false): string {
  const who = `${event.src}: ${event.name}${withIndex ? `#${event.door}` : ""}`;
  switch (event.type) {
    case "stage":
      return `${who}: Stage ${event.stage}`;
    case "open":
      return `${who}: OPEN SESAME`;
    case "timeout":
      return `${who}: sequence timeout (stage ${event.stage})`;
    case "fail":
      return `${who}: fail ${event.reason} (stage ${event.stage}, expected ${event.expected.port}/${event.expected.protocol}, got ${event.got.port}/${event.got.protocol})`;
    case "retransmission":
      return `${who}: retransmission ignored (stage ${event.stage}, port ${event.port})`;
    case "repeat":
      return `${who}: repeat ignored (stage ${event.stage}, ${event.step.port}/${event.step.protocol} after ${event.sinceMs} ms)`;
    case "evicted":
      return `${who}: evicted (stage ${event.stage})`;
    case "dropped":
      return `${who}: dropped on reload (stage ${event.stage})`;
    case "cooldown":
      return `${who}: cooldown (${event.remainingMs} ms left)`;
  }
}

/** Feed knocks in order (each at its own capture time) and collect every event as a line. */
export function replay(engine: KnockEngine, knocks: readonly Knock[], withIndex = false): string[] {
  const out: string[] = [];
  for (const k of knocks) {
    for (const event of engine.observe(k, k.timeMs)) out.push(line(event, withIndex));
  }
  return out;
}

/** `n` TCP SYN knocks from `src`, 100 ms apart starting at `at`. */
export function syns(ports: readonly (number | string)[], opts: { src?: string; at?: number } = {}): Knock[] {
  const at = opts.at ?? 0;
  return ports.map((port, i) =>
    knock({ port: String(port), at: at + i * 100, ...(opts.src ? { src: opts.src } : {}) })
  );
}
