import assert from "node:assert/strict";
import { captureInterfaces } from "../../../core/serve/mod.ts";

Deno.test("captureInterfaces: -i over Interface over knockd's eth0", () => {
  assert.deepEqual(captureInterfaces(undefined, undefined), { ok: true, names: ["eth0"], warnings: [] });
  assert.deepEqual(captureInterfaces(undefined, "wlan0"), { ok: true, names: ["wlan0"], warnings: [] });
  assert.deepEqual(captureInterfaces("lo, veth1", "wlan0"), {
    ok: true,
    names: ["lo", "veth1"],
    warnings: [],
  });
});

Deno.test("captureInterfaces: an empty name is an error, not a capture that never sees a packet", () => {
  assert.deepEqual(captureInterfaces("", undefined), {
    ok: false,
    error: "-i is empty: name an interface (e.g. eth0) or any",
  });
  assert.deepEqual(captureInterfaces(undefined, ""), {
    ok: false,
    error: "Interface is empty: name an interface (e.g. eth0) or any",
  });
  assert.deepEqual(captureInterfaces("eth0,", undefined), {
    ok: false,
    error: `-i has an empty name in "eth0,": name an interface (e.g. eth0) or any`,
  });
});

Deno.test("captureInterfaces: an interface named twice is one capture, warned once; any covers the others", () => {
  assert.deepEqual(captureInterfaces("eth0,eth0,eth0,wlan0", undefined), {
    ok: true,
    names: ["eth0", "wlan0"],
    warnings: ["interface eth0 named more than once: capturing on it once"],
  });
  assert.deepEqual(captureInterfaces("eth0,any", undefined), {
    ok: true,
    names: ["any"],
    warnings: ["any covers every interface: capturing on any alone, not also on eth0"],
  });
});
