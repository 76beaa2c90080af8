/**
 * `knocktool status`: which doors are open for whom and when each closes: asked of the running daemon
 * through its control socket (in the state directory, root's only), or read from its stop-command journal
 * when it is not running. `--json` prints the same as one JSON object.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import { command, constant, flag, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { decodeJournal, decodeStatus, formatStatus, type StatusReport } from "../../core/serve/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME } from "../version.ts";
import { DEFAULT_CONFIG } from "../serve/command.ts";
import { controlSocketPath, DEFAULT_STATE_DIR, journalPath } from "../serve/journal.ts";

/** The parser of `knocktool status ...`. */
export const statusCommand = command(
  "status",
  object({
    command: constant("status"),
    config: withDefault(
      option("-c", "--config", string({ metavar: "FILE" }), {
        description: message`The daemon's config file (default ${DEFAULT_CONFIG}).`,
      }),
      DEFAULT_CONFIG,
    ),
    stateDir: optional(
      option("--state-dir", string({ metavar: "DIR" }), {
        description: message`The daemon's --state-dir (default ${DEFAULT_STATE_DIR}).`,
      }),
    ),
    json: withDefault(flag("--json", { description: message`Print one JSON object.` }), false),
  }),
  {
    brief: message`Show which doors the daemon has open, for whom, and when each closes.`,
    description:
      message`Asks the running daemon through its control socket in the state directory (root's only), or reads its stop-command journal when it is not running.`,
    footer:
      message`Exit status: 0 the status was printed, 1 neither the daemon nor its journal could be read.`,
  },
);

/** The parsed arguments. */
export interface StatusArgs {
  readonly config: string;
  readonly stateDir?: string | undefined;
  readonly json: boolean;
}

/** What `status` needs of the outside world (tests pass their own). */
export interface StatusNet {
  /** Sends `request` on the Unix socket at `path` and returns the answer; throws when nothing listens. */
  ask(path: string, request: string): Promise<string>;
  /** The journal's text, `undefined` when there is no journal; throws when it cannot be read. */
  readJournal(path: string): string | undefined;
  /** The wall clock. */
  now(): number;
  /** A local time of day, `HH:MM:SS`. */
  clock(ms: number): string;
}

/** The real effects. */
export function realStatusNet(): StatusNet {
  return {
    async ask(path, request) {
      const conn = await Deno.connect({ transport: "unix", path });
      try {
        await conn.write(new TextEncoder().encode(request));
        const chunks: Uint8Array[] = [];
        const buf = new Uint8Array(65536);
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          chunks.push(buf.slice(0, n));
        }
        return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
      } finally {
        conn.close();
      }
    },
    readJournal(path) {
      try {
        return Deno.readTextFileSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    now: () => Date.now(),
    clock: (ms) => new Date(ms).toTimeString().slice(0, 8),
  };
}

/**
 * Runs `knocktool status`.
 *
 * @returns 0, or 1 when neither the daemon nor its journal could be read.
 */
export async function runStatus(args: StatusArgs, io: Io, net: StatusNet): Promise<number> {
  const dir = args.stateDir ?? DEFAULT_STATE_DIR;
  let report: StatusReport | undefined;
  try {
    const decoded = decodeStatus(await net.ask(controlSocketPath(dir, args.config), "status\n"));
    if (decoded.ok) {
      report = { source: "daemon", open: decoded.snapshot.open, attempts: decoded.snapshot.attempts };
    }
  } catch {
    // not running (or not reachable): the journal says what it left open
  }
  if (report === undefined) {
    const path = journalPath(dir, args.config);
    let text: string | undefined;
    try {
      text = net.readJournal(path);
    } catch (error) {
      io.stderr(`${PROGRAM_NAME} status: cannot read ${path}: ${errorMessage(error)} (run as root?)\n`);
      return 1;
    }
    const decoded = decodeJournal(text ?? "");
    if (text !== undefined && !decoded.ok) {
      io.stderr(`${PROGRAM_NAME} status: ${path} is corrupt: ${decoded.error}\n`);
      return 1;
    }
    const entries = decoded.ok ? decoded.entries : [];
    report = {
      source: "journal",
      open: entries.map((e) => ({ door: e.door, src: e.src, dueMs: e.dueMs })).sort((a, b) =>
        a.dueMs - b.dueMs
      ),
    };
  }
  io.stdout(args.json ? `${JSON.stringify(report)}\n` : formatStatus(report, net.now(), net.clock));
  return 0;
}
