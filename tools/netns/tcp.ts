/**
 * A TCP listener and a TCP probe inside namespaces, through the small `tcp_tool.ts` program (no netcat
 * needed).
 *
 * @module
 */
import type { Spawned } from "./spawned.ts";
import type { Netns } from "./topology.ts";

const TCP_TOOL = new URL("./tcp_tool.ts", import.meta.url).pathname;

/** The outcome of {@linkcode tcpProbe}. */
export type ProbeResult = "open" | "refused" | "timeout" | `error ${string}`;

/**
 * Starts a TCP listener inside `ns` on `ports` that answers `hello` to every connection, and waits until it
 * listens. Stop it with `stop()` or `await using`.
 *
 * @param ns The namespace.
 * @param ports The ports.
 * @param host The bind address (default `::`, both families).
 * @returns The listener process.
 */
export async function tcpListener(ns: Netns, ports: readonly number[], host = "::"): Promise<Spawned> {
  const p = ns.spawn([
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    TCP_TOOL,
    "listen",
    host,
    ...ports.map(String),
  ]);
  try {
    await p.waitForLine(/^listening$/, 15_000);
  } catch (error) {
    await p.stop();
    throw error;
  }
  return p;
}

/**
 * Connects from `ns` to `host`:`port` (optionally from `localAddress`) and says whether the connection was
 * answered by a {@linkcode tcpListener}, refused, or timed out (a firewall drop).
 *
 * @param ns The client namespace.
 * @param host The server address.
 * @param port The port.
 * @param options Connect timeout (default 1000 ms) and source address.
 * @returns The outcome.
 */
export async function tcpProbe(
  ns: Netns,
  host: string,
  port: number,
  options: { timeoutMs?: number; localAddress?: string } = {},
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const args = [
    Deno.execPath(),
    "run",
    "-A",
    "--no-prompt",
    TCP_TOOL,
    "probe",
    host,
    String(port),
    String(timeoutMs),
  ];
  if (options.localAddress !== undefined) args.push(options.localAddress);
  const out = await ns.exec(args, { timeoutMs: timeoutMs + 15_000 });
  return out.stdout.trim() as ProbeResult;
}
