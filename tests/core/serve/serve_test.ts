import assert from "node:assert/strict";
import { parseConfig } from "../../../core/config/mod.ts";
import type { EngineEvent } from "../../../core/engine/mod.ts";
import {
  captureDropMessage,
  captureTotalsMessage,
  doorCommands,
  eventMessage,
  evictionMessage,
  formatJsonLine,
  formatLogfileLine,
  MAX_COMMAND_BYTES,
  substituteIp,
} from "../../../core/serve/mod.ts";

function door(text: string) {
  const { config, ok, diagnostics } = parseConfig(text);
  assert.ok(ok, JSON.stringify(diagnostics));
  return config.doors[0]!;
}

const base = { src: "10.0.0.2", family: 4 as const, door: 0, name: "openSSH", timeMs: 1000 };

Deno.test("eventMessage: knockd's texts for stage, open and timeout; ours for fail, retransmission, reload", () => {
  const cases: [EngineEvent, string | undefined][] = [
    [{ ...base, type: "stage", stage: 2, of: 3 }, "10.0.0.2: openSSH: Stage 2"],
    [{ ...base, type: "open", dst: "10.0.0.1" }, "10.0.0.2: openSSH: OPEN SESAME"],
    [{ ...base, type: "timeout", stage: 1, startMs: 0 }, "10.0.0.2: openSSH: sequence timeout (stage 1)"],
    [
      {
        ...base,
        type: "fail",
        reason: "wrong-port",
        stage: 1,
        expected: { protocol: "tcp", port: 8000 },
        got: { protocol: "udp", port: 9000, flags: 0 },
      },
      "10.0.0.2: openSSH: sequence failed at stage 1: expected 8000/tcp, got 9000/udp",
    ],
    [
      { ...base, type: "retransmission", stage: 1, port: 7000, sport: 5555 },
      "10.0.0.2: openSSH: retransmission ignored at stage 1 (port 7000/tcp)",
    ],
    [
      {
        ...base,
        type: "repeat",
        stage: 1,
        step: { protocol: "tcp", port: 7000 },
        sport: 5557,
        sinceMs: 100.4,
      },
      "10.0.0.2: openSSH: repeat of 7000/tcp ignored at stage 1 (100 ms after the counted knock)",
    ],
    [
      { ...base, type: "dropped", reason: "reload", stage: 2 },
      "10.0.0.2: openSSH: attempt dropped by reload at stage 2",
    ],
    [{ ...base, type: "evicted", stage: 1, startMs: 0 }, undefined],
  ];
  for (const [event, text] of cases) assert.equal(eventMessage(event)?.message, text, event.type);
  assert.deepEqual(eventMessage({ ...base, type: "stage", stage: 2, of: 3 })?.fields, {
    event: "stage",
    src: "10.0.0.2",
    door: "openSSH",
    stage: 2,
  });
});

Deno.test("evictionMessage aggregates", () => {
  assert.equal(
    evictionMessage(1, 100, { src: "1.2.3.4", name: "d" }).message,
    "attempt table full (max 100): evicted 1 oldest attempt (last: 1.2.3.4 at d)",
  );
  assert.equal(
    evictionMessage(5, 100, { src: "1.2.3.4", name: "d" }).message,
    "attempt table full (max 100): evicted 5 oldest attempts (last: 1.2.3.4 at d)",
  );
});

Deno.test("substituteIp replaces every %IP% literally and nothing else", () => {
  assert.equal(substituteIp("a %IP% b %IP% %%s %ip%", "fd77::2"), "a fd77::2 b fd77::2 %%s %ip%");
});

