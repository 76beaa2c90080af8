import assert from "node:assert/strict";
import { buildPacket, createRng } from "../../../core/packet/mod.ts";
import { MATCH_NOTHING } from "../../../core/filter/mod.ts";
import { config, daemon, knock } from "./_daemon.ts";

const DOOR = `[openSSH]
sequence = 7000,8000,9000
seq_timeout = 5
tcpflags = syn
start_command = open %IP%
cmd_timeout = 10
stop_command = close %IP%
`;

Deno.test("daemon: a knock sequence logs knockd's lines and runs the commands, stop cmd_timeout later", () => {
  const t = daemon(DOOR, { dryRun: false });
  assert.match(t.take().join("\n"), /^filter 0 /);
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  const run = t.effects.find((e) => e.type === "run");
  assert.deepEqual(t.take(), [
    "10.0.0.2: openSSH: Stage 1",
    "10.0.0.2: openSSH: Stage 2",
    "10.0.0.2: openSSH: Stage 3",
    "10.0.0.2: openSSH: OPEN SESAME",
    "openSSH: running command: open 10.0.0.2",
    `run ${run?.type === "run" ? run.id : "?"} open 10.0.0.2`,
  ]);
  assert.ok(run?.type === "run");
  t.effects.push(...t.d.commandExited(run.id, { kind: "exited", code: 0 }, 1300));
  assert.equal(t.d.nextDeadline(), 11_300);
  t.effects.push(...t.d.tick(11_300));
  assert.deepEqual(t.take().slice(0, 2), [
    "10.0.0.2: openSSH: command timeout",
    "openSSH: running command: close 10.0.0.2",
  ]);
});

Deno.test("daemon: a frame is decoded on the way in; -D logs the packet and why a frame was ignored", () => {
  const t = daemon(DOOR, { debug: true });
  t.take();
  const rng = createRng(1);
  const frame = (port: number) => {
    const ip = buildPacket({
      src: "10.0.0.2",
      dst: "10.0.0.1",
      transport: { protocol: "tcp", dport: port, sport: 5555, seq: port, flags: 0x02 },
    }, rng);
    const eth = new Uint8Array(14 + ip.length);
    eth[12] = 0x08;
    eth.set(ip, 14);
    return eth;
  };
  t.effects.push(...t.d.frame(0, frame(7000), 1000));
  t.effects.push(...t.d.frame(0, new Uint8Array(10), 1001));
  assert.deepEqual(t.take(), [
    "debug: tcp: 10.0.0.2:5555 -> 10.0.0.1:7000 54 bytes",
    "10.0.0.2: openSSH: Stage 1",
    "debug: ignored frame: truncated-ethernet",
  ]);
});

Deno.test("daemon: without -v, a logfile or syslog no packet's log entry is even built; commands still run", () => {
  const t = daemon(DOOR, { verbose: false, dryRun: false });
  t.take();
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.deepEqual(t.take().filter((l) => !l.includes("running command")), ["run 2 open 10.0.0.2"]);
});

Deno.test("daemon: IPv6 knocks open with the _6 fallback; -4 ignores them", () => {
  const both = daemon(DOOR);
  both.knocks("fd00::2", [7000, 8000, 9000]);
  assert.ok(both.take().includes("openSSH: running command: open fd00::2"));
  const v4 = daemon(DOOR, { onlyIPv4: true });
  v4.take();
  v4.knocks("fd00::2", [7000, 8000, 9000]);
  assert.deepEqual(v4.take(), []);
});

