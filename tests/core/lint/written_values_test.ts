/**
 * Lint rules judge and quote only what the file holds: a `Sequence` value knockd refuses (an item with
 * KT006/KT007/KT008) is not judged as a sequence, and a value read differently from how it is written is
 * quoted as written.
 */
import assert from "node:assert/strict";
import { lintConfig } from "../../../core/lint/mod.ts";

function lint(lines: readonly string[]): { code: string; message: string; line: number | undefined }[] {
  return lintConfig(lines.join("\n") + "\n").diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    line: d.span?.line,
  }));
}

function codes(lines: readonly string[]): string[] {
  return lint(lines).map((d) => d.code);
}

Deno.test("a sequence with an invalid port is not judged: no KT208 about the items left over", () => {
  const found = lint(["[d]", "  sequence = 7113,70000,9277", "  tcpflags = syn"]);
  assert.deepEqual(found.map((d) => d.code), ["KT006"], JSON.stringify(found));
  assert.ok(found.every((d) => !d.message.includes("7113,9277")), JSON.stringify(found));
});

Deno.test("no whole-sequence rule runs on a refused Sequence value (KT007, KT008 too)", () => {
  // Left over: one TCP step (KT210 single knock), UDP only (KT216), two knocks (KT212 short window).
  assert.deepEqual(codes(["[d]", "  sequence = 7000,70000", "  tcpflags = syn"]), ["KT006"]);
  assert.deepEqual(codes(["[d]", "  sequence = 7000:udp,8000:icmp", "  tcpflags = syn"]), ["KT008"]);
  assert.deepEqual(codes(["[d]", "  sequence = 2:icmp,1,3", "  seq_timeout = 2", "  tcpflags = syn"]), [
    "KT008",
  ]);
  // 33 ascending ports: knockd refuses the file, the first 32 are not a sequence anyone wrote.
  const ports = Array.from({ length: 33 }, (_, i) => 7000 + i).join(",");
  assert.deepEqual(codes(["[d]", `  sequence = ${ports}`, "  tcpflags = syn"]), ["KT007"]);
  // Seq_Timeout 0 (KT105) needs a real sequence of two or more knocks.
  assert.deepEqual(codes(["[d]", "  sequence = 7000,80000", "  seq_timeout = 0", "  tcpflags = syn"]), [
    "KT006",
  ]);
});

Deno.test("a later valid Sequence line is judged as usual (it is what knockd would use)", () => {
  const found = lint(["[d]", "  sequence = 1,70000", "  sequence = 7000,8000,9000", "  tcpflags = syn"]);
  assert.deepEqual(found.map((d) => [d.code, d.line]), [["KT222", 2], ["KT006", 2], ["KT208", 3]]);
  assert.match(found.find((d) => d.code === "KT208")!.message, /^Sequence "7000,8000,9000" /);
});

Deno.test("KT208 quotes the sequence as written, not as knockd's atoi() reads it", () => {
  const message = (value: string) =>
    lint(["[d]", `  sequence = ${value}`, "  tcpflags = syn"]).find((d) => d.code === "KT208")?.message;
  assert.match(message("0007000, 8000")!, /^Sequence "0007000,8000" of door "d" is in ascending order/);
  assert.match(message("1,-1")!, /^Sequence "1,-1" of door "d" is in ascending order/);
  assert.match(message("9000:UDP,8000:udp")!, /^Sequence "9000:UDP,8000:udp" of door "d" is in descending/);
});

Deno.test("a port read differently from how it is written is quoted as written too (KT209, KT210)", () => {
  const single = lint(["[d]", "  sequence = -1", "  tcpflags = syn"]).find((d) => d.code === "KT210");
  assert.match(single?.message ?? "", /to port 65535 \(written "-1"\)/);
  const plain = lint(["[d]", "  sequence = 4000", "  tcpflags = syn"]).find((d) => d.code === "KT210");
  assert.match(plain?.message ?? "", /to port 4000, such as/);
  const known = lint(["[d]", "  sequence = 7000,-65514,9000", "  tcpflags = syn"]).find((d) =>
    d.code === "KT209"
  );
  assert.match(known?.message ?? "", /^Port 22 \(written "-65514"\) is the ssh port/);
});

Deno.test("KT212 quotes a Seq_Timeout as written when atoi() reads it differently", () => {
  const message = (value: string) =>
    lint(["[d]", "  sequence = 8000,7000,9000", `  seq_timeout = ${value}`, "  tcpflags = syn"])
      .find((d) => d.code === "KT212")?.message;
  assert.match(message("2.5")!, /^Seq_Timeout "2\.5" \(read as 2\) is short for 3 knocks/);
  assert.match(message("2")!, /^Seq_Timeout 2 is short for 3 knocks/);
});
