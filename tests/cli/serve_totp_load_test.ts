/**
 * serve's loader of TOTP doors (cli/serve/totp_load.ts): secrets inline and from files (relative ones from the
 * working directory), the state file named after the journal, a missing state file as "nothing used yet", an
 * unreadable or corrupt one refusing the config; replays keep no state.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../core/config/mod.ts";
import { journalFileName } from "../../core/serve/mod.ts";
import { listeningPorts, loadTotp, totpListeningWarnings, totpStatePath } from "../../cli/serve/totp_load.ts";
import { denoIo } from "../../cli/runtime.ts";

const SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const CONF =
  `[a]\n  TOTP_Secret = ${SECRET}\n[plain]\n  sequence = 7000,8000\n[b]\n  TOTP_Secret_File = keys/b.totp\n`;
const config = parseConfig(CONF, { extensions: KNOCKTOOL_EXTENSIONS }).config;

function notFound(path: string): Error {
  const error = new Error(`No such file or directory (os error 2): readfile '${path}'`);
  error.name = "NotFound";
  return error;
}

function platform(files: Record<string, string | Error>) {
  const read: string[] = [];
  return {
    read,
    readText: (path: string) => {
      read.push(path);
      const f = files[path];
      if (f === undefined) throw notFound(path);
      if (f instanceof Error) throw f;
      return f;
    },
    io: { ...denoIo(), cwd: () => "/srv" },
  };
}

const settings = { configPath: "/etc/knocktool.conf", stateDir: "/var/lib/kt" };
const STATE = `/var/lib/kt/${journalFileName("/etc/knocktool.conf").replace(/\.journal$/, ".totp")}`;

Deno.test("loadTotp: inline and file secrets, the state file by the journal's name, none yet", () => {
  assert.equal(totpStatePath("/var/lib/kt/", "/etc/knocktool.conf"), STATE);
  const p = platform({ "/srv/keys/b.totp": `${SECRET.slice(0, 16)} ${SECRET.slice(16)}\n` });
  const { load, errors } = loadTotp(config, settings, p);
  assert.deepEqual(errors, []);
  assert.deepEqual(load.doors.map((d) => [d.index, d.stepSeconds, d.skew, d.params.length]), [
    [0, 30, 1, 4],
    [2, 30, 1, 4],
  ]);
  assert.deepEqual(load.doors[0]!.params.key, load.doors[1]!.params.key);
  assert.equal(load.statePath, STATE);
  assert.equal(load.stateText, undefined);
  assert.deepEqual(p.read, ["/srv/keys/b.totp", STATE]);
});

Deno.test("loadTotp: the state file's text is handed over; a replay reads none", () => {
  const text = JSON.stringify({ version: 1, used: { a: ["1"] } });
  const p = platform({ "/srv/keys/b.totp": SECRET, [STATE]: text });
  assert.equal(loadTotp(config, settings, p).load.stateText, text);
  const replay = loadTotp(config, { ...settings, read: "x.pcap" }, platform({ "/srv/keys/b.totp": SECRET }));
  assert.deepEqual([replay.errors, replay.load.statePath], [[], undefined]);
});

Deno.test("loadTotp: an unreadable secret file, an unreadable or corrupt state file refuse the config", () => {
  const denied = new Error("Permission denied (os error 13)");
  denied.name = "PermissionDenied";
  const noSecret = loadTotp(config, settings, platform({ "/srv/keys/b.totp": denied }));
  assert.deepEqual(noSecret.errors, [
    "/etc/knocktool.conf:6:22: error: cannot read TOTP secret file /srv/keys/b.totp: Permission denied",
  ]);
  const corrupt = loadTotp(config, settings, platform({ "/srv/keys/b.totp": SECRET, [STATE]: "{" }));
  assert.deepEqual(corrupt.errors, [
    `${STATE}: error: cannot read the TOTP doors' used steps: not JSON (remove the file to forget them)`,
  ]);
  const unreadable = loadTotp(config, settings, platform({ "/srv/keys/b.totp": SECRET, [STATE]: denied }));
  assert.match(unreadable.errors[0]!, /cannot read the TOTP doors' used steps: Permission denied/);
});

const PROC_TCP =
  `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:61A8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1079 1 0 100 0 0 10 0
   1: 0100007F:7531 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1080 1 0 100 0 0 10 0
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1081 1 0 100 0 0 10 0
`;
const PROC_UDP6 =
  `  sl  local_address                         remote_address                        st tx_queue
   0: 00000000000000000000000000000000:7530 00000000000000000000000000000000:0000 07 00000000:00000000
`;

Deno.test("serve warns about ports it listens on that a TOTP door may draw (TOTP_Exclude is the fix)", () => {
  const p = platform({ "/srv/keys/b.totp": SECRET, "/proc/net/tcp": PROC_TCP, "/proc/net/udp6": PROC_UDP6 });
  const listening = listeningPorts(p);
  // 25000 listens, 30001 is an established connection's local port, 22 listens; UDP 30000 is bound.
  assert.deepEqual([...listening.get("tcp")!], [25000, 22]);
  assert.deepEqual([...listening.get("udp")!], [30000]);
  const { load } = loadTotp(config, settings, p);
  assert.deepEqual(totpListeningWarnings(config, load, settings, p), [
    '/etc/knocktool.conf:2:3: warning: door a may draw 25000/tcp, which this host listens on; add "TOTP_Exclude = 25000" (on the clients too)',
    '/etc/knocktool.conf:6:3: warning: door b may draw 25000/tcp, which this host listens on; add "TOTP_Exclude = 25000" (on the clients too)',
  ]);
  const excluded = parseConfig(
    `[a]\n  TOTP_Secret = ${SECRET}\n  TOTP_Exclude = 25000\n  TOTP_Protocol = tcp,udp\n`,
    { extensions: KNOCKTOOL_EXTENSIONS },
  ).config;
  const other = loadTotp(excluded, settings, p).load;
  assert.deepEqual(totpListeningWarnings(excluded, other, settings, p), [
    '/etc/knocktool.conf:2:3: warning: door a may draw 30000/udp, which this host listens on; add "TOTP_Exclude = 30000" (on the clients too)',
  ]);
});