Deno.test("daemon: a used one-time sequence is not accepted from the next packet on (live and replay alike)", () => {
  const otp = "7000,8000,9000\n7100,8100,9100\n7200\n";
  const t = daemon(`[otp]\none_time_sequences = /k/otp\nstart_command = open %IP%\n`, {
    otp: { "/k/otp": otp },
  });
  t.take();
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  const opened = t.take();
  assert.ok(opened.includes("10.0.0.2: otp: OPEN SESAME"));
  // The door is disabled at once (its filter passes nothing) and the used line is to be marked.
  assert.deepEqual(opened.slice(-2), ["otp 0 /k/otp:1", `filter 0 ${MATCH_NOTHING}`]);
  // Before the file is rewritten, the same sequence again (another source too) opens nothing.
  t.knocks("10.0.0.3", [7000, 8000, 9000], 2000);
  t.knocks("10.0.0.2", [7000, 8000, 9000], 3000);
  assert.deepEqual(t.take(), []);
  t.effects.push(...t.d.otpRewritten(0, { ok: true, text: `#${otp}` }, 4000));
  const next = t.take();
  assert.match(next.join("\n"), /^filter 0 .*7100/m);
  t.knocks("10.0.0.2", [7000, 8000, 9000], 5000);
  assert.deepEqual(t.take(), []);
  t.knocks("10.0.0.2", [7100, 8100, 9100], 6000);
  assert.ok(t.take().includes("10.0.0.2: otp: OPEN SESAME"));
  // The last sequence used: the door is disabled with knockd's message.
  t.effects.push(...t.d.otpRewritten(0, { ok: true, text: "#1\n#2\n#3\n" }, 7000));
  assert.deepEqual(t.take(), [
    "no more sequences left in the one time sequences file for door otp --> disabling the door",
  ]);
});

Deno.test("daemon: a one-time file that cannot be read or rewritten disables its door with the reason", () => {
  const conf = `[otp]\none_time_sequences = /k/otp\n`;
  const missing = daemon(conf);
  assert.deepEqual(missing.take().filter((l) => l.startsWith("warning")), [
    "warning: could not open one time sequences file /k/otp: not read",
  ]);
  const t = daemon(conf, { otp: { "/k/otp": "7000\n7001\n" } });
  t.take();
  t.knocks("10.0.0.2", [7000]);
  t.take();
  t.effects.push(
    ...t.d.otpRewritten(0, { ok: false, stage: "write", reason: "Read-only file system" }, 2000),
  );
  assert.deepEqual(t.take(), ["could not rewrite one time sequences file /k/otp: Read-only file system"]);
  // A report for a door that is not rotating is ignored.
  assert.deepEqual(t.d.otpRewritten(0, { ok: true, text: "7001\n" }, 3000), []);
});

Deno.test("daemon: filters per capture, rebuilt when an address changes; an unchanged address is silent", () => {
  const t = daemon(DOOR, {
    captures: [
      { name: "eth0", linktype: 1, addresses: { v4: ["10.0.0.1"], v6: [] } },
      { name: "wlan0", linktype: 113, addresses: { v4: [], v6: [] } },
    ],
  });
  const start = t.take();
  assert.equal(start.filter((l) => l.startsWith("filter 0 ")).length, 1);
  assert.equal(start.filter((l) => l.startsWith("filter 1 ")).length, 1);
  assert.match(start[0]!, /vlan/, "an Ethernet capture passes VLAN-tagged frames");
  assert.doesNotMatch(start[1]!, /vlan/);
  assert.deepEqual(t.d.addresses(0, { v4: ["10.0.0.1"], v6: [] }, 10), []);
  t.effects.push(...t.d.addresses(0, { v4: ["10.0.0.1", "10.0.0.9"], v6: [] }, 20));
  const changed = t.take();
  assert.equal(changed[0], "addresses of eth0 changed: 10.0.0.1 10.0.0.9");
  assert.match(changed[1]!, /^filter 0 .*10\.0\.0\.9/);
  assert.equal(changed.length, 2);
  // The new address is local for doors without Target.
  t.effects.push(...t.d.knock(knock("10.0.0.2", 7000, 30, { dst: "10.0.0.9" }), 30));
  assert.deepEqual(t.take(), ["10.0.0.2: openSSH: Stage 1"]);
  t.effects.push(...t.d.knock(knock("10.0.0.2", 8000, 40, { dst: "10.0.0.77" }), 40));
  assert.deepEqual(t.take(), []);
});

