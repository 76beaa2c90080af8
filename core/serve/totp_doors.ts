/**
 * The daemon's TOTP doors (core/config/totp.ts): sequence doors whose sequences change at every time step.
 * For each accepted step (the current one and `skew` steps on either side) the door is one engine door with
 * that step's derived sequence, so that the capture filter passes every accepted step's ports and an attempt
 * begun before a step boundary goes on after it (the engine keeps attempts of doors that stay). A step that
 * opened is used: its sequence is dropped at once and never accepted again, also after a restart (the used
 * steps are written to a state file before the door's commands run). Pure: time comes in as numbers.
 *
 * @module
 */
import type { Door, SequenceStep } from "../config/types.ts";
import { type DerivationParams, derivedSequence } from "../totp/derive.ts";
import { stepStartMs, totpCounter } from "../totp/hotp.ts";
import type { StateEffect } from "./effects.ts";

/** One TOTP door as the loader built it: its secret and derivation settings. */
export interface TotpDoorSpec {
  /** The door's index among the config's doors. */
  readonly index: number;
  /** The secret, length, protocols and candidate ports. */
  readonly params: DerivationParams;
  readonly stepSeconds: number;
  readonly skew: number;
}

/** The TOTP doors of a config, with where their used steps are kept. */
export interface TotpLoad {
  readonly doors: readonly TotpDoorSpec[];
  /** The state file (absent: used steps are kept in memory only, as in a replay). */
  readonly statePath?: string | undefined;
  /** The state file's text as read at load (absent: none yet). */
  readonly stateText?: string | undefined;
}

/** An engine door of a TOTP door: the door with one step's sequence. */
export interface TotpActive {
  /** The config door's index. */
  readonly index: number;
  /** The step. */
  readonly counter: bigint;
  /** The door with that step's sequence. */
  readonly door: Door;
}

interface State {
  readonly spec: TotpDoorSpec;
  readonly config: Door;
  /** Derived doors by counter (only the accepted window is kept). */
  readonly derived: Map<bigint, Door>;
  /** Used counters. */
  readonly used: Set<bigint>;
}

/**
 * Reads a state file's text: `{"version":1,"used":{"door":["counter",...]}}`.
 *
 * @param text The file's text.
 * @returns The used counters by door name (empty for a text that is not such a file).
 */
export function parseTotpState(text: string): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  try {
    const value = JSON.parse(text) as { used?: Record<string, unknown> };
    for (const [name, list] of Object.entries(value.used ?? {})) {
      if (!Array.isArray(list)) continue;
      out.set(name, list.filter((c) => typeof c === "string" && /^\d{1,20}$/.test(c)).map((c) => BigInt(c)));
    }
  } catch {
    // Not JSON: nothing is known used (the loader refuses such a file before it gets here).
  }
  return out;
}

function steps(door: Door, spec: TotpDoorSpec, counter: bigint): SequenceStep[] {
  return derivedSequence(spec.params, counter).map((k) => ({
    port: k.port,
    protocol: k.protocol,
    raw: `${k.port}:${k.protocol}`,
    span: door.section.span,
  }));
}

/** The daemon's TOTP doors. */
export class TotpDoors {
  #doors: State[] = [];
  #statePath: string | undefined;
  /** When the window of some door moves next. */
  #due = Infinity;
  /** When the latest current step began (a clock set back before it moves the windows too). */
  #from = -Infinity;

  /**
   * Takes a config's TOTP doors and their used steps.
   *
   * @param doors The config's doors.
   * @param load The loader's TOTP doors and state.
   * @param now The time.
   */
  load(doors: readonly Door[], load: TotpLoad | undefined, now: number): void {
    const used = parseTotpState(load?.stateText ?? "{}");
    this.#statePath = load?.statePath;
    this.#doors = [];
    for (const spec of load?.doors ?? []) {
      const config = doors[spec.index];
      if (config === undefined) continue;
      this.#doors.push({ spec, config, derived: new Map(), used: new Set(used.get(config.name) ?? []) });
    }
    this.#due = -Infinity;
    this.rotates(now);
  }

  /** When {@linkcode rotates} is due next. */
  get due(): number {
    return this.#due;
  }

  /**
   * Moves every door's window to `now` when a step boundary has passed (or the clock was set back).
   *
   * @param now The time.
   * @returns Whether the windows moved (the engine and the filter then need the new doors).
   */
  rotates(now: number): boolean {
    if (now < this.#due && now >= this.#from) return false;
    let due = Infinity;
    let from = -Infinity;
    for (const d of this.#doors) {
      const { stepSeconds, skew } = d.spec;
      const current = totpCounter(now, stepSeconds);
      for (const c of d.derived.keys()) {
        if (c < current - BigInt(skew) || c > current + BigInt(skew)) d.derived.delete(c);
      }
      for (const c of d.used) if (c < current - BigInt(skew)) d.used.delete(c);
      for (let c = current - BigInt(skew); c <= current + BigInt(skew); c++) {
        if (c >= 0n && !d.derived.has(c)) {
          d.derived.set(c, { ...d.config, sequence: steps(d.config, d.spec, c) });
        }
      }
      due = Math.min(due, stepStartMs(current + 1n, stepSeconds));
      from = Math.max(from, stepStartMs(current, stepSeconds));
    }
    this.#due = due;
    this.#from = from;
    return true;
  }

  /**
   * The engine doors of config door `index`: one per accepted step not used yet, oldest first.
   *
   * @param index The config door's index.
   * @returns The doors.
   */
  active(index: number): TotpActive[] {
    const d = this.#doors.find((s) => s.spec.index === index);
    if (d === undefined) return [];
    const out: TotpActive[] = [];
    for (const [counter, door] of [...d.derived].sort((a, b) => a[0] < b[0] ? -1 : 1)) {
      if (!d.used.has(counter)) out.push({ index, counter, door });
    }
    return out;
  }

  /** Whether step `counter` of door `index` was used. */
  used(index: number, counter: bigint): boolean {
    return this.#doors.find((s) => s.spec.index === index)?.used.has(counter) ?? true;
  }

  /**
   * Step `counter` of door `index` opened: it is used from now on.
   *
   * @returns The state to write before the door's commands run (none without a state file).
   */
  opened(index: number, counter: bigint): StateEffect | undefined {
    const d = this.#doors.find((s) => s.spec.index === index);
    if (d === undefined) return undefined;
    d.used.add(counter);
    if (this.#statePath === undefined) return undefined;
    const used: Record<string, string[]> = {};
    for (const s of this.#doors) {
      const list = [...s.used].sort((a, b) => a < b ? -1 : 1).map(String);
      if (list.length > 0) used[s.config.name] = [...(used[s.config.name] ?? []), ...list];
    }
    return { type: "state", path: this.#statePath, text: JSON.stringify({ version: 1, used }) + "\n" };
  }
}
