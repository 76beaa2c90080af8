/**
 * Network namespaces: one namespace ({@linkcode Netns}), and a server with clients joined by veth pairs
 * ({@linkcode withTopology}), deleted whatever the body does.
 *
 * @module
 */
import { type ExecOptions, type ExecResult, poll, run } from "./exec.ts";
import { Spawned, type SpawnOptions } from "./spawned.ts";

/** A network namespace. */
export class Netns {
  /** The namespace name (as in `ip netns list`). */
  readonly name: string;

  /**
   * Wraps an existing namespace name (see {@linkcode withTopology} to create them).
   *
   * @param name The namespace name.
   */
  constructor(name: string) {
    this.name = name;
  }

  /** The command prefix that runs a program inside this namespace. */
  prefix(): string[] {
    return ["ip", "netns", "exec", this.name];
  }

  /**
   * Runs a command inside the namespace to completion.
   *
   * @param cmd The program and its arguments.
   * @param options Check (default true), timeout, stdin.
   * @returns Exit code and output.
   */
  exec(cmd: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return run([...this.prefix(), ...cmd], options);
  }

  /**
   * Starts a long-running command inside the namespace, capturing its output line by line. Stop it with
   * `stop()` or `await using`.
   *
   * @param cmd The program and its arguments.
   * @param options Environment and working directory.
   * @returns The process.
   */
  spawn(cmd: readonly string[], options: SpawnOptions = {}): Spawned {
    return new Spawned([...this.prefix(), ...cmd], options);
  }
}

/** One client namespace of a topology. */
export interface Client {
  /** Its namespace. */
  readonly ns: Netns;
  /** Its interface name. */
  readonly ifname: string;
  /** Its IPv4 address. */
  readonly v4: string;
  /** Its IPv6 address. */
  readonly v6: string;
}

/** Server and client namespaces created by {@linkcode withTopology}. */
export interface Topology {
  /** Random hex id shared by every name of this topology. */
  readonly id: string;
  /** The random X of the 10.201.X.0/24 and fd00:201:X::/64 networks. */
  readonly net: number;
  /** The server namespace. */
  readonly server: Netns;
  /** The server's interface (a veth with one client, a bridge with several). */
  readonly serverIf: string;
  /** The server's IPv4 address (10.201.X.1). */
  readonly serverV4: string;
  /** The server's IPv6 address (fd00:201:X::1). */
  readonly serverV6: string;
  /** The client namespaces; client i has 10.201.X.(i+2) and fd00:201:X::(i+2). */
  readonly clients: readonly Client[];
}

/** Options of {@linkcode withTopology}. */
export interface TopologyOptions {
  /** Number of client namespaces (default 1). With more than one, the server side is a bridge. */
  readonly clients?: number;
}

/**
 * Random hexadecimal digits, for names no other run uses.
 *
 * @param digits How many.
 * @returns The digits.
 */
export function randomHex(digits: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(digits / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, digits);
}

/**
 * Creates a server namespace and `clients` client namespaces (names `kt-e-<id>-s`, `kt-e-<id>-c<i>`),
 * joined by veth pairs (through a bridge in the server namespace when there are several clients), with
 * IPv4 10.201.X.0/24 and IPv6 fd00:201:X::/64 addresses (X random, DAD disabled so IPv6 works at once),
 * `lo` up everywhere; runs `body`; deletes every namespace in `finally` even when `body` throws.
 *
 * @param options Number of clients.
 * @param body The test.
 * @returns What `body` returns.
 */
export async function withTopology<T>(
  options: TopologyOptions,
  body: (topology: Topology) => Promise<T>,
): Promise<T> {
  const count = options.clients ?? 1;
  if (count < 1 || count > 200) throw new Error(`Unsupported client count "${count}"`);
  const id = randomHex(6);
  const net = 1 + Math.floor(Math.random() * 254);
  const server = new Netns(`kt-e-${id}-s`);
  const created: Netns[] = [];
  const bridged = count > 1;
  const serverIf = bridged ? `kt${id}br` : `kt${id}s0`;
  const clients: Client[] = [];
  try {
    await run(["ip", "netns", "add", server.name]);
    created.push(server);
    await server.exec(["ip", "link", "set", "lo", "up"]);
    if (bridged) {
      await server.exec([
        "ip",
        "link",
        "add",
        serverIf,
        // A fixed MAC: a bridge otherwise takes the lowest port MAC, which changes as ports are added.
        "address",
        `02:00:${id.slice(0, 2)}:${id.slice(2, 4)}:${id.slice(4, 6)}:01`,
        "type",
        "bridge",
        "stp_state",
        "0",
        "forward_delay",
        "0",
      ]);
    }
    for (let i = 0; i < count; i++) {
      const ns = new Netns(`kt-e-${id}-c${i}`);
      await run(["ip", "netns", "add", ns.name]);
      created.push(ns);
      const ifname = `kt${id}c${i}`;
      const serverEnd = `kt${id}s${i}`;
      await run([
        "ip",
        "link",
        "add",
        serverEnd,
        "netns",
        server.name,
        "type",
        "veth",
        "peer",
        "name",
        ifname,
        "netns",
        ns.name,
      ]);
      if (bridged) await server.exec(["ip", "link", "set", serverEnd, "master", serverIf]);
      await server.exec(["ip", "link", "set", serverEnd, "up"]);
      const v4 = `10.201.${net}.${i + 2}`;
      const v6 = `fd00:201:${net.toString(16)}::${(i + 2).toString(16)}`;
      await ns.exec(["ip", "addr", "add", `${v4}/24`, "dev", ifname]);
      await ns.exec(["ip", "-6", "addr", "add", `${v6}/64`, "dev", ifname, "nodad"]);
      await ns.exec(["ip", "link", "set", ifname, "up"]);
      await ns.exec(["ip", "link", "set", "lo", "up"]);
      clients.push({ ns, ifname, v4, v6 });
    }
    const serverV4 = `10.201.${net}.1`;
    const serverV6 = `fd00:201:${net.toString(16)}::1`;
    await server.exec(["ip", "addr", "add", `${serverV4}/24`, "dev", serverIf]);
    await server.exec(["ip", "-6", "addr", "add", `${serverV6}/64`, "dev", serverIf, "nodad"]);
    await server.exec(["ip", "link", "set", serverIf, "up"]);
    if (bridged) {
      const ready = await poll(async () => {
        const out = await server.exec(["ip", "-d", "link", "show", "master", serverIf]);
        return (out.stdout.match(/state forwarding/g) ?? []).length === count;
      }, 10_000);
      if (!ready) throw new Error(`Bridge "${serverIf}" ports are not forwarding after 10 s`);
    }
    return await body({ id, net, server, serverIf, serverV4, serverV6, clients });
  } finally {
    for (const ns of created.reverse()) {
      // Kill anything still running inside (e.g. a stop command sleeping), then delete.
      const pids = await run(["ip", "netns", "pids", ns.name], { check: false, timeoutMs: 5000 });
      for (const pid of pids.stdout.split(/\s+/).filter((p) => p !== "")) {
        try {
          Deno.kill(Number(pid), "SIGKILL");
        } catch {
          // gone
        }
      }
      await run(["ip", "netns", "del", ns.name], { check: false, timeoutMs: 10_000 });
    }
  }
}
