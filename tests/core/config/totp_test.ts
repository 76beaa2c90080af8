import assert from "node:assert/strict";
import { doorTotp, KNOCKTOOL_EXTENSIONS, parseConfig, parseTotpExclude } from "../../../core/config/mod.ts";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const parse = (lines: string[]) => parseConfig(lines.join("\n") + "\n", { extensions: KNOCKTOOL_EXTENSIONS });

Deno.test("TOTP directives: a door with a secret needs no sequence, and reads its settings", () => {
  const { config, ok, diagnostics } = parse([
    "[ssh]",
    `  totp_secret = ${SECRET.toLowerCase()}`,
    "  TOTP_Length = 3",
    "  TOTP_Protocol = udp, tcp",
    "  TOTP_Ports = 20000 - 40000",
    "  TOTP_Step = 60",
    "  TOTP_Skew = 0",
    "  TOTP_Exclude = 22000,30000-30002",
  ]);
  assert.ok(ok, JSON.stringify(diagnostics));
  const totp = doorTotp(config.doors[0]!)!;
  assert.deepEqual(totp.secret, { kind: "inline", text: SECRET.toLowerCase() });
  assert.deepEqual(
    [totp.length, totp.protocols, totp.low, totp.high, totp.stepSeconds, totp.skew, totp.exclude],
    [3, ["tcp", "udp"], 20000, 40000, 60, 0, [22000, 30000, 30001, 30002]],
  );
});

Deno.test("TOTP directives: defaults, and a secret file", () => {
  const totp = doorTotp(parse(["[d]", "  TOTP_Secret_File = /etc/k/d.totp"]).config.doors[0]!)!;
  assert.deepEqual(totp.secret, { kind: "file", path: "/etc/k/d.totp" });
  assert.deepEqual(
    [totp.length, totp.protocols, totp.low, totp.high, totp.stepSeconds, totp.skew, totp.exclude],
    [4, ["tcp"], 1024, 65535, 30, 1, []],
  );
  assert.equal(doorTotp(parse(["[d]", "  sequence = 1,2"]).config.doors[0]!), undefined);
});

Deno.test("TOTP directives: each bad value is an error at its value, with its code", () => {
  const cases: [string, string][] = [
    ["TOTP_Secret = not-base32!", "KT130"],
    ["TOTP_Length = 0", "KT131"],
    ["TOTP_Length = 33", "KT131"],
    ["TOTP_Protocol = icmp", "KT132"],
    ["TOTP_Protocol = tcp,tcp", "KT132"],
    ["TOTP_Ports = 40000-20000", "KT133"],
    ["TOTP_Ports = 20000", "KT133"],
    ["TOTP_Step = 0", "KT134"],
    ["TOTP_Step = 1.5", "KT134"],
    ["TOTP_Skew = 11", "KT135"],
    ["TOTP_Exclude = 22,ssh", "KT136"],
  ];
  for (const [line, code] of cases) {
    const result = parse(["[d]", `  TOTP_Secret = ${SECRET}`, `  ${line}`]);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => d.code), [code], line);
    const value = line.split("= ")[1]!;
    assert.equal(errors[0]!.span!.line, 3);
    assert.equal(errors[0]!.span!.column, 3 + line.indexOf(value), line);
  }
  assert.deepEqual(parseTotpExclude("1-3, 9"), [1, 2, 3, 9]);
});
