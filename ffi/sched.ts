/**
 * Linux scheduling policy of single threads (`sched_setscheduler` / `sched_getscheduler`, which take a thread
 * id), and the threads of this process (`/proc/self/task`).
 *
 * @module
 */
import { errno } from "./libc.ts";

const SCHED_SYMBOLS = {
  /** `int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)` */
  sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** `int sched_getscheduler(pid_t pid)` */
  sched_getscheduler: { parameters: ["i32"], result: "i32" },
} as const;

let cached: Deno.DynamicLibrary<typeof SCHED_SYMBOLS>["symbols"] | undefined;

function lib(): Deno.DynamicLibrary<typeof SCHED_SYMBOLS>["symbols"] {
  return cached ??= Deno.dlopen("libc.so.6", SCHED_SYMBOLS).symbols;
}

/** Scheduling policies (`<sched.h>`). */
export const SCHED = { OTHER: 0, FIFO: 1, RR: 2, BATCH: 3, IDLE: 5 } as const;

/** A thread of this process: its id and name (`comm`, at most 15 bytes). */
export interface ThreadInfo {
  readonly tid: number;
  readonly name: string;
}

/** The threads of this process now (one that ends meanwhile is left out). */
export function ownThreads(): ThreadInfo[] {
  const threads: ThreadInfo[] = [];
  for (const entry of Deno.readDirSync("/proc/self/task")) {
    try {
      const name = Deno.readTextFileSync(`/proc/self/task/${entry.name}/comm`).replace(/\n$/, "");
      threads.push({ tid: Number(entry.name), name });
    } catch {
      // ended meanwhile
    }
  }
  return threads;
}

/**
 * Sets the policy of one thread, with priority 0 (the only one `SCHED_OTHER`, `SCHED_BATCH` and `SCHED_IDLE`
 * take).
 *
 * @param tid A thread id (0: the calling thread).
 * @param policy One of {@linkcode SCHED} but FIFO and RR.
 * @returns 0, or the errno of the failure.
 */
export function setThreadPolicy(tid: number, policy: number): number {
  return lib().sched_setscheduler(tid, policy, new Uint8Array(4)) === 0 ? 0 : errno();
}

/**
 * The policy of one thread.
 *
 * @param tid A thread id (0: the calling thread).
 * @returns One of {@linkcode SCHED}, or -1 when the thread does not exist.
 */
export function threadPolicy(tid: number): number {
  return lib().sched_getscheduler(tid);
}
