/**
 * A tiny TCP tool run inside a namespace by the e2e tests and benchmarks (no netcat needed).
 *
 * - `listen HOST PORT...`: listens on every PORT (HOST may be `::` for both families), prints
 *   `listening` once ready, answers every connection with `hello\n` and closes it.
 * - `probe HOST PORT TIMEOUT_MS [LOCAL_ADDRESS]`: connects (from LOCAL_ADDRESS if given) and prints one word:
 *   `open` (connected and read the greeting), `refused`, `timeout`, or `error <message>`. Exit 0 in all these cases.
 *
 * @module
 */
import net from "node:net";

function out(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
}

const [mode, host, ...rest] = Deno.args;
if (mode === "listen" && host !== undefined) {
  for (const port of rest) {
    const server = net.createServer((socket) => {
      socket.end("hello\n");
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) =>
      server.listen({ host, port: Number(port), ipv6Only: false }, resolve)
    );
  }
  out("listening");
} else if (mode === "probe" && host !== undefined && rest[0] !== undefined && rest[1] !== undefined) {
  const port = Number(rest[0]);
  const timeoutMs = Number(rest[1]);
  const local = rest[2];
  const result = await new Promise<string>((resolve) => {
    const socket = net.connect({ host, port, ...(local === undefined ? {} : { localAddress: local }) });
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timeout");
    }, timeoutMs);
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("hello")) {
        clearTimeout(timer);
        socket.destroy();
        resolve("open");
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === "ECONNREFUSED" ? "refused" : `error ${error.code ?? error.message}`);
    });
  });
  out(result);
  Deno.exit(0);
} else {
  out("usage: tcp_tool.ts listen HOST PORT... | probe HOST PORT TIMEOUT_MS [LOCAL_ADDRESS]");
  Deno.exit(2);
}
