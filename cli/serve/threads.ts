/**
 * V8's helper threads (`V8 DefaultWorker`: concurrent compilation, parallel and concurrent garbage collection)
 * at `SCHED_IDLE` while capture is quiet, back to normal under load (core/serve/helper_load.ts decides).
 *
 * Traced on a 2-vCPU VM (bench/latency.ts): the daemon's main thread posts a task to V8 while handling a
 * knock, the helper is woken on the same CPU and preempts the main thread for milliseconds before the door
 * command is handed over, or takes the CPU from the command's exec. A `SCHED_IDLE` thread never preempts a
 * normal one.
 *
 * @module
 */
import type { HelperPolicy } from "../../core/serve/helper_load.ts";
import { ownThreads, SCHED, setThreadPolicy } from "../../ffi/sched.ts";
import { strerror } from "../../ffi/libc.ts";

/** What {@linkcode setV8Helpers} did. */
export interface HelperResult {
  /** How many helper threads have the policy now. */
  readonly threads: number;
  /** Why one could not be set, if one could not. */
  readonly error?: string;
}

/** Whether a thread name is one of V8's platform workers (`comm` keeps 15 bytes: `V8 DefaultWorke`). */
export function isV8Helper(name: string): boolean {
  return name.startsWith("V8 DefaultWorke");
}

/** CAP_SYS_NICE's bit in /proc's capability masks. */
const CAP_SYS_NICE = 23n;

/**
 * Whether this process may take its threads out of `SCHED_IDLE` again (`CAP_SYS_NICE` in its effective set,
 * as root has; without it Linux refuses unless `RLIMIT_NICE` allows nice 0). Only then are helpers idled.
 *
 * @param status The text of /proc/self/status (read when not given).
 */
export function canRestoreHelpers(status?: string): boolean {
  let text = status;
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync("/proc/self/status");
    } catch {
      return false;
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  return hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_SYS_NICE) & 1n) === 1n;
}

/** The thread ids of this process's V8 platform workers (V8 starts them with the process: look once). */
export function v8HelperThreads(): number[] {
  return ownThreads().filter((thread) => isV8Helper(thread.name)).map((thread) => thread.tid);
}

/**
 * Gives V8's platform worker threads `policy`.
 *
 * @param tids Their thread ids ({@linkcode v8HelperThreads}).
 * @returns How many, and the first failure.
 */
export function setV8Helpers(policy: HelperPolicy, tids: readonly number[]): HelperResult {
  let threads = 0;
  let error: string | undefined;
  for (const tid of tids) {
    const code = setThreadPolicy(tid, policy === "idle" ? SCHED.IDLE : SCHED.OTHER);
    if (code === 0) threads++;
    else error ??= `thread ${tid}: ${strerror(code)}`;
  }
  return error === undefined ? { threads } : { threads, error };
}
