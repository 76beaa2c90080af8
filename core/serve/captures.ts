/**
 * The daemon's captures: each one's interface (or file) name, link type and addresses, the filter installed
 * last and the kernel drops already reported; and from all their addresses, which destinations are this
 * host's (for doors without `Target`). Pure.
 *
 * @module
 */
import type { Door } from "../config/types.ts";
import { buildFilter, type DoorFilter, type FilterAddresses, type FilterForm } from "../filter/mod.ts";
import { captureDropMessage, captureTotalsMessage, type LogEntry } from "./messages.ts";

/** One capture: its interface (or file) name, link type and addresses. */
export interface CaptureInfo {
  readonly name: string;
  readonly linktype: number;
  readonly addresses: FilterAddresses;
}

interface CaptureState {
  readonly name: string;
  readonly linktype: number;
  addresses: FilterAddresses;
  /** The filter installed last (`undefined`: none yet, or the last one failed). */
  filter: string | undefined;
  /** Kernel drops already reported. */
  dropped: number;
  /** Packets the filter passed, as last read. */
  received: number;
}

/** A capture's counters as libpcap reports them. */
export interface CaptureCounters {
  readonly received: number;
  readonly dropped: number;
}

/** A filter to install, and each door's part in it (for `-D`). */
export interface FilterChange {
  readonly capture: number;
  readonly name: string;
  readonly expression: string;
  /** How the expression was built from the doors. */
  readonly form: FilterForm;
  readonly doors: readonly DoorFilter[];
}

function sameAddresses(a: FilterAddresses, b: FilterAddresses): boolean {
  return a.v4.join() === b.v4.join() && a.v6.join() === b.v6.join();
}

/** The captures of a daemon. */
export class CaptureSet {
  readonly #captures: CaptureState[];
  readonly #local = new Set<string>();
  #anyLocal = true;

  constructor(captures: readonly CaptureInfo[]) {
    this.#captures = captures.map((c) => ({ ...c, filter: undefined, dropped: 0, received: 0 }));
    this.#updateLocal();
  }

  /** The captures' names, in order. */
  get names(): string[] {
    return this.#captures.map((c) => c.name);
  }

  /** Capture `index`'s name and link type, if it exists. */
  get(index: number): { readonly name: string; readonly linktype: number } | undefined {
    return this.#captures[index];
  }

  /** Each capture's counters as last read. */
  get counters(): { readonly name: string; readonly received: number; readonly dropped: number }[] {
    return this.#captures.map((c) => ({ name: c.name, received: c.received, dropped: c.dropped }));
  }

  /** This host's addresses, as the captures' interfaces have them. */
  get localAddresses(): readonly string[] {
    return [...this.#local];
  }

  /** Whether `dst` is one of this host's addresses (every address is, when no capture has one). */
  isLocal(dst: string): boolean {
    return this.#anyLocal || this.#local.has(dst);
  }

  /**
   * Capture `index`'s addresses as read now.
   *
   * @returns Whether they changed.
   */
  setAddresses(index: number, addresses: FilterAddresses): boolean {
    const c = this.#captures[index];
    if (c === undefined || sameAddresses(c.addresses, addresses)) return false;
    c.addresses = addresses;
    this.#updateLocal();
    return true;
  }

  /** The filters that differ from the installed ones for `doors` (and are taken as installed). */
  filters(doors: readonly Door[], onlyIPv4: boolean): FilterChange[] {
    const changes: FilterChange[] = [];
    this.#captures.forEach((c, capture) => {
      const built = buildFilter(doors, c.addresses, { onlyIPv4, vlan: c.linktype === 1 });
      if (built.expression === c.filter) return;
      c.filter = built.expression;
      changes.push({
        capture,
        name: c.name,
        expression: built.expression,
        form: built.form,
        doors: built.doors,
      });
    });
    return changes;
  }

  /** Installing capture `index`'s filter failed: it is built again at the next change. */
  filterFailed(index: number): void {
    const c = this.#captures[index];
    if (c !== undefined) c.filter = undefined;
  }

  /**
   * Capture `index`'s addresses as read now.
   *
   * @returns The line to log when they changed (`addresses of eth0 changed: ...`), else `undefined`.
   */
  addressesChanged(index: number, addresses: FilterAddresses): LogEntry | undefined {
    const c = this.#captures[index];
    if (c === undefined || !this.setAddresses(index, addresses)) return undefined;
    const list = [...addresses.v4, ...addresses.v6].join(" ") || "none";
    return {
      level: "info",
      message: `addresses of ${c.name} changed: ${list}`,
      fields: { event: "addresses", iface: c.name },
    };
  }

  /**
   * Capture `index`'s counters as read now (about once a second).
   *
   * @returns The warning to log when the kernel dropped packets since the last report, else `undefined`.
   */
  counted(index: number, received: number, dropped: number): LogEntry | undefined {
    const c = this.#captures[index];
    const count = this.newDrops(index, dropped, received);
    if (c === undefined || count === undefined) return undefined;
    return captureDropMessage(c.name, count, dropped);
  }

  /** The line with capture `index`'s totals (at shutdown). */
  totals(index: number, received: number, dropped: number): LogEntry | undefined {
    const c = this.#captures[index];
    return c === undefined ? undefined : captureTotalsMessage(c.name, received, dropped);
  }

  /**
   * Capture `index`'s kernel drops so far.
   *
   * @returns The drops since the last report, or `undefined` when there are none new.
   */
  newDrops(index: number, dropped: number, received?: number): number | undefined {
    const c = this.#captures[index];
    if (c !== undefined && received !== undefined) c.received = received;
    if (c === undefined || dropped <= c.dropped) return undefined;
    const count = dropped - c.dropped;
    c.dropped = dropped;
    return count;
  }

  #updateLocal(): void {
    this.#local.clear();
    for (const c of this.#captures) {
      for (const a of c.addresses.v4) this.#local.add(a);
      for (const a of c.addresses.v6) this.#local.add(a);
    }
    this.#anyLocal = this.#local.size === 0;
  }
}