Deno.test("doorCommands: _6 variants fall back to the IPv4 ones; empty _6 disables; stop needs start", () => {
  const d = door(
    "[d]\nsequence = 1\nstart_command = open %IP%\nstop_command = close %IP%\ncmd_timeout = 7\n",
  );
  assert.deepEqual(doorCommands(d, 4, "10.0.0.2"), {
    start: "open 10.0.0.2",
    stop: "close 10.0.0.2",
    cmdTimeout: 7,
  });
  assert.deepEqual(doorCommands(d, 6, "fd77::2"), {
    start: "open fd77::2",
    stop: "close fd77::2",
    cmdTimeout: 7,
  });
  const six = door("[d]\nsequence = 1\nstart_command = a %IP%\nstart_command_6 = b %IP%\nstop_command = c\n");
  assert.equal(doorCommands(six, 6, "::1").start, "b ::1");
  assert.equal(doorCommands(six, 6, "::1").stop, "c");
  assert.equal(doorCommands(six, 4, "1.1.1.1").start, "a 1.1.1.1");
  const off6 = door("[d]\nsequence = 1\nstart_command = a\nstart_command_6 =\nstop_command = c\n");
  assert.deepEqual(doorCommands(off6, 6, "::1"), { start: undefined, stop: undefined, cmdTimeout: 10 });
  const stopOnly = door("[d]\nsequence = 1\nstop_command = c\n");
  assert.deepEqual(doorCommands(stopOnly, 4, "1.1.1.1"), {
    start: undefined,
    stop: undefined,
    cmdTimeout: 10,
  });
});

Deno.test("doorCommands: knockd's 4096-byte limit (after substitution) stops both commands", () => {
  // 300 tokens: 1200 bytes in the config, 300 × 15 = 4500 bytes with "255.255.255.255", 300 × 7 = 2100 with "1.2.3.4".
  const many = "%IP%".repeat(300);
  const d = door(`[d]\nsequence = 1\nstart_command = ${many}\nstop_command = c\n`);
  const r = doorCommands(d, 4, "255.255.255.255");
  assert.deepEqual(r, {
    start: undefined,
    stop: undefined,
    cmdTimeout: 10,
    error: "error: parsed start command has been truncated! --> won't execute it",
  });
  assert.equal(doorCommands(d, 4, "1.2.3.4").start?.length, 2100);
  const s = door(`[d]\nsequence = 1\nstart_command = a\nstop_command = ${many}\n`);
  assert.equal(
    doorCommands(s, 4, "255.255.255.255").error,
    "error: parsed stop command has been truncated! --> won't execute start command",
  );
  assert.equal(doorCommands(s, 4, "1.2.3.4").error, undefined);
  assert.ok(MAX_COMMAND_BYTES === 4096);
});

Deno.test("formatLogfileLine: knockd's [YYYY-MM-DD HH:MM] without the spurious empty line", () => {
  const t = { year: 2026, month: 1, day: 5, hour: 7, minute: 3 };
  assert.equal(formatLogfileLine(t, "shutting down"), "[2026-01-05 07:03] shutting down\n");
  assert.equal(formatLogfileLine(t, "d: running command: x\n"), "[2026-01-05 07:03] d: running command: x\n");
});

Deno.test("formatJsonLine: time with milliseconds, level, message, fields", () => {
  const line = formatJsonLine(Date.UTC(2026, 10, 25, 16, 29, 1, 5), "info", "m", { event: "open", src: "a" });
  assert.equal(
    line,
    '{"time":"2026-11-25T16:29:01.005Z","level":"info","message":"m","event":"open","src":"a"}\n',
  );
});

Deno.test("captureDropMessage() and captureTotalsMessage(): the kernel's drops, singular and plural, and totals", () => {
  assert.deepEqual(captureDropMessage("eth0", 1, 1), {
    level: "warning",
    message: "pcap: eth0: capture buffer full, the kernel dropped 1 packet (1 in all); knocks may be lost: " +
      "raise --buffer-size",
    fields: { event: "capture-drops", iface: "eth0", count: 1, total: 1 },
  });
  assert.equal(
    captureDropMessage("veth0", 2500, 4100).message,
    "pcap: veth0: capture buffer full, the kernel dropped 2500 packets (4100 in all); knocks may be lost: " +
      "raise --buffer-size",
  );
  assert.deepEqual(captureTotalsMessage("eth0", 1000, 3), {
    level: "info",
    message: "pcap: eth0: 1000 packets captured, 3 dropped",
    fields: { event: "capture-stats", iface: "eth0", received: 1000, dropped: 3 },
  });
});
