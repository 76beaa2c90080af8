/**
 * Replays of capture files through the whole daemon: for every row of docs/knockd.md §2.4's wrong-port
 * summary table (with the flags rows), the head-of-list scenarios, §2.5 timeouts, §2.6 UDP flags and a few of
 * issue 3's fixes, a pcap of Ethernet frames is written with `core/packet` (`encodeEthernet` + `buildPacket`,
 * real timestamps) and replayed with `knocktool serve --read FILE --dry-run -v -c CONF -i lo` in a
 * subprocess; the test asserts which doors say OPEN SESAME (and key log lines).
 *
 * With `--read` the interface's addresses are not used (every destination counts as local, and the filter
 * is by port and flags only); the doors still carry `target = 10.0.0.1` (or `fd00::1`) so that the outcome
 * does not depend on that choice.
 *
 * Where knocktool deliberately deviates from knockd (docs/detection.md, "Deviations"), the row asserts
 * knocktool's documented behaviour and its name says "deviation N" with knockd's result.
 */
import assert from "node:assert/strict";
import {
  buildPacket,
  createRng,
  encodeEthernet,
  encodePcap,
  ETHERTYPE,
  LINKTYPE,
} from "../../core/packet/mod.ts";
import type { PcapPacket } from "../../core/packet/mod.ts";
import { libpcapAvailable } from "../integration/_pcap.ts";

const ignore = !(await libpcapAvailable());
const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** The capture clock: 2027-01-15 08:00:00.000 UTC plus the row's offsets. */
const T0 = 1_800_000_000_000;

/** One packet of a row. */
interface Pkt {
  /** `"7000"` (TCP) or `"4000:udp"`. */
  readonly port: string;
  /** Milliseconds after T0. */
  readonly at: number;
  /** TCP flags (default SYN). */
  readonly flags?: number;
  /** Default 10.0.0.2 (or fd00::2 for IPv6 destinations). */
  readonly src?: string;
  /** Default 10.0.0.1. */
  readonly dst?: string;
  /** Source port (default: a fresh one per packet, like separate connects). */
  readonly sport?: number;
  /** TCP sequence number (default derived from the source port). */
  readonly seq?: number;
  /** An 802.1Q tag. */
  readonly vlan?: number;
}

/** One row: doors (knockd.conf door sections), packets, what must open. */
interface Row {
  readonly name: string;
  readonly doors: string;
  readonly packets: readonly Pkt[];
  /** Exactly the `<src>: <door>` pairs that open, in order. */
  readonly opens: readonly string[];
  /** Lines that must appear on stdout (exact). */
  readonly lines?: readonly string[];
  /** Lines that must not appear (exact). */
  readonly absent?: readonly string[];
}

/** knockd's default door, as in its sample config, with a target. */
const A = door("A", "7000,8000,9000", "tcpflags = syn");

function door(name: string, sequence: string, ...extra: string[]): string {
  const target = extra.some((e) => e.startsWith("target")) ? [] : ["target = 10.0.0.1"];
  return [
    `[${name}]`,
    `  sequence = ${sequence}`,
    "  seq_timeout = 10",
    ...[...target, ...extra].map((e) => `  ${e}`),
  ]
    .join("\n") + "\n";
}

let nextSport = 40000;

/** SYN knocks on `ports`, 100 ms apart from `at`. */
function syns(ports: readonly number[], at = 0, src?: string): Pkt[] {
  return ports.map((p, i) => ({ port: String(p), at: at + i * 100, ...(src === undefined ? {} : { src }) }));
}

function frame(p: Pkt, rng: ReturnType<typeof createRng>): PcapPacket {
  const [portText, proto] = p.port.split(":");
  const dport = Number(portText);
  const dst = p.dst ?? "10.0.0.1";
  const v6 = dst.includes(":");
  const src = p.src ?? (v6 ? "fd00::2" : "10.0.0.2");
  const sport = p.sport ?? nextSport++;
  const ip = buildPacket(
    {
      src,
      dst,
      transport: proto === "udp"
        ? { protocol: "udp", sport, dport }
        : { protocol: "tcp", sport, dport, flags: p.flags ?? SYN, seq: p.seq ?? (sport * 7919) >>> 0 },
      ...(proto === "udp" ? { payload: new Uint8Array(1) } : {}),
    },
    rng,
  );
  const data = encodeEthernet({
    dst: new Uint8Array([2, 0, 0, 0, 0, 1]),
    src: new Uint8Array([2, 0, 0, 0, 0, 2]),
    etherType: v6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4,
    ...(p.vlan === undefined ? {} : { vlan: { id: p.vlan } }),
  }, ip);
  return { timeMs: T0 + p.at, data };
}

