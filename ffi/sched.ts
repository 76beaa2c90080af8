/**
 * Linux scheduling policy of single threads (`sched_setscheduler` / `sched_getscheduler`, which take a thread
 * id), CPU affinity (`sched_getaffinity` / `sched_setaffinity`, also per thread id, and `sched_getcpu`), and
 * the threads of this process (`/proc/self/task`).
 *
 * @module
 */
import { loadLibc } from "./_libc_symbols.ts";
import { errno } from "./libc.ts";

/** Scheduling policies (`<sched.h>`). */
export const SCHED = { OTHER: 0, FIFO: 1, RR: 2, BATCH: 3, IDLE: 5 } as const;

/** A thread of this process: its id and name (`comm`, at most 15 bytes). */
export interface ThreadInfo {
  /** The thread id (a pid for the scheduling calls of this module). */
  readonly tid: number;
  /** The thread's name, `/proc/self/task/TID/comm` without its newline. */
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
  return loadLibc().sched_setscheduler(tid, policy, new Uint8Array(4)) === 0 ? 0 : errno();
}

/**
 * The policy of one thread.
 *
 * @param tid A thread id (0: the calling thread).
 * @returns One of {@linkcode SCHED}, or -1 when the thread does not exist.
 */
export function threadPolicy(tid: number): number {
  return loadLibc().sched_getscheduler(tid);
}

/** Bytes of a CPU mask here: glibc's `cpu_set_t`, 1024 CPUs. */
export const CPU_MASK_BYTES = 128;

/**
 * The CPU the calling thread is running on now (`sched_getcpu`; it may be moved at any time after).
 *
 * @returns The CPU number, or -1 when the kernel cannot tell.
 */
export function currentCpu(): number {
  return loadLibc().sched_getcpu();
}

/**
 * The CPUs a thread may run on.
 *
 * @param tid A thread id (0: the calling thread); a process id names its main thread.
 * @returns A {@linkcode CPU_MASK_BYTES}-byte mask (bit `n % 8` of byte `n >> 3` for CPU `n`), or `undefined`
 *   when the thread does not exist or may not be asked.
 */
export function getAffinity(tid: number): Uint8Array | undefined {
  const mask = new Uint8Array(CPU_MASK_BYTES);
  return loadLibc().sched_getaffinity(tid, BigInt(CPU_MASK_BYTES), mask) === 0 ? mask : undefined;
}

/**
 * Sets the CPUs a thread may run on (a sleeping thread stays put until it wakes: where it wakes is then chosen
 * within the mask).
 *
 * @param tid A thread id (0: the calling thread); a process id names its main thread.
 * @param mask A {@linkcode CPU_MASK_BYTES}-byte mask, e.g. from {@linkcode cpuMask} or {@linkcode getAffinity}.
 * @returns 0, or the errno of the failure (`ESRCH`, `EPERM`, `EINVAL` for no allowed online CPU).
 */
export function setAffinity(tid: number, mask: Uint8Array): number {
  return loadLibc().sched_setaffinity(tid, BigInt(mask.byteLength), mask) === 0 ? 0 : errno();
}

/**
 * The mask of one CPU.
 *
 * @param cpu A CPU number, 0 to 1023.
 * @returns A {@linkcode CPU_MASK_BYTES}-byte mask with only that CPU.
 * @throws {RangeError} When `cpu` is out of range.
 */
export function cpuMask(cpu: number): Uint8Array {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= CPU_MASK_BYTES * 8) {
    throw new RangeError(`cpu must be an integer from 0 to ${CPU_MASK_BYTES * 8 - 1}, got ${cpu}`);
  }
  const mask = new Uint8Array(CPU_MASK_BYTES);
  mask[cpu >> 3] = 1 << (cpu & 7);
  return mask;
}

/**
 * The CPU numbers in a mask, ascending.
 *
 * @param mask A CPU mask.
 * @returns The CPUs it allows.
 */
export function maskCpus(mask: Uint8Array): number[] {
  const cpus: number[] = [];
  mask.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cpus.push(i * 8 + bit);
  });
  return cpus;
}
