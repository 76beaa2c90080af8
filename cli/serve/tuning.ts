/**
 * serve's latency tuning, in one place and behind one switch (`--tuning`): the tweaks that shorten the time
 * from the last knock to the door command's start beyond what the plain design gives. None changes what is
 * detected or run, only how fast. Each is kept because a paired benchmark showed it earns its place
 * (10 pairs each, bench/pairs.ts; the numbers in bench/latency.ts's header, fifth pass: each one off raised
 * the p99 in 8 to 10 of 10 pairs); `--tuning none` turns them all off, `--tuning all,-wake` one.
 *
 * - `standby`: a `/bin/sh` started ahead of time waits for the next command on a pipe (./standby.ts), so an
 *   opening writes one line instead of starting a shell.
 * - `pin-shell`: the standby shell is woken on the daemon's own CPU (pinned for the write, its own CPUs back
 *   right after), sparing the command's start a wake-up across CPUs.
 * - `direct-spawn`: when no standby shell waits (a second opening in the same moment), a command that is one
 *   program with plain words starts without a shell (./program.ts).
 * - `idle-helpers`: V8's helper threads run at `SCHED_IDLE` while capture is quiet, so they cannot preempt
 *   the knock path (./threads.ts; the policy in core/serve/helper_load.ts; only with `CAP_SYS_NICE`).
 * - `wake`: on Ethernet links a second packet socket with the capture's filter wakes the main thread directly
 *   (ffi/packet_wake.ts, through node's `tcp_wrap` internals: without them capture waits through `poll`).
 *
 * @module
 */
import { HelperLoad, type HelperPolicy } from "../../core/serve/mod.ts";
import { canRestoreHelpers, setV8Helpers, v8HelperThreads } from "./threads.ts";

/** The tweaks, by their `--tuning` names. */
export const TWEAKS = ["standby", "pin-shell", "direct-spawn", "idle-helpers", "wake"] as const;

/** One tweak's name. */
export type Tweak = typeof TWEAKS[number];

/** Which tweaks are on. */
export type Tuning = Readonly<Record<Tweak, boolean>>;

/** Every tweak on (the default). */
export const ALL_TUNING: Tuning = Object.freeze(
  Object.fromEntries(TWEAKS.map((t) => [t, true])) as Record<Tweak, boolean>,
);

/** Every tweak off: the plain design. */
export const NO_TUNING: Tuning = Object.freeze(
  Object.fromEntries(TWEAKS.map((t) => [t, false])) as Record<Tweak, boolean>,
);

/** What `--tuning` accepts, for `--help`. */
export const TUNING_SYNTAX = `all (default), none, or a comma list of ${
  TWEAKS.join(", ")
}; -NAME turns one off`;

/**
 * Parses a `--tuning` value: `all`, `none`, or a comma list of tweak names, `all` and `none` (applied in
 * order), a name with `-` in front turning it off (`all,-wake`).
 *
 * @returns The tuning, or an error message.
 */
export function parseTuning(
  text: string,
): { readonly ok: true; readonly tuning: Tuning } | { readonly ok: false; readonly error: string } {
  const tuning: Record<Tweak, boolean> = { ...NO_TUNING };
  const items = text.split(",").map((s) => s.trim());
  for (const item of items) {
    if (item === "all" || item === "none") {
      for (const t of TWEAKS) tuning[t] = item === "all";
      continue;
    }
    const off = item.startsWith("-");
    const name = off ? item.slice(1) : item;
    if (!(TWEAKS as readonly string[]).includes(name)) {
      return { ok: false, error: `--tuning: unknown tweak "${item}" (expected ${TUNING_SYNTAX})` };
    }
    tuning[name as Tweak] = !off;
  }
  return { ok: true, tuning };
}

/** The tweaks on, as `--tuning` would name them (`none` when none). */
export function formatTuning(tuning: Tuning): string {
  const on = TWEAKS.filter((t) => tuning[t]);
  return on.length === TWEAKS.length ? "all" : on.length === 0 ? "none" : on.join(",");
}

/**
 * `idle-helpers`: V8's helper threads at `SCHED_IDLE` while capture is quiet, normal from the 1000th frame of a
 * second until three quiet seconds (idle helpers throughout a flood let the garbage collector fall behind).
 * Only when this process may switch them back (`CAP_SYS_NICE`).
 */
export class HelperThreads {
  readonly #load = new HelperLoad();
  readonly #tids: readonly number[];
  readonly #debug: (message: string) => void;

  private constructor(tids: readonly number[], debug: (message: string) => void) {
    this.#tids = tids;
    this.#debug = debug;
  }

  /**
   * Starts idling the helpers, when they can be given back their share under load.
   *
   * @param debug Where each switch is reported (`-D`).
   * @returns The controller, or `undefined` (no `CAP_SYS_NICE`).
   */
  static start(debug: (message: string) => void): HelperThreads | undefined {
    if (!canRestoreHelpers()) return undefined;
    const helpers = new HelperThreads(v8HelperThreads(), debug);
    helpers.#set(helpers.#load.policy);
    return helpers;
  }

  /** Counts a captured frame (cheap: on the capture path). */
  frame(): void {
    if (this.#load.frame() !== undefined) this.#set("normal");
  }

  /** Ends a second. */
  second(): void {
    const change = this.#load.tick();
    if (change !== undefined) this.#set(change);
  }

  #set(policy: HelperPolicy): void {
    const result = setV8Helpers(policy, this.#tids);
    const why = result.error === undefined ? "" : ` (${result.error})`;
    this.#debug(`V8 helper threads ${policy}: ${result.threads}${why}`);
  }
}
