import assert from "node:assert/strict";
import { HostNames, MAX_NAMES } from "../../../core/serve/mod.ts";

Deno.test("HostNames: one lookup per address; answers cached, negative ones too, oldest dropped first", () => {
  const names = new HostNames();
  assert.equal(names.wanted("10.0.0.1", 0), "10.0.0.1");
  assert.equal(names.wanted("10.0.0.1", 1), undefined, "already in flight");
  names.resolved("10.0.0.1", "a.example");
  assert.equal(names.nameOf("10.0.0.1"), "a.example");
  assert.equal(names.wanted("10.0.0.1", 2000), undefined, "known");
  assert.equal(names.wanted("10.0.0.2", 2000), "10.0.0.2");
  names.resolved("10.0.0.2", undefined);
  assert.equal(names.nameOf("10.0.0.2"), undefined);
  assert.equal(names.wanted("10.0.0.2", 4000), undefined, "a negative answer is kept too");
  for (let i = 0; i < MAX_NAMES + 10; i++) names.resolved(`10.1.${i >> 8}.${i & 255}`, "x");
  assert.equal(names.size, MAX_NAMES);
  assert.equal(names.nameOf("10.0.0.1"), undefined, "the oldest went first");
});

Deno.test("HostNames: at most 10 lookups start per second and 16 are in flight", () => {
  const names = new HostNames();
  let started = 0;
  for (let i = 0; i < 50; i++) if (names.wanted(`10.0.0.${i}`, 0) !== undefined) started++;
  assert.equal(started, 10);
  for (let i = 50; i < 100; i++) if (names.wanted(`10.0.0.${i}`, 1000) !== undefined) started++;
  assert.equal(started, 16);
  assert.equal(names.pending, 16);
  names.resolved("10.0.0.0", undefined);
  assert.equal(names.wanted("10.0.1.1", 2000), "10.0.1.1");
});
