/**
 * `knocktool knock` and TOTP doors: the hits of a TOTP door are the current step's derived sequence, from a
 * config or from an enrolment URI (`--profile`); `--show` prints them with the seconds left (and as JSON);
 * `--enroll` prints the URI and a QR code that decodes back to it; wrong combinations are usage errors.
 */
import assert from "node:assert/strict";
import decodeQR from "@paulmillr/qr/decode.js";
import { formatMessage } from "@optique/core/message";
import { parse } from "@optique/core/parser";
import { type KnockArgs, knockCommand } from "../../cli/knock/command.ts";
import type { KnockNet, ProbeResult } from "../../cli/knock/net.ts";
import { runKnock } from "../../cli/knock/run.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";
import { formatIP } from "../../core/packet/mod.ts";
import { derivedSequence, parseTotpUri, totpCandidates } from "../../core/totp/mod.ts";

const SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
const KEY = new TextEncoder().encode("12345678901234567890");
const NOW = 1_700_000_017_250; // 7.25 s into a 30 s step: 22.75 s left, shown as 23
const COUNTER = BigInt(Math.floor(NOW / 30_000));

/** Records hits; the wall clock is {@linkcode NOW}. */
class Net implements KnockNet {
  readonly sent: string[] = [];
  service(): number | undefined {
    return undefined;
  }
  resolve(): Uint8Array[] {
    return [Uint8Array.of(192, 0, 2, 7)];
  }
  tcp(address: Uint8Array, port: number): void {
    this.sent.push(`tcp ${formatIP(address)}:${port}`);
  }
  udp(address: Uint8Array, port: number): void {
    this.sent.push(`udp ${formatIP(address)}:${port}`);
  }
  raw(): void {
    throw new Error("no raw sends here");
  }
  sourceFor(address: Uint8Array): Uint8Array {
    return address;
  }
  probe(): Promise<ProbeResult> {
    return Promise.resolve({ state: "timeout" });
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  now(): number {
    return 0;
  }
  wallClock(): number {
    return NOW;
  }
  randomSeed(): number {
    return 1;
  }
  writeFileAtomic(): void {
    throw new Error("nothing to write");
  }
  close(): void {}
}

async function knock(argv: string[], net = new Net()) {
  const parsed = parse(knockCommand, ["knock", ...argv]);
  if (!parsed.success) throw new Error(formatMessage(parsed.error));
  let stdout = "", stderr = "";
  const io: Io = { ...denoIo(), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runKnock(parsed.value as KnockArgs, io, net);
  return { code, stdout, stderr, net };
}

async function setUp(protocol = "tcp"): Promise<{ dir: string; conf: string }> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-totp-" });
  await Deno.writeTextFile(`${dir}/ssh.totp`, `${SECRET}\n`, { mode: 0o600 });
  const conf = `${dir}/knockd.conf`;
  await Deno.writeTextFile(
    conf,
    `[ssh]\n  TOTP_Secret_File = ssh.totp\n  TOTP_Length = 3\n  TOTP_Protocol = ${protocol}\n` +
      `  TOTP_Ports = 20000-40000\n  TOTP_Exclude = 22000-22999\n[plain]\n  sequence = 7000,8000\n`,
  );
  return { dir, conf };
}

const expected = (protocols: readonly ("tcp" | "udp")[] = ["tcp"]) =>
  derivedSequence(
    {
      key: KEY,
      length: 3,
      protocols,
      candidates: totpCandidates(20000, 40000, [...Array(1000).keys()].map((i) => 22000 + i)),
    },
    COUNTER,
  );

Deno.test("knock -c --door on a TOTP door sends the current step's sequence (secret file relative to the cwd)", async () => {
  const { dir, conf } = await setUp();
  try {
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      const r = await knock(["-c", conf, "--door", "ssh", "knock.example"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.net.sent, expected().map((k) => `tcp 192.0.2.7:${k.port}`));
    } finally {
      Deno.chdir(cwd);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knock --show prints the ports, the seconds left and a knock line; --json the same as one object", async () => {
  const { dir, conf } = await setUp("tcp,udp");
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    const ks = expected(["tcp", "udp"]);
    const items = ks.map((k) => k.protocol === "udp" ? `${k.port}:udp` : `${k.port}`).join(" ");
    const r = await knock(["-c", conf, "--door", "ssh", "--show", "server.example"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.net.sent, [], "nothing is sent");
    assert.equal(
      r.stdout,
      `ssh: ${items} (23 s left of this 30 s step; accepted 30 s longer)\nknock server.example ${items}\n`,
    );
    const j = await knock(["-c", conf, "--door", "ssh", "--show", "--json", "server.example"]);
    assert.deepEqual(JSON.parse(j.stdout), {
      door: "ssh",
      step: String(COUNTER),
      stepSeconds: 30,
      secondsLeft: 23,
      validUntil: new Date(Number(COUNTER + 1n) * 30_000).toISOString(),
      knocks: ks,
    });
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

/** Reads the QR code `--enroll` printed (two rows of modules per character, light drawn as blocks). */
function qrImage(text: string) {
  const rows = text.split("\n").filter((l) => l.length > 0);
  const scale = 4;
  const width = [...rows[0]!].length;
  const bits: boolean[][] = [];
  for (const row of rows) {
    const chars = [...row];
    const top = chars.map((c) => c === "█" || c === "▀");
    const bottom = chars.map((c) => c === "█" || c === "▄");
    bits.push(top, bottom);
  }
  const height = bits.length;
  const data = new Uint8Array(width * scale * height * scale * 3);
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const light = bits[Math.floor(y / scale)]![Math.floor(x / scale)]!;
      data.fill(light ? 255 : 0, (y * width * scale + x) * 3, (y * width * scale + x) * 3 + 3);
    }
  }
  return { width: width * scale, height: height * scale, data };
}

Deno.test("knock --enroll prints the otpauth URI and a QR code of it; --profile knocks from that URI", async () => {
  const { dir, conf } = await setUp();
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    const r = await knock(["-c", conf, "--door", "ssh", "--enroll", "x"]);
    assert.equal(r.code, 0, r.stderr);
    const [uri, blank, ...qr] = r.stdout.split("\n");
    assert.equal(blank, "");
    assert.equal(
      uri,
      `otpauth://totp/knocktool:ssh?secret=${SECRET}&issuer=knocktool&period=30&knocks=3&ports=20000-40000&protocol=tcp&skew=1&exclude=22000-22999`,
    );
    assert.equal(decodeQR(qrImage(qr.join("\n"))), uri);
    const parsed = parseTotpUri(uri!);
    assert.ok(parsed.ok && parsed.profile.exclude.length === 1000);
    await Deno.writeTextFile(`${dir}/ssh.profile`, r.stdout);
    const sent = await knock(["--profile", `${dir}/ssh.profile`, "knock.example"]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(sent.net.sent, expected().map((k) => `tcp 192.0.2.7:${k.port}`));
    const shown = await knock(["--profile", uri!, "--show", "h"]);
    assert.match(shown.stdout, new RegExp(`^ssh: ${expected().map((k) => k.port).join(" ")} \\(23 s left`));
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knock: TOTP options that do not go together are usage errors (exit 2)", async () => {
  const { dir, conf } = await setUp();
  try {
    const cases: [string[], RegExp][] = [
      [["-c", conf, "--door", "plain", "--show", "h"], /door "plain" is not a TOTP door/],
      [["--show", "h"], /--show and --enroll need -c FILE --door NAME, or --profile FILE/],
      [["--json", "h", "7000"], /--json needs --show/],
      [["--show", "--enroll", "--profile", "x", "h"], /--show and --enroll cannot be combined/],
      [["--profile", `${dir}/none`, "h"], /--profile: cannot read/],
      [["--profile", "otpauth://hotp/x?secret=AA", "h"], /not an otpauth:\/\/totp\/ URI/],
      [["--profile", "otpauth://totp/x?secret=GEZDGNBV", "h", "7000"], /cannot be combined with --profile/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await knock(argv);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
