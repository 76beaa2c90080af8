/**
 * serve's two optional endpoints, as the platform opens them: the metrics page over HTTP (`--metrics`,
 * loopback unless told otherwise) and the control socket (`knocktool status`, a Unix socket in the state
 * directory, which is 0700). Each answers from a callback; neither ever blocks detection (they run on the
 * event loop between capture batches).
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";

/** An open endpoint. */
export interface Endpoint {
  /** Where it listens (`127.0.0.1:9102`, or the socket's path). */
  readonly address: string;
  /** Stops listening (and removes a socket file). */
  close(): Promise<void>;
}

/** An HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/**
 * Serves GET requests at `hostname:port`.
 *
 * @throws {Error} When it cannot listen (address in use, not permitted).
 */
export function serveHttp(hostname: string, port: number, answer: (path: string) => HttpAnswer): Endpoint {
  const server = Deno.serve({ hostname, port, onListen: () => {} }, (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const a = answer(new URL(request.url).pathname);
    return new Response(request.method === "HEAD" ? null : a.body, {
      status: a.status,
      headers: { "content-type": a.type },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  const shown = addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
  return { address: shown, close: () => server.shutdown() };
}

/**
 * Listens on a Unix socket at `path` (a stale socket file there is replaced): each connection's first line is
 * answered by `answer`, then closed.
 *
 * @throws {Error} When it cannot listen.
 */
export function listenControl(path: string, answer: (request: string) => string): Endpoint {
  try {
    const info = Deno.lstatSync(path);
    if (info.isSocket) Deno.removeSync(path);
  } catch {
    // none there
  }
  const listener = Deno.listen({ transport: "unix", path });
  try {
    Deno.chmodSync(path, 0o600);
  } catch (error) {
    listener.close();
    throw new Error(`cannot restrict ${path}: ${errorMessage(error)}`);
  }
  let closed = false;
  const served = (async () => {
    for await (const conn of listener) serve(conn, answer).catch(() => {});
  })().catch(() => {});
  return {
    address: path,
    async close() {
      if (closed) return;
      closed = true;
      listener.close();
      await served;
      try {
        Deno.removeSync(path);
      } catch {
        // already gone
      }
    },
  };
}

/** Most bytes of a request read (one short line is all there is). */
const MAX_REQUEST = 256;

async function serve(conn: Deno.Conn, answer: (request: string) => string): Promise<void> {
  try {
    const buf = new Uint8Array(MAX_REQUEST);
    let used = 0;
    while (used < buf.length && !buf.subarray(0, used).includes(10)) {
      const n = await conn.read(buf.subarray(used));
      if (n === null) break;
      used += n;
    }
    const reply = new TextEncoder().encode(answer(new TextDecoder().decode(buf.subarray(0, used))));
    for (let off = 0; off < reply.length;) off += await conn.write(reply.subarray(off));
  } finally {
    conn.close();
  }
}
