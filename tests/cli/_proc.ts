/** Looking at processes through /proc, for the tests of the commands `serve` starts. */

/** A live (not zombie) process. */
export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** The command name (`comm`). */
  readonly comm: string;
  /** argv, joined by NULs. */
  readonly cmdline: string;
}

/** The live processes now (those ending meanwhile are left out). */
export function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      found.push({
        pid: Number(entry.name),
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        comm,
        cmdline,
      });
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** The pids of the live standby shells (`sh -s`, still waiting for their line) whose parent is `ppid`. */
export function standbyShellsOf(ppid: number): number[] {
  return processes().filter((p) => p.ppid === ppid && p.cmdline === "sh\0-s\0").map((p) => p.pid);
}

/** The live pids of process group `pgid`, with their command names. */
export function group(pgid: number): Map<number, string> {
  return new Map(processes().filter((p) => p.pgid === pgid).map((p) => [p.pid, p.comm]));
}

/**
 * The CPUs process `pid` may run on, as /proc shows them (`Cpus_allowed_list`, e.g. `0-3,6`), or `undefined`
 * when it has ended.
 */
export function cpusAllowed(pid: number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];
  } catch {
    return undefined;
  }
}
