/**
 * The knocktool demo: `knocktool serve` guarding an SSH-like port with nftables, and a client knocking it
 * open; the door adds the client's address to an nftables set with a timeout (`Nft_Set`, in-process through
 * libnftables), and the kernel closes it again. Run as root (it creates two network namespaces, which it
 * always deletes):
 *
 *     sudo deno run -A tools/demo.ts
 *
 * It installs nothing itself except through `bash tests/setup.sh` (libpcap, knock, nftables, iproute2),
 * then: starts `knocktool serve` with the config embedded below in a "server" namespace; shows that TCP port
 * 22 is closed to the "client" namespace; knocks 7000, 8000, 9000 with `knocktool knock` (or Debian's
 * `knock` when knocktool has no `knock` subcommand); shows the element the door added, with its timeout, as
 * the kernel lists it, and the port open for that client; waits for the timeout; shows the kernel removed the
 * element and the port closed again. Exit 0 on success, 1 with a clear message otherwise (about 15 s).
 *
 * @module
 */
import {
  hasCommand,
  KNOCKTOOL,
  poll,
  REPO_ROOT,
  run,
  type Spawned,
  tcpListener,
  tcpProbe,
  type Topology,
  withTopology,
} from "./netns/mod.ts";
import { errorMessage } from "../core/error_message.ts";

const PORT = 22;
const TIMEOUT_S = 5;

/** The firewall of the server: port 22 dropped unless the source is in `allowed4`/`allowed6`. */
const NFTABLES = `
table inet knocktool_demo {
  set allowed4 { type ipv4_addr; flags timeout; }
  set allowed6 { type ipv6_addr; flags timeout; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport ${PORT} ip saddr @allowed4 accept
    tcp dport ${PORT} ip6 saddr @allowed6 accept
    tcp dport ${PORT} drop
  }
}
`;

/**
 * The embedded config: knockd's classic openSSH door, opening port 22 through nftables sets with knocktool's
 * own directives (no command: the address goes into the set with a timeout the kernel enforces).
 */
const CONFIG = `[options]

[openSSH]
  sequence    = 7000,8000,9000
  seq_timeout = 5
  tcpflags    = syn
  Nft_Set     = inet knocktool_demo allowed4
  Nft_Set_6   = inet knocktool_demo allowed6
  Nft_Timeout = ${TIMEOUT_S}
`;

const useColor = Deno.stdout.isTerminal() && Deno.env.get("NO_COLOR") === undefined;
const bold = (s: string): string => (useColor ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string): string => (useColor ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string): string => (useColor ? `\x1b[31m${s}\x1b[0m` : s);
const dim = (s: string): string => (useColor ? `\x1b[2m${s}\x1b[0m` : s);

function say(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
}

/** A demo step failed: caught at the top, after the namespaces are deleted. */
class DemoError extends Error {}

function fail(text: string): never {
  throw new DemoError(text);
}

function exitWith(text: string): never {
  Deno.stderr.writeSync(new TextEncoder().encode(`${red("demo failed:")} ${text}\n`));
  Deno.exit(1);
}

/** Echoes the daemon's new log lines, indented. */
function echoLog(daemon: Spawned, from: number): number {
  for (const line of daemon.lines.slice(from)) say(dim(`    serve | ${line}`));
  return daemon.lines.length;
}

async function knockCommand(): Promise<{ argv: string[]; label: string }> {
  const help = await run([...KNOCKTOOL, "knock", "--help"], { check: false, timeoutMs: 30_000 });
  if (help.code === 0) return { argv: [...KNOCKTOOL, "knock", "-v"], label: "knocktool knock -v" };
  if (await hasCommand("knock")) return { argv: ["knock", "-v"], label: "knock -v (Debian's client)" };
  fail('neither "knocktool knock" nor Debian\'s "knock" is available');
}

