/**
 * CPU affinity through libc (ffi/sched.ts), on real processes: masks read and set on a child are what
 * /proc shows, the calling thread's CPU is one it may run on, and failures come back as errno values.
 * Scheduling policies are tested with the helper threads (tests/cli/serve_threads_test.ts).
 */
import assert from "node:assert/strict";
import {
  CPU_MASK_BYTES,
  cpuMask,
  currentCpu,
  getAffinity,
  kill,
  maskCpus,
  setAffinity,
  SIGNAL,
  spawn,
} from "../../ffi/mod.ts";
import { cpusAllowed } from "../cli/_proc.ts";

/** `0-3,6` from [0, 1, 2, 3, 6]: how /proc lists CPUs. */
function asList(cpus: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < cpus.length;) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    runs.push(j === i ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return runs.join(",");
}

Deno.test("cpuMask and maskCpus: one bit per CPU, 1024 CPUs, out of range refused", () => {
  assert.equal(cpuMask(0).byteLength, CPU_MASK_BYTES);
  assert.deepEqual(maskCpus(cpuMask(0)), [0]);
  assert.deepEqual(maskCpus(cpuMask(9)), [9]);
  assert.equal(cpuMask(9)[1], 0b10);
  assert.deepEqual(maskCpus(cpuMask(1023)), [1023]);
  assert.deepEqual(maskCpus(new Uint8Array([0b101, 0, 0b1000_0000])), [0, 2, 23]);
  assert.deepEqual(maskCpus(new Uint8Array(CPU_MASK_BYTES)), []);
  for (const bad of [-1, 1024, 1.5, NaN]) assert.throws(() => cpuMask(bad), RangeError, String(bad));
});

Deno.test("getAffinity(0) is this thread's mask as /proc shows it, and it holds the CPU it runs on", () => {
  const own = getAffinity(0);
  assert.ok(own !== undefined);
  const cpus = maskCpus(own);
  assert.ok(cpus.length >= 1);
  assert.equal(asList(cpus), cpusAllowed(Deno.pid), "the main thread's mask is the process's");
  const cpu = currentCpu();
  assert.ok(cpus.includes(cpu), `running on CPU ${cpu}, allowed ${cpus}`);
});

Deno.test("setAffinity on a child: pinned to one CPU and given its mask back, as /proc shows", async () => {
  const own = getAffinity(0)!;
  const cpus = maskCpus(own);
  const child = spawn("/bin/sleep", ["30"], { stdin: "null", stdout: "null", newProcessGroup: true });
  try {
    assert.equal(cpusAllowed(child.pid), asList(cpus), "a child starts with its parent's mask");
    const last = cpus[cpus.length - 1]!;
    assert.equal(setAffinity(child.pid, cpuMask(last)), 0);
    assert.equal(cpusAllowed(child.pid), String(last));
    assert.deepEqual(maskCpus(getAffinity(child.pid)!), [last]);
    assert.equal(setAffinity(child.pid, own), 0);
    assert.equal(cpusAllowed(child.pid), asList(cpus));
    assert.equal(setAffinity(child.pid, new Uint8Array(CPU_MASK_BYTES)), 22, "no CPU at all: EINVAL");
    assert.equal(cpusAllowed(child.pid), asList(cpus), "a refused mask changes nothing");
  } finally {
    kill(child.pid, SIGNAL.SIGKILL);
    await child.status;
  }
  assert.equal(setAffinity(child.pid, own), 3, "an ended process: ESRCH");
  assert.equal(getAffinity(child.pid), undefined);
});
