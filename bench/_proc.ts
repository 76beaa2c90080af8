/**
 * What the flood benchmarks read of a process and of the server's interface: CPU time and peak memory from
 * /proc, the interface's received-packet counter from sysfs (read inside the server namespace, whose view
 * sysfs shows). Shared by bench/flood.ts, bench/fwknop.ts and bench/spa.ts.
 *
 * @module
 */
import type { Topology } from "../tools/netns/mod.ts";

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** utime + stime of a process, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Peak resident memory (VmHWM) of a process, in MiB. */
export async function peakMiB(pid: number): Promise<number> {
  const m = /VmHWM:\s+(\d+) kB/.exec(await Deno.readTextFile(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Packets the server's interface has received, read from inside the server namespace. */
export async function rxPackets(t: Topology): Promise<number> {
  return Number(
    (await t.server.exec(["cat", `/sys/class/net/${t.serverIf}/statistics/rx_packets`])).stdout.trim(),
  );
}