/** Writes the row's pcap and config, replays it, returns stdout lines (asserting exit 0 and no stderr noise). */
async function replay(row: Row): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-replay-" });
  try {
    const rng = createRng(7);
    await Deno.writeFile(
      `${dir}/c.pcap`,
      encodePcap(row.packets.map((p) => frame(p, rng)), { linkType: LINKTYPE.ethernet }),
    );
    await Deno.writeTextFile(`${dir}/knockd.conf`, `[options]\n${row.doors}`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-prompt",
        MAIN,
        "serve",
        "--read",
        `${dir}/c.pcap`,
        "--dry-run",
        "-v",
        "-c",
        `${dir}/knockd.conf`,
        "-i",
        "lo",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `serve --read failed (${out.code}):\n${stdout}\n${stderr}`);
    return stdout.split("\n").filter((l) => l !== "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const OPEN_A = "10.0.0.2: A";
const B_DOOR = door("B", "4000:udp,4001:udp");

const rows: Row[] = [
  {
    name: "§2.4 row 1: 7000 1234 8000 9000 opens (1234 is in no door: filtered out)",
    doors: A,
    packets: syns([7000, 1234, 8000, 9000]),
    opens: [OPEN_A],
    lines: [
      "10.0.0.2: A: Stage 1",
      "10.0.0.2: A: Stage 2",
      "10.0.0.2: A: Stage 3",
      "10.0.0.2: A: OPEN SESAME",
    ],
  },
  {
    name: "§2.4 row 2: 7000 9000 8000 9000 fails (9000 invalidates), and knocktool logs why",
    doors: A,
    packets: syns([7000, 9000, 8000, 9000]),
    opens: [],
    lines: ["10.0.0.2: A: sequence failed at stage 1: expected 8000/tcp, got 9000/tcp"],
  },
  {
    name:
      "§2.4 row 3 (deviation 3, knockd: fail): 7000, 7000 2.5 s later, 8000 9000 opens, the second 7000 restarts the door",
    doors: A,
    packets: [{ port: "7000", at: 0 }, ...syns([7000, 8000, 9000], 2500)],
    opens: [OPEN_A],
    lines: ["10.0.0.2: A: sequence failed at stage 1: expected 8000/tcp, got 7000/tcp"],
  },
  {
    name:
      "§2.4 row 3 (deviation 7, knockd: fail): 7000 7000 8000 9000 100 ms apart opens, the second 7000 is a repeat",
    doors: A,
    packets: syns([7000, 7000, 8000, 9000]),
    opens: [OPEN_A],
    lines: ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2"],
    absent: ["10.0.0.2: A: sequence failed at stage 1: expected 8000/tcp, got 7000/tcp"],
  },
  {
    name: "§2.4 row 4 (deviation 2, knockd: B not started): 7000 4000/udp 8000 9000 fails A and starts B",
    doors: A + B_DOOR,
    packets: [{ port: "7000", at: 0 }, { port: "4000:udp", at: 100 }, { port: "8000", at: 200 }, {
      port: "9000",
      at: 300,
    }],
    opens: [],
    lines: [
      "10.0.0.2: A: sequence failed at stage 1: expected 8000/tcp, got 4000/udp",
      "10.0.0.2: B: Stage 1",
    ],
  },
  {
    name: "§2.4 row 4 companion (deviation 2): 7000 4000/udp 4001/udp opens B",
    doors: A + B_DOOR,
    packets: [{ port: "7000", at: 0 }, { port: "4000:udp", at: 100 }, { port: "4001:udp", at: 200 }],
    opens: ["10.0.0.2: B"],
  },
  {
    name: "§2.4 row 5: SYN 7000, ACK 8000, SYN 8000, SYN 9000 opens (the ACK is filtered out)",
    doors: A,
    packets: [{ port: "7000", at: 0 }, { port: "8000", flags: ACK, at: 100 }, { port: "8000", at: 200 }, {
      port: "9000",
      at: 300,
    }],
    opens: [OPEN_A],
  },
  {
    name: "§2.4 row 6: SYN 7000, SYN+ACK 8000, SYN 9000 opens (SYN is set, so it counts)",
    doors: A,
    packets: [{ port: "7000", at: 0 }, { port: "8000", flags: SYN | ACK, at: 100 }, {
      port: "9000",
      at: 200,
    }],
    opens: [OPEN_A],
  },
  {
    name: "§2.4 row 7: SYN 7000, FIN 9000, SYN 8000, SYN 9000 opens (the FIN is ignored)",
    doors: A,
    packets: [{ port: "7000", at: 0 }, { port: "9000", flags: FIN, at: 100 }, { port: "8000", at: 200 }, {
      port: "9000",
      at: 300,
    }],
    opens: [OPEN_A],
  },
  {
    name: "§2.4 row 8: a door without tcpflags counts ACK 7100 then RST 7200",
    doors: door("N", "7100,7200"),
    packets: [{ port: "7100", flags: ACK, at: 0 }, { port: "7200", flags: RST, at: 100 }],
    opens: ["10.0.0.2: N"],
  },
  {
    name: "§2.4 row 9 (deviation 2, knockd: B not started): ACK to B's first port is ignored by A, starts B",
    doors: A + door("B", "7100,7200"),
    packets: [{ port: "7000", at: 0 }, { port: "7100", flags: ACK, at: 100 }, { port: "8000", at: 200 }, {
      port: "9000",
      at: 300,
    }],
    opens: [OPEN_A],
    lines: [
      "10.0.0.2: B: Stage 1",
      "10.0.0.2: B: sequence failed at stage 1: expected 7200/tcp, got 8000/tcp",
    ],
  },
  {
    name:
      "§2.4 row 10: an ascending port scan 6990→9010 opens the ascending sequence (kept for compatibility)",
    doors: A,
    packets: Array.from({ length: 9010 - 6990 + 1 }, (_, i) => ({ port: String(6990 + i), at: i })),
    opens: [OPEN_A],
  },
  {
    name: "§2.4 head bug (deviation 1, knockd: B lost): A finishing first never wipes B's progress",
    doors: A,
    packets: [
      { port: "7000", at: 0 },
      { port: "7000", at: 100, src: "10.0.0.3" },
      { port: "8000", at: 200 },
      { port: "9000", at: 300 },
      { port: "8000", at: 400, src: "10.0.0.3" },
      { port: "9000", at: 500, src: "10.0.0.3" },
    ],
    opens: [OPEN_A, "10.0.0.3: A"],
  },
  {
    name: "§2.4 head bug (deviation 1, knockd: B lost): A failing first never wipes B's progress",
    doors: A,
    packets: [
      { port: "7000", at: 0 },
      { port: "7000", at: 100, src: "10.0.0.3" },
      { port: "9000", at: 200 },
      { port: "8000", at: 300, src: "10.0.0.3" },
      { port: "9000", at: 400, src: "10.0.0.3" },
    ],
    opens: ["10.0.0.3: A"],
  },
  {
    name: "§2.4 shared first port: 7000 8000 9100 opens Y only; X and Z reach Stage 1 too",
    doors: door("X", "7000,8000,9000", "tcpflags = syn") + door("Y", "7000,8000,9100", "tcpflags = syn") +
      door("Z", "7000,6000", "tcpflags = syn"),
    packets: syns([7000, 8000, 9100]),
    opens: ["10.0.0.2: Y"],
    lines: ["10.0.0.2: X: Stage 1", "10.0.0.2: Z: Stage 1"],
  },
  {
    name: "§2.4 repeated ports: 5000,5000,5001 opens with separate connections",
    doors: door("R", "5000,5000,5001", "tcpflags = syn"),
    packets: syns([5000, 5000, 5001]),
    opens: ["10.0.0.2: R"],
  },
  {
    name: "§2.4 completed attempts are removed at once: re-knocking at once opens again",
    doors: A,
    packets: [...syns([7000, 8000, 9000]), ...syns([7000, 8000, 9000], 300)],
    opens: [OPEN_A, OPEN_A],
  },
  {
    name: "§2.5 seq_timeout is a total window: 1.0 s + 1.1 s gaps with seq_timeout 2 time out at stage 2",
    doors: door("A", "7000,8000,9000", "tcpflags = syn").replace("seq_timeout = 10", "seq_timeout = 2"),
    packets: [{ port: "7000", at: 0 }, { port: "8000", at: 1000 }, { port: "9000", at: 2100 }],
    opens: [],
    lines: ["10.0.0.2: A: sequence timeout (stage 2)"],
  },
  {
    name: "§2.5 (deviation 4, knockd: timeout): 1.1 s across two second boundaries opens with seq_timeout 2",
    doors: door("A", "7000,8000,9000", "tcpflags = syn").replace("seq_timeout = 10", "seq_timeout = 2"),
    packets: [{ port: "7000", at: 950 }, { port: "8000", at: 1500 }, { port: "9000", at: 2050 }],
    opens: [OPEN_A],
    absent: ["10.0.0.2: A: sequence timeout (stage 2)"],
  },
  {
    name: "§2.6 UDP ignores tcpflags: a UDP door with tcpflags = syn opens",
    doors: door("U", "5000:udp,5001:udp", "tcpflags = syn"),
    packets: [{ port: "5000:udp", at: 0 }, { port: "5001:udp", at: 100 }],
    opens: ["10.0.0.2: U"],
  },
  {
    name: "Target: knocks to another address are not for the door",
    doors: A,
    packets: [7000, 8000, 9000].map((p, i) => ({ port: String(p), at: i * 100, dst: "10.0.0.9" })),
    opens: [],
  },
  {
    name: "IPv6 (target fd00::1): 7000 8000 9000 opens",
    doors: door("A6", "7000,8000,9000", "tcpflags = syn", "target = fd00::1"),
    packets: [7000, 8000, 9000].map((p, i) => ({ port: String(p), at: i * 100, dst: "fd00::1" })),
    opens: ["fd00::2: A6"],
  },
  {
    name: "deviation 7 (knockd: fail, its issues #72/#90/#92): a retransmitted SYN is not a wrong knock",
    doors: A,
    packets: [
      { port: "7000", at: 0, sport: 50000, seq: 1234 },
      { port: "7000", at: 1000, sport: 50000, seq: 1234 },
      { port: "8000", at: 1100 },
      { port: "9000", at: 1200 },
    ],
    // (knocktool logs "retransmission ignored" at debug level only, i.e. with -D.)
    opens: [OPEN_A],
    lines: ["10.0.0.2: A: Stage 1", "10.0.0.2: A: Stage 2"],
    absent: ["10.0.0.2: A: sequence failed at stage 1: expected 8000/tcp, got 7000/tcp"],
  },
  {
    name:
      "deviation 7 (knockd: fail at stage 2): nmap -sS's two probes per port (new sport and seq, 100 ms apart)",
    doors: A,
    packets: [7000, 8000, 9000].flatMap((port, i) => [
      { port: String(port), at: i * 400, sport: 40000 + i * 10, seq: 1000 + i },
      { port: String(port), at: i * 400 + 100, sport: 40002 + i * 10, seq: 2000 + i },
    ]),
    opens: [OPEN_A],
    absent: ["10.0.0.2: A: sequence failed at stage 2: expected 9000/tcp, got 8000/tcp"],
  },
  {
    name: "deviation 7: a new packet to the port just counted 2 s or more after it is still a wrong knock",
    doors: A,
    packets: [{ port: "7000", at: 0 }, { port: "8000", at: 100 }, { port: "8000", at: 2100 }, {
      port: "9000",
      at: 2200,
    }],
    opens: [],
    lines: ["10.0.0.2: A: sequence failed at stage 2: expected 9000/tcp, got 8000/tcp"],
  },
  {
    name: "issue 3 (knockd drops VLAN frames): 802.1Q-tagged knocks open",
    doors: A,
    packets: syns([7000, 8000, 9000]).map((p) => ({ ...p, vlan: 42 })),
    opens: [OPEN_A],
  },
  {
    name: "--dry-run logs the start command with %IP% replaced but does not run it",
    doors: door("C", "7000,8000,9000", "tcpflags = syn", "start_command = echo open %IP% > /dev/full"),
    packets: syns([7000, 8000, 9000]),
    opens: ["10.0.0.2: C"],
    lines: ["C: running command: echo open 10.0.0.2 > /dev/full"],
    absent: ["C: command returned non-zero status code (1)"],
  },
];

for (const row of rows) {
  Deno.test({ name: `replay ${row.name}`, ignore }, async () => {
    const lines = await replay(row);
    const opened = lines.filter((l) => l.endsWith(": OPEN SESAME")).map((l) =>
      l.slice(0, -": OPEN SESAME".length)
    );
    assert.deepEqual(opened, row.opens, lines.join("\n"));
    for (const expected of row.lines ?? []) {
      assert.ok(lines.includes(expected), `missing "${expected}" in:\n${lines.join("\n")}`);
    }
    for (const unexpected of row.absent ?? []) {
      assert.ok(!lines.includes(unexpected), `unexpected "${unexpected}" in:\n${lines.join("\n")}`);
    }
  });
}
