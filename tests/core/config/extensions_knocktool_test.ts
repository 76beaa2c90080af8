/** knocktool's own door directives (`Strict`, `Cooldown`) through the parser's extension mechanism. */
import assert from "node:assert/strict";
import {
  doorCooldownMs,
  doorStrict,
  EXTENSION_CODES,
  KNOCKTOOL_EXTENSIONS,
  parseConfig,
  parseCooldownValue,
  parseStrictValue,
} from "../../../core/config/mod.ts";

const WITH = { extensions: KNOCKTOOL_EXTENSIONS };

Deno.test("Strict and Cooldown are accepted in doors (any case) and read back; knockd's dialect rejects them", () => {
  const text = "[a]\n sequence = 1,2\n STRICT = Yes\n CoolDown = 2.5\n[b]\n sequence = 3\n";
  const parsed = parseConfig(text, WITH);
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  assert.deepEqual(parsed.diagnostics, []);
  const [a, b] = parsed.config.doors;
  assert.equal(doorStrict(a!), true);
  assert.equal(doorCooldownMs(a!), 2500);
  assert.equal(a!.extensions?.get("STRICT")?.span.line, 3);
  assert.equal(doorStrict(b!), false);
  assert.equal(doorCooldownMs(b!), 0);
  assert.equal(b!.extensions, undefined);

  const knockd = parseConfig(text);
  assert.equal(knockd.ok, false);
  assert.deepEqual(knockd.diagnostics.map((d) => [d.code, d.knockd]), [
    ["KT001", "config: line 3: syntax error"],
    ["KT001", "config: line 4: syntax error"],
  ]);
});

Deno.test("the last line wins; bad values are KT106/KT107 errors on the value and read as off", () => {
  const parsed = parseConfig("[a]\n sequence = 1,2\n strict = yes\n strict = maybe\n cooldown = 5 s\n", WITH);
  assert.equal(parsed.ok, false);
  assert.deepEqual(
    parsed.diagnostics.map((d) => [d.code, d.severity, d.span?.line, d.span?.column, d.message]),
    [
      [EXTENSION_CODES.badStrict, "error", 4, 11, '"strict" must be "yes" or "no", not "maybe"'],
      [
        EXTENSION_CODES.badCooldown,
        "error",
        5,
        13,
        '"cooldown" must be a number of seconds from 0 to 31536000 (e.g. "30" or "2.5"), not "5 s"',
      ],
    ],
  );
  const door = parsed.config.doors[0]!;
  assert.equal(doorStrict(door), false);
  assert.equal(doorCooldownMs(door), 0);
});

Deno.test("in [options] they are misplaced door directives (KT010), as knockd's own door keys are", () => {
  const parsed = parseConfig("[options]\n strict = yes\n cooldown = 3\n", WITH);
  assert.deepEqual(parsed.diagnostics.map((d) => [d.code, d.span?.line]), [["KT010", 2], ["KT010", 3]]);
});

Deno.test("value readers: yes/no only; seconds without sign, unit or exponent, up to one year", () => {
  assert.equal(parseStrictValue("YES"), true);
  assert.equal(parseStrictValue("no"), false);
  for (const bad of ["", "true", "1", "on", "yes please"]) {
    assert.equal(parseStrictValue(bad), undefined, bad);
  }
  assert.equal(parseCooldownValue("0"), 0);
  assert.equal(parseCooldownValue("30"), 30_000);
  assert.equal(parseCooldownValue("0.0015"), 2);
  assert.equal(parseCooldownValue("31536000"), 31_536_000_000);
  for (const bad of ["", "-1", "+1", "1e3", "30s", ".5", "5.", "31536000.5", "Infinity", "0x10"]) {
    assert.equal(parseCooldownValue(bad), undefined, bad);
  }
});
