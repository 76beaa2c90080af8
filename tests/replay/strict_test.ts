/**
 * knocktool's own door directives through the whole daemon: a capture written with `core/packet` is replayed
 * with `knocktool serve --read FILE --dry-run -v -c CONF -i lo` (same filter, decoder and engine as live).
 *
 * - A sequential SYN scan of ports 6990-9010 from one source opens the door 7000,8000,9000 without
 *   `Strict`, as knockd does (docs/knockd.md §2.4), and does not open the same door with `Strict = yes`
 *   (the SYNs to 7001… reach the engine through the strict filter and fail the attempt); a legitimate knock
 *   still opens the strict door.
 * - `Cooldown`: 20 single-port UDP knocks run the command once (and 20 times without it).
 * - `knock -c --door --decoys` refuses a strict door (exit 2), before sending anything.
 */
import assert from "node:assert/strict";
import {
  buildPacket,
  createRng,
  encodeEthernet,
  encodePcap,
  ETHERTYPE,
  LINKTYPE,
  type PcapPacket,
} from "../../core/packet/mod.ts";
import { libpcapAvailable } from "../integration/_pcap.ts";

const ignore = !(await libpcapAvailable());
const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;
const SYN = 0x02;
const T0 = 1_800_000_000_000;

interface Pkt {
  readonly port: string;
  readonly at: number;
  readonly src?: string;
}

let nextSport = 30000;

function frame(p: Pkt, rng: ReturnType<typeof createRng>): PcapPacket {
  const [portText, proto] = p.port.split(":");
  const sport = nextSport++;
  const ip = buildPacket({
    src: p.src ?? "10.0.0.66",
    dst: "10.0.0.1",
    transport: proto === "udp"
      ? { protocol: "udp", sport, dport: Number(portText) }
      : { protocol: "tcp", sport, dport: Number(portText), flags: SYN, seq: (sport * 7919) >>> 0 },
    ...(proto === "udp" ? { payload: new Uint8Array(1) } : {}),
  }, rng);
  const data = encodeEthernet({
    dst: new Uint8Array([2, 0, 0, 0, 0, 1]),
    src: new Uint8Array([2, 0, 0, 0, 0, 2]),
    etherType: ETHERTYPE.ipv4,
  }, ip);
  return { timeMs: T0 + p.at, data };
}

/** nmap-like sequential SYN scan from one source, 1 ms apart (the whole scan takes ~2 s). */
function scan(from: number, to: number, at = 0): Pkt[] {
  const out: Pkt[] = [];
  for (let port = from; port <= to; port++) out.push({ port: String(port), at: at + (port - from) });
  return out;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-prompt", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Replays `packets` against `conf`; returns stdout lines. */
async function replay(conf: string, packets: readonly Pkt[]): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-strict-" });
  try {
    const rng = createRng(3);
    await Deno.writeFile(
      `${dir}/c.pcap`,
      encodePcap(packets.map((p) => frame(p, rng)), { linkType: LINKTYPE.ethernet }),
    );
    await Deno.writeTextFile(`${dir}/knockd.conf`, conf);
    const r = await cli([
      "serve",
      "--read",
      `${dir}/c.pcap`,
      "--dry-run",
      "-v",
      "-c",
      `${dir}/knockd.conf`,
      "-i",
      "lo",
    ]);
    assert.equal(r.code, 0, `serve --read failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout.split("\n").filter((l) => l !== "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DOOR = [
  "[openSSH]",
  "  sequence      = 7000,8000,9000",
  "  seq_timeout   = 10",
  "  tcpflags      = syn",
  "  start_command = /bin/true open %IP%",
];

Deno.test({
  name: "replay: a sequential SYN scan 6990-9010 opens the plain door, not the strict one; a real knock does",
  ignore,
  async fn() {
    const traffic = scan(6990, 9010);
    const plain = await replay(DOOR.join("\n") + "\n", traffic);
    assert.ok(plain.some((l) => l.endsWith("10.0.0.66: openSSH: OPEN SESAME")), plain.join("\n"));
    assert.equal(plain.filter((l) => l.includes("running command")).length, 1);

    const strictConf = [...DOOR, "  Strict        = yes"].join("\n") + "\n";
    const strict = await replay(strictConf, [
      ...traffic,
      // Afterwards a legitimate client knocks the sequence.
      ...[7000, 8000, 9000].map((port, i) => ({ port: String(port), at: 5000 + i * 100, src: "10.0.0.2" })),
    ]);
    const text = strict.join("\n");
    assert.ok(!strict.some((l) => l.includes("10.0.0.66: openSSH: OPEN SESAME")), text);
    assert.ok(
      strict.some((l) =>
        l.endsWith("10.0.0.66: openSSH: sequence failed at stage 1: strict: unexpected packet to 7001/tcp")
      ),
      text,
    );
    assert.ok(strict.some((l) => l.endsWith("10.0.0.2: openSSH: OPEN SESAME")), text);
    assert.equal(strict.filter((l) => l.includes("running command")).length, 1, text);
    assert.ok(strict.some((l) => l.includes("running command: /bin/true open 10.0.0.2")), text);
  },
});

Deno.test({
  name: "replay: Cooldown runs a single-port UDP door's command once for 20 knocks (20 times without it)",
  ignore,
  async fn() {
    const door = ["[udp]", "  sequence = 4000:udp", "  start_command = /bin/true %IP%"];
    const knocks = Array.from({ length: 20 }, (_, i) => ({ port: "4000:udp", at: i * 50, src: "10.0.0.2" }));
    const plain = await replay(door.join("\n") + "\n", knocks);
    assert.equal(plain.filter((l) => l.includes("running command")).length, 20);
    const cooled = await replay([...door, "  Cooldown = 30"].join("\n") + "\n", [
      ...knocks,
      { port: "4000:udp", at: 31_000, src: "10.0.0.2" }, // after the cool-down: opens again
    ]);
    const text = cooled.join("\n");
    assert.equal(cooled.filter((l) => l.includes("running command")).length, 2, text);
    assert.deepEqual(
      cooled.filter((l) => l.includes("cooldown")).map((l) => l.replace(/^.*10\.0\.0\.2/, "10.0.0.2")),
      ["10.0.0.2: udp: cooldown, not opening again for 30 s"],
    );
  },
});

Deno.test({
  name: "serve refuses a bad Strict value with the line; knock --decoys refuses a strict door (exit 2)",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "knocktool-strict-" });
    try {
      await Deno.writeTextFile(`${dir}/bad.conf`, [...DOOR, "  strict = on"].join("\n") + "\n");
      const bad = await cli([
        "serve",
        "--read",
        "/dev/null",
        "--dry-run",
        "-c",
        `${dir}/bad.conf`,
        "-i",
        "lo",
      ]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /KT106/);
      assert.match(bad.stderr, /"strict" must be "yes" or "no", not "on"/);

      await Deno.writeTextFile(`${dir}/k.conf`, [...DOOR, "  Strict = yes"].join("\n") + "\n");
      const refused = await cli([
        "knock",
        "-c",
        `${dir}/k.conf`,
        "--door",
        "openSSH",
        "--decoys",
        "3",
        "127.0.0.1",
      ]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.equal(
        refused.stderr,
        'knocktool knock: --decoys: door "openSSH" is strict (Strict = yes): a decoy knock would invalidate the attempt\n',
      );
      assert.equal(refused.stdout, "");
      // The same door without decoys is knocked (to a closed loopback port: the hits themselves succeed).
      const ok = await cli(["knock", "-c", `${dir}/k.conf`, "--door", "openSSH", "127.0.0.1"]);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
