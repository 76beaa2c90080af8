/**
 * `knocktool status`: the doors open now (the stop commands not yet run), from the running daemon or from
 * its journal, as text or JSON. Pure: the time and the local-time formatting come in.
 *
 * @module
 */

/** One open door: who it is open for and when it closes. */
export interface OpenDoor {
  readonly door: string;
  /** The source it was opened for (`%IP%`). */
  readonly src: string;
  /** When its stop command is due (ms since the epoch); `undefined` while its start command runs. */
  readonly dueMs: number | undefined;
}

/** What the daemon says about itself. */
export interface StatusSnapshot {
  readonly open: readonly OpenDoor[];
  /** Knock attempts in progress. */
  readonly attempts: number;
}

/** A status as `knocktool status --json` prints it. */
export interface StatusReport {
  /** `daemon`: asked the running daemon; `journal`: it is not running, read from its journal. */
  readonly source: "daemon" | "journal";
  readonly open: readonly OpenDoor[];
  readonly attempts?: number;
}

/**
 * The human form: one line per open door, `door  source  closes at HH:MM:SS (in N s)`.
 *
 * @param report The status.
 * @param now The time (ms since the epoch).
 * @param clock Formats a time of day (local time).
 * @returns The text, ending with a newline.
 */
export function formatStatus(report: StatusReport, now: number, clock: (ms: number) => string): string {
  const head = report.source === "daemon"
    ? `knocktool serve is running${
      report.attempts === undefined ? "" : `, ${report.attempts} knock attempts in progress`
    }`
    : "knocktool serve is not running; from its journal";
  if (report.open.length === 0) return `${head}\nno door is open\n`;
  const rows = report.open.map((o) => [
    o.door,
    o.src,
    o.dueMs === undefined
      ? "closes after its start command"
      : o.dueMs <= now
      ? "closing now (overdue)"
      : `closes at ${clock(o.dueMs)} (in ${Math.ceil((o.dueMs - now) / 1000)} s)`,
  ]);
  const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length), i === 0 ? 4 : 6));
  const lines = [
    `${"door".padEnd(width[0]!)}  ${"source".padEnd(width[1]!)}  closes`,
    ...rows.map((r) => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]}`),
  ];
  return `${head}\n${lines.join("\n")}\n`;
}
