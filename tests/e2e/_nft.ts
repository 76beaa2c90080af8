/**
 * What the nftables e2e tests share: the server's firewall (port 22 for the addresses in `a4`/`a6` or
 * `b4`, port 443 for `ADDRESS . 443` in `p4`), reading a set back from the kernel (`nft -j list set`), and
 * starting `knocktool serve` in the server namespace.
 *
 * @module
 */
import { KNOCKTOOL, poll, type Spawned, type Topology } from "./_netns.ts";

/** The server's ruleset: the sets the doors add to, and the rules that use them. */
export const NFT_RULES = `
table inet kt {
  set a4 { type ipv4_addr; flags timeout; }
  set a6 { type ipv6_addr; flags timeout; }
  set b4 { type ipv4_addr; flags timeout; }
  set p4 { type ipv4_addr . inet_service; flags timeout; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 ip saddr @a4 accept
    tcp dport 22 ip6 saddr @a6 accept
    tcp dport 22 ip saddr @b4 accept
    tcp dport 22 drop
    ip saddr . tcp dport @p4 accept
    tcp dport 443 drop
  }
}
`;

/** The knock sequences of the doors of {@linkcode nftConfig}. */
export const SSH = ["47411", "47412", "47413"];
export const WEB = ["47421", "47422", "47423"];

/** Seconds an element stays. */
export const TIMEOUT_S = 3;

/**
 * A config with an address door (`ssh`: `set4`, and `a6` for IPv6, timeout from Nft_Timeout) and a
 * per-port door (`web`: `p4`, port 443, timeout from Cmd_Timeout).
 */
export function nftConfig(set4 = "a4"): string {
  return `[ssh]
  sequence    = ${SSH.join(",")}
  seq_timeout = 10
  tcpflags    = syn
  Nft_Set     = inet kt ${set4}
  Nft_Set_6   = inet kt a6
  Nft_Timeout = ${TIMEOUT_S}
[web]
  sequence    = ${WEB.join(",")}
  seq_timeout = 10
  tcpflags    = syn
  Nft_Set     = inet kt p4
  Nft_Port    = 443
  cmd_timeout = ${TIMEOUT_S}
`;
}

/** One element of a set as the kernel lists it. */
export interface Element {
  /** The address, or `ADDRESS . PORT`. */
  readonly value: string;
  /** Its timeout, s. */
  readonly timeout: number | undefined;
  /** Seconds left, s (whole seconds: nft's JSON rounds down). */
  readonly expires: number | undefined;
}

/** The elements of set `inet kt <set>`, read back from the kernel with `nft -j list set`. */
export async function elements(t: Topology, set: string): Promise<Element[]> {
  const out = await t.server.exec(["nft", "-j", "list", "set", "inet", "kt", set], { timeoutMs: 5000 });
  const doc = JSON.parse(out.stdout) as { nftables: Record<string, { elem?: unknown[] }>[] };
  const found = doc.nftables.find((x) => x.set !== undefined)?.set?.elem ?? [];
  return found.map((e) => {
    const elem = (e as { elem?: { val: unknown; timeout?: number; expires?: number } }).elem;
    const val = elem?.val ?? e;
    const value = typeof val === "object" && val !== null && "concat" in val
      ? (val as { concat: unknown[] }).concat.join(" . ")
      : String(val);
    return { value, timeout: elem?.timeout, expires: elem?.expires };
  });
}

/** Polls until `value` is in the set (`present`) or not; the time it was seen so, or undefined. */
export async function until(
  t: Topology,
  set: string,
  value: string,
  present: boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  let seen: number | undefined;
  await poll(
    async () => {
      if ((await elements(t, set)).some((e) => e.value === value) !== present) return false;
      seen = Date.now();
      return true;
    },
    timeoutMs,
    20,
  );
  return seen;
}

/** Starts `knocktool serve -c conf -i <server if> -v --state-dir state` and waits for `starting up`. */
export async function startServe(
  t: Topology,
  conf: string,
  state: string,
  prefix: string[] = [],
): Promise<Spawned> {
  const daemon = t.server.spawn([
    ...(prefix.length > 0 ? prefix : KNOCKTOOL),
    "serve",
    "-c",
    conf,
    "-i",
    t.serverIf,
    "-v",
    "--state-dir",
    state,
  ]);
  try {
    await daemon.waitForLine(/^starting up, listening on /, 20_000);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

/** Knocks `ports` from client `i` with Debian's `knock` (`-4` or `-6`). */
export async function knock(
  t: Topology,
  i: number,
  ports: readonly string[],
  family: 4 | 6 = 4,
): Promise<void> {
  const server = family === 4 ? t.serverV4 : t.serverV6;
  await t.clients[i]!.ns.exec(["knock", `-${family}`, server, ...ports], { timeoutMs: 10_000 });
}
