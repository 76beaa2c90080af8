/**
 * The daemon's datagram doors (./datagram.ts) by UDP port: which datagrams go to which door, what the
 * capture filter must pass for them, and the aggregated reports of refused datagrams. Pure.
 *
 * @module
 */
import { parseConfig } from "../config/parse.ts";
import type { Door } from "../config/types.ts";
import type { Knock } from "../knock.ts";
import type { DatagramDoor, DatagramOpen } from "./datagram.ts";
import type { LogEntry } from "./messages.ts";
import { RejectReport } from "./rejects.ts";

/** What the daemon gives {@linkcode DatagramDoors.handle} to act with. */
export interface DatagramActions {
  /** Whether `dst` is one of this host's addresses. */
  isLocal(dst: string): boolean;
  /** Logs an entry. */
  log(entry: LogEntry, timeMs: number): void;
  /** Opens a door (writes its state, logs, runs its commands). */
  open(opening: DatagramOpen, now: number): void;
}

/** A door of the filter that passes UDP to `port` (for `target`, or the host's addresses). */
function filterDoor(name: string, port: number, target: string | undefined): Door | undefined {
  const text = `[${name.replace(/[\]\n]/g, "_")}]\nsequence = ${port}:udp\n${
    target === undefined ? "" : `target = ${target}\n`
  }`;
  return parseConfig(text).config.doors[0];
}

/** The datagram doors of a config. */
export class DatagramDoors {
  #byPort = new Map<number, DatagramDoor[]>();
  #filterDoors: Door[] = [];
  readonly #rejects = new RejectReport();
  /** Verdicts by door and result (`open`, `ignored`, or a refusal's reason), for the metrics. */
  readonly counts = new Map<string, Map<string, number>>();

  #count(door: string, result: string): void {
    let byResult = this.counts.get(door);
    if (byResult === undefined) this.counts.set(door, byResult = new Map());
    byResult.set(result, (byResult.get(result) ?? 0) + 1);
  }

  /** Takes a config's datagram doors (their replay state is their own). */
  set(doors: readonly DatagramDoor[]): void {
    this.#byPort = new Map();
    this.#filterDoors = [];
    for (const door of doors) {
      for (const port of door.ports) {
        const list = this.#byPort.get(port);
        if (list === undefined) this.#byPort.set(port, [door]);
        else list.push(door);
        const f = filterDoor(door.name, port, door.target);
        if (f !== undefined) this.#filterDoors.push(f);
      }
    }
  }

  /** One door per port and door, for the capture filter (a one-step UDP sequence never given to the engine). */
  get filterDoors(): readonly Door[] {
    return this.#filterDoors;
  }

  /** Whether a packet is for a datagram door (UDP to one of their ports). */
  wants(knock: Knock): boolean {
    return knock.protocol === "udp" && this.#byPort.has(knock.dport);
  }

  /**
   * Hands a datagram to the doors on its port, in config order, until one does not ignore it.
   *
   * @param knock The packet.
   * @param payload Its UDP payload (valid during the call).
   * @param now The time.
   * @param actions What to act with.
   */
  handle(knock: Knock, payload: Uint8Array, now: number, actions: DatagramActions): void {
    const doors = this.#byPort.get(knock.dport);
    if (doors === undefined) return;
    const datagram = {
      family: knock.family,
      src: knock.src,
      dst: knock.dst,
      sport: knock.sport,
      dport: knock.dport,
      payload,
      timeMs: knock.timeMs,
    };
    for (const door of doors) {
      if (door.target === undefined ? !actions.isLocal(knock.dst) : door.target !== knock.dst) continue;
      const verdict = door.datagram(datagram, now);
      this.#count(
        door.name,
        verdict.kind === "reject" ? verdict.reason : verdict.kind === "ignore" ? "ignored" : "open",
      );
      if (verdict.kind === "ignore") continue;
      if (verdict.kind === "reject") {
        const line = this.#rejects.add(door.name, verdict.reason, verdict, now);
        if (line !== undefined) actions.log(line, now);
      } else {
        actions.open(verdict, now);
      }
      return;
    }
  }

  /** When held refusals are due to be reported. */
  get nextDeadline(): number {
    return this.#rejects.nextDeadline;
  }

  /** Reports held refusals whose interval has passed (all of them, `force`d). */
  report(now: number, force: boolean, log: (entry: LogEntry, timeMs: number) => void): void {
    for (const entry of this.#rejects.take(now, force)) log(entry, now);
  }
}