Deno.test("daemon: reload keeps the old doors on a refused config, takes the new one otherwise", () => {
  const t = daemon(DOOR);
  t.take();
  t.effects.push(
    ...t.d.reload("/etc/knockd.conf", { ok: false, lines: ["/etc/knockd.conf:2:1: error[KT001]: x"] }, 100),
  );
  assert.deepEqual(t.take(), [
    "re-reading config file: /etc/knockd.conf",
    "error: /etc/knockd.conf:2:1: error[KT001]: x",
    "error: could not reload /etc/knockd.conf: keeping the old configuration",
  ]);
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  assert.ok(t.take().includes("10.0.0.2: openSSH: OPEN SESAME"));
  const next = config("[options]\nLogFile = /var/log/k.log\nInterface = eth1\n[new]\nsequence = 1234\n");
  t.effects.push(...t.d.reload("/etc/knockd.conf", { ok: true, config: next, otp: new Map() }, 2000));
  const lines = t.take();
  assert.equal(lines[0], "re-reading config file: /etc/knockd.conf");
  assert.ok(lines.includes("log-config /var/log/k.log false"), lines.join("\n"));
  assert.ok(lines.some((l) => /^filter 0 .*1234/.test(l)));
  assert.ok(lines.includes("warning: Interface changed to eth1: restart to capture there (still on eth0)"));
  t.knocks("10.0.0.2", [7000, 8000, 9000], 3000);
  assert.deepEqual(t.take(), []);
  t.knocks("10.0.0.2", [1234], 4000);
  assert.ok(t.take().includes("10.0.0.2: new: OPEN SESAME"));
});

Deno.test("daemon: evictions are reported once per second at most, with the count and the last one", () => {
  const t = daemon("[d]\nsequence = 7000,8000\n", { maxAttempts: 2 });
  t.take();
  for (let i = 1; i <= 5; i++) t.effects.push(...t.d.knock(knock(`10.0.0.${i}`, 7000, 1000 + i), 1000 + i));
  const first = t.take().filter((l) => l.includes("attempt table"));
  assert.deepEqual(first, [
    "warning: attempt table full (max 2): evicted 1 oldest attempt (last: 10.0.0.1 at d)",
  ]);
  assert.equal(t.d.nextDeadline(), 2003);
  t.effects.push(...t.d.tick(2003));
  assert.deepEqual(t.take().filter((l) => l.includes("attempt table")), [
    "warning: attempt table full (max 2): evicted 2 oldest attempts (last: 10.0.0.3 at d)",
  ]);
});

Deno.test("daemon: kernel drops are a warning with the count since the last one; totals at shutdown", () => {
  const t = daemon(DOOR);
  t.take();
  assert.deepEqual(t.d.captureStats(0, { received: 10, dropped: 0 }, 1), []);
  t.effects.push(...t.d.captureStats(0, { received: 10, dropped: 5 }, 2));
  assert.deepEqual(t.d.captureStats(0, { received: 10, dropped: 5 }, 3), []);
  t.effects.push(...t.d.captureStats(0, { received: 20, dropped: 7 }, 4));
  t.effects.push(...t.d.captureTotals(0, { received: 20, dropped: 7 }, 5));
  assert.deepEqual(t.take(), [
    "warning: pcap: eth0: capture buffer full, the kernel dropped 5 packets (5 in all); knocks may be lost: raise --buffer-size",
    "warning: pcap: eth0: capture buffer full, the kernel dropped 2 packets (7 in all); knocks may be lost: raise --buffer-size",
    "pcap: eth0: 20 packets captured, 7 dropped",
  ]);
});

Deno.test("daemon: live announces start and stop; shutdown runs the pending stop early", () => {
  const t = daemon(DOOR, { announce: true });
  assert.ok(t.take().includes("starting up, listening on eth0"));
  t.knocks("10.0.0.2", [7000, 8000, 9000]);
  t.take();
  t.effects.push(...t.d.shutdown(5000));
  assert.deepEqual(t.take(), [
    "10.0.0.2: openSSH: shutting down before cmd_timeout, running the stop command now",
    "openSSH: running command: close 10.0.0.2",
  ]);
  assert.equal(t.d.idle, true);
  t.effects.push(...t.d.stopped(5001));
  assert.deepEqual(t.take(), ["shutting down"]);
});

