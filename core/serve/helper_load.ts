/**
 * When V8's helper threads (concurrent compilation, parallel and concurrent garbage collection) may run at
 * `SCHED_IDLE` (cli/serve/threads.ts): while capture is quiet they must not preempt the knock path (traced:
 * a helper woken on the main thread's CPU held it for milliseconds before a command was handed over), and
 * under a flood they must keep their share, or the collector falls behind (with idle helpers at hping3's
 * flood rate legitimate knocks were lost and peak memory grew: bench/latency.ts, second pass). Pure: told of
 * each frame and of each second's end.
 *
 * @module
 */

/** The helpers' scheduling: `idle` (only on a CPU nothing else wants) or `normal`. */
export type HelperPolicy = "idle" | "normal";

/** Thresholds of {@linkcode HelperLoad}. */
export interface HelperLoadOptions {
  /**
   * Frames in one second that count as busy: the helpers go back to normal at the frame that reaches it.
   * Default 1000.
   */
  readonly busyFrames?: number;
  /** Seconds in a row under `busyFrames / 4` frames before they idle again. Default 3. */
  readonly quietSeconds?: number;
}

/** Decides the helpers' policy from the frame rate, with hysteresis. Starts `idle`. */
export class HelperLoad {
  readonly #busy: number;
  readonly #quietNeeded: number;
  #policy: HelperPolicy = "idle";
  #quiet = 0;
  #frames = 0;

  constructor(options: HelperLoadOptions = {}) {
    this.#busy = options.busyFrames ?? 1000;
    this.#quietNeeded = options.quietSeconds ?? 3;
  }

  /** The policy now. */
  get policy(): HelperPolicy {
    return this.#policy;
  }

  /**
   * Counts one captured frame (cheap: on the capture path).
   *
   * @returns `normal` at the frame that makes this second busy while the helpers idle, else `undefined`.
   */
  frame(): HelperPolicy | undefined {
    if (++this.#frames < this.#busy || this.#policy === "normal") return undefined;
    this.#quiet = 0;
    return this.#policy = "normal";
  }

  /**
   * Ends a second (call about once a second): after `quietSeconds` quiet ones in a row the helpers idle.
   *
   * @returns `idle` when that happens, else `undefined`.
   */
  tick(): HelperPolicy | undefined {
    const frames = this.#frames;
    this.#frames = 0;
    if (this.#policy === "idle") return undefined;
    this.#quiet = frames < this.#busy / 4 ? this.#quiet + 1 : 0;
    if (this.#quiet < this.#quietNeeded) return undefined;
    return this.#policy = "idle";
  }
}