async function demo(t: Topology, dir: string): Promise<void> {
  const client = t.clients[0]!;
  const conf = `${dir}/knocktool.conf`;
  await Deno.writeTextFile(conf, CONFIG);
  say(`${bold("1.")} Two network namespaces joined by a veth pair:`);
  say(`   server ${t.serverV4} (${t.server.name})   client ${client.v4} (${client.ns.name})`);
  await t.server.exec(["nft", "-f", "-"], { stdin: NFTABLES });
  await using _ssh = await tcpListener(t.server, [PORT]);
  say(`   The server runs a service on TCP ${PORT}; nftables drops it unless the source is in a set.`);

  say(
    `${bold("2.")} Starting ${
      bold(`knocktool serve -c knocktool.conf -i ${t.serverIf} -v`)
    } with this config:`,
  );
  for (const line of CONFIG.trim().split("\n")) say(dim(`    ${line}`));
  await using daemon = t.server.spawn([...KNOCKTOOL, "serve", "-c", conf, "-i", t.serverIf, "-v"]);
  try {
    await daemon.waitForLine(/^starting up, listening on /, 20_000);
  } catch {
    fail(`knocktool serve did not start:\n${daemon.output()}`);
  }
  let seen = echoLog(daemon, 0);

  const closed = await tcpProbe(client.ns, t.serverV4, PORT, { timeoutMs: 800 });
  say(
    `${bold("3.")} Client connects to ${t.serverV4}:${PORT} before knocking: ${
      closed === "timeout" ? red("closed (dropped)") : closed
    }`,
  );
  if (closed !== "timeout") fail(`port ${PORT} should be closed before knocking, got "${closed}"`);

  const knock = await knockCommand();
  say(`${bold("4.")} Client knocks: ${bold(`${knock.label} ${t.serverV4} 7000 8000 9000`)}`);
  const out = await client.ns.exec([...knock.argv, t.serverV4, "7000", "8000", "9000"], {
    check: false,
    timeoutMs: 30_000,
  });
  for (const line of (out.stdout + out.stderr).trim().split("\n")) say(dim(`    knock | ${line}`));
  if (out.code !== 0) fail(`the knock client failed (${out.code})`);
  try {
    await daemon.waitForLine(new RegExp(`^${client.v4}: openSSH: OPEN SESAME$`), 5000);
    await daemon.waitForLine(/^openSSH: nft: adding /, 5000);
  } catch {
    fail(`knocktool serve did not open the door:\n${daemon.output()}`);
  }
  seen = echoLog(daemon, seen);
  const listed = await t.server.exec(["nft", "list", "set", "inet", "knocktool_demo", "allowed4"]);
  const element = listed.stdout.match(/elements = \{ ([^}]*) \}/)?.[1]?.trim();
  if (element === undefined || !element.startsWith(`${client.v4} timeout ${TIMEOUT_S}s`)) {
    fail(`the set does not hold ${client.v4} with a ${TIMEOUT_S} s timeout:\n${listed.stdout}`);
  }
  say(`${bold("5.")} The kernel's set now holds: ${bold(element)} ${dim("(nft list set)")}`);

  const opened = await poll(
    async () => (await tcpProbe(client.ns, t.serverV4, PORT, { timeoutMs: 800 })) === "open",
    3000,
  );
  say(
    `${bold("6.")} Client connects again: ${
      opened ? green("open — the service answered") : red("still closed")
    }`,
  );
  if (!opened) fail(`port ${PORT} did not open after the knock`);

  say(
    `${bold("7.")} Waiting ${TIMEOUT_S} s: the kernel removes the element by itself (no stop command) ...`,
  );
  const expired = await poll(async () => {
    const now = await t.server.exec(["nft", "list", "set", "inet", "knocktool_demo", "allowed4"]);
    return !now.stdout.includes(client.v4);
  }, (TIMEOUT_S + 5) * 1000);
  if (!expired) fail(`the element of ${client.v4} did not expire after ${TIMEOUT_S} s`);
  const reclosed = await poll(
    async () => (await tcpProbe(client.ns, t.serverV4, PORT, { timeoutMs: 800 })) === "timeout",
    5000,
  );
  seen = echoLog(daemon, seen);
  say(
    `${bold("8.")} Client connects after the timeout: ${reclosed ? red("closed (dropped)") : "still open"}`,
  );
  if (!reclosed) fail(`port ${PORT} did not close after the timeout`);

  await daemon.stop();
  echoLog(daemon, seen);
  say(
    green(`Demo complete: the port opened for the client that knocked, and the kernel closed it again.`),
  );
}

if (Deno.build.os !== "linux" || Deno.uid() !== 0) {
  exitWith(
    "the demo needs root on Linux: it creates two network namespaces, an nftables table inside one, and " +
      "captures packets there (nothing outside the namespaces is touched). Run: sudo deno run -A tools/demo.ts",
  );
}
const setup = await run(["bash", `${REPO_ROOT}tests/setup.sh`], { check: false, timeoutMs: 600_000 });
if (setup.code !== 0) exitWith(`tests/setup.sh failed:\n${setup.stderr}`);
for (const tool of ["ip", "nft"]) {
  if (!(await hasCommand(tool))) exitWith(`"${tool}" is missing (install iproute2 and nftables)`);
}
const dir = await Deno.makeTempDir({ prefix: "knocktool-demo-" });
let failure: string | undefined;
try {
  await withTopology({}, (t) => demo(t, dir));
} catch (error) {
  failure = errorMessage(error);
} finally {
  await Deno.remove(dir, { recursive: true });
}
if (failure !== undefined) exitWith(failure);