Deno.test("daemon: -l asks for a name at an attempt's start (bounded) and shows it once resolved", () => {
  const t = daemon(DOOR, { lookup: true });
  t.take();
  t.effects.push(...t.d.knock(knock("10.0.0.2", 7000, 1000), 1000));
  assert.deepEqual(t.take(), ["10.0.0.2: openSSH: Stage 1", "lookup 10.0.0.2"]);
  t.d.resolved("10.0.0.2", "laptop.example", 1010);
  t.effects.push(...t.d.knock(knock("10.0.0.2", 8000, 1100), 1100));
  assert.deepEqual(t.take(), ["10.0.0.2 (laptop.example): openSSH: Stage 2"]);
  // A flood of sources: at most 10 lookups a second, 16 in flight.
  for (let i = 0; i < 100; i++) t.effects.push(...t.d.knock(knock(`10.1.0.${i}`, 7000, 2000), 2000));
  assert.equal(t.take().filter((l) => l.startsWith("lookup")).length, 10);
  for (let i = 0; i < 100; i++) t.effects.push(...t.d.knock(knock(`10.2.0.${i}`, 7000, 3000), 3000));
  assert.equal(t.take().filter((l) => l.startsWith("lookup")).length, 6);
});

Deno.test("daemon: datagram doors get the UDP payload to their port; refusals aggregated; an opening writes state first", () => {
  const seen: string[] = [];
  const door = {
    name: "spa",
    ports: [62201],
    target: undefined,
    datagram(d: { payload: Uint8Array; src: string; family: 4 | 6 }) {
      const text = new TextDecoder().decode(d.payload);
      seen.push(text);
      if (text === "junk") return { kind: "ignore" as const };
      if (text !== "good") {
        return {
          kind: "reject" as const,
          reason: "bad-mac",
          log: { level: "info" as const, message: `${d.src}: spa: bad MAC`, fields: { event: "spa-reject" } },
        };
      }
      return {
        kind: "open" as const,
        door: "spa",
        address: "198.51.100.7",
        family: 4 as const,
        commands: { start: "open 198.51.100.7", stop: undefined, cmdTimeout: 10 },
        log: [{
          level: "info" as const,
          message: "10.0.0.2: spa: alice opens 198.51.100.7",
          fields: { event: "spa" },
        }],
        persist: { path: "/var/lib/knocktool/spa.state", text: "{}" },
      };
    },
  };
  const t = daemon("[plain]\nsequence = 7000\n", { dryRun: false });
  t.effects.push(
    ...t.d.reload("/k.conf", {
      ok: true,
      config: config("[plain]\nsequence = 7000\n"),
      otp: new Map(),
      datagramDoors: [door],
    }, 10),
  );
  const filter = t.take().filter((l) => l.startsWith("filter 0")).at(-1);
  assert.match(filter ?? "", /62201/, "the filter passes the datagram door's port");
  const frame = (payload: string, src = "10.0.0.2") => {
    const rng = createRng(3);
    const ip = buildPacket({
      src,
      dst: "10.0.0.1",
      transport: { protocol: "udp", dport: 62201, sport: 5000 },
      payload: new TextEncoder().encode(payload),
    }, rng);
    const eth = new Uint8Array(14 + ip.length);
    eth[12] = 0x08;
    eth.set(ip, 14);
    return eth;
  };
  t.effects.push(...t.d.frame(0, frame("junk"), 1000));
  assert.deepEqual(t.take(), []);
  for (let i = 0; i < 5; i++) t.effects.push(...t.d.frame(0, frame("forged"), 1001 + i));
  assert.deepEqual(t.take(), ["10.0.0.2: spa: bad MAC"], "the first refusal is logged, the others counted");
  assert.equal(t.d.nextDeadline(), 2001);
  t.effects.push(...t.d.tick(2001));
  assert.deepEqual(t.take(), ["spa: 4 more datagrams refused (bad-mac) in the last 1 s"]);
  t.effects.push(...t.d.frame(0, frame("good"), 3000));
  const opened = t.effects.slice(-4).map((e) => e.type === "state" ? `state ${e.path}` : e.type);
  assert.deepEqual(opened, ["state /var/lib/knocktool/spa.state", "log", "log", "run"]);
  assert.deepEqual(seen, ["junk", "forged", "forged", "forged", "forged", "forged", "good"]);
  // Not to the host's address: not for the door.
  const other = frame("good");
  other.set([10, 0, 0, 99], 14 + 16);
  t.effects.push(...t.d.frame(0, other, 4000));
  assert.equal(seen.length, 7);
});
