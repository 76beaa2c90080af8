import assert from "node:assert/strict";
import { type ConfigExtension, parseConfig } from "../../../core/config/mod.ts";

const text = "[options]\nmetrics = :9100\n[d]\nsequence = 1\nStrict = yes\ncool_down = 30\ncool_down = 5\n";

Deno.test("without extensions, our own directives are knockd syntax errors", () => {
  const r = parseConfig(text);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.knockd]), [
    ["KT001", "config: line 2: syntax error"],
    ["KT001", "config: line 5: syntax error"],
    ["KT001", "config: line 6: syntax error"],
    ["KT001", "config: line 7: syntax error"],
  ]);
  assert.equal(r.config.doors[0]?.extensions, undefined);
  assert.equal(r.config.options.extensions, undefined);
});

Deno.test("registered extensions are kept (last line wins) and validated by their own parse", () => {
  const seen: string[] = [];
  const extensions: ConfigExtension[] = [
    { key: "strict", scope: "door" },
    {
      key: "Cool_Down",
      scope: "door",
      parse: (value, directive) => {
        seen.push(value);
        return Number(value) < 10
          ? [{
            code: "KT900",
            severity: "warning",
            message: `Cool-down "${value}" is short`,
            span: directive.valueSpan!,
          }]
          : [];
      },
    },
    { key: "metrics", scope: "options" },
  ];
  const r = parseConfig(text, { extensions });
  assert.deepEqual(seen, ["30", "5"]);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.line, d.span?.column]), [["KT900", 7, 13]]);
  assert.equal(r.ok, true, "a warning from an extension does not make the file invalid");
  const ext = r.config.doors[0]?.extensions;
  assert.deepEqual([...(ext?.keys() ?? [])], ["STRICT", "COOL_DOWN"]);
  assert.equal(ext?.get("COOL_DOWN")?.value, "5");
  assert.equal(ext?.get("STRICT")?.key, "Strict");
  assert.equal(r.config.options.extensions?.get("METRICS")?.value, ":9100");
});

Deno.test("an extension in the wrong scope is a misplaced directive; knockd keys cannot be overridden", () => {
  const r = parseConfig("[options]\nstrict = yes\n[d]\nsequence = 1\nmetrics = 1\n", {
    extensions: [{ key: "strict", scope: "door" }, { key: "metrics", scope: "options" }, {
      key: "sequence",
      scope: "door",
    }],
  });
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.line]), [["KT010", 2], ["KT010", 5]]);
  assert.equal(r.config.doors[0]?.sequence[0]?.port, 1);
  assert.equal(r.config.doors[0]?.extensions, undefined);
});
