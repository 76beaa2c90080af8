/**
 * serve's captures, the edge between libpcap (`ffi/`) and the daemon: a live capture on an interface (a
 * libpcap handle in immediate mode, and, when the latency tuning asks for it, a wake socket that wakes the
 * main thread directly, see ./tuning.ts) and a capture file for `--read`. Each turns libpcap's failures into
 * one-line messages.
 *
 * @module
 */
import { isSupportedLinkType, LinkType } from "../../core/decode/mod.ts";
import { errorMessage } from "../../core/error_message.ts";
import { captureLoop, PacketWake, PcapError, PcapHandle } from "../../ffi/mod.ts";

/** Why a capture could not be opened: the whole message, e.g. `no such interface: eth9`. */
export class CaptureOpenError extends Error {
  /**
   * Creates a CaptureOpenError.
   *
   * @param message The message (without the program name).
   */
  constructor(message: string) {
    super(message);
    this.name = "CaptureOpenError";
  }
}

/** A frame as the daemon takes it: capture time (ms) and the bytes (valid during the call only). */
export type OnFrame = (timeMs: number, bytes: Uint8Array) => void;

/** Capture counters. */
export interface CaptureCounters {
  readonly received: number;
  readonly dropped: number;
}

/** Options of {@linkcode LiveCapture.open}. */
export interface LiveCaptureOptions {
  /** The capture buffer, bytes. */
  readonly bufferBytes: number;
  /** Open a wake socket (Ethernet links only). */
  readonly wake: boolean;
  /** Where wake-socket debug lines go. */
  readonly debug: (message: string) => void;
}

/**
 * libpcap options for live capture: small slots so the immediate-mode ring holds many packets (the ring's
 * size is `--buffer-size`).
 */
const LIVE_OPTIONS = { snaplen: 512, promisc: false, immediate: true } as const;

/** A live capture on one interface. */
export class LiveCapture {
  readonly name: string;
  readonly linktype: number;
  readonly #handle: PcapHandle;
  #wake: PacketWake | undefined;
  readonly #debug: (message: string) => void;

  private constructor(
    name: string,
    handle: PcapHandle,
    wake: PacketWake | undefined,
    debug: (m: string) => void,
  ) {
    this.name = name;
    this.#handle = handle;
    this.linktype = handle.datalink();
    this.#wake = wake;
    this.#debug = debug;
  }

  /**
   * Opens a capture on `name`.
   *
   * @throws {CaptureOpenError} With the message to print.
   */
  static open(name: string, options: LiveCaptureOptions): LiveCapture {
    // Bound before libpcap's socket, so that it sees each packet after libpcap's ring has it.
    let wake = options.wake ? openWake(name, options.debug) : undefined;
    let handle: PcapHandle;
    try {
      handle = PcapHandle.openLive(name, { ...LIVE_OPTIONS, bufferSize: options.bufferBytes });
    } catch (error) {
      wake?.close();
      throw new CaptureOpenError(openFailure(name, error));
    }
    const linktype = handle.datalink();
    if (!isSupportedLinkType(linktype)) {
      wake?.close();
      handle.close();
      throw new CaptureOpenError(`unsupported link-layer type: ${linktype} on ${name}`);
    }
    if (wake !== undefined && linktype !== LinkType.ETHERNET) {
      // libpcap's filter for other links is rewritten for its cooked socket: not the one to copy.
      wake.close();
      wake = undefined;
      options.debug(`no wake socket on ${name}: link type ${linktype}; capture wakes through poll`);
    }
    return new LiveCapture(name, handle, wake, options.debug);
  }

  /**
   * Installs a filter (on the wake socket too; a failure there closes it and capture wakes through poll).
   *
   * @throws {Error} libpcap's compile or install error.
   */
  setFilter(expression: string): void {
    this.#handle.setFilter(expression);
    const wake = this.#wake;
    if (wake === undefined || wake.closed) return;
    try {
      wake.setFilter(this.#handle.compileProgram(expression));
    } catch (error) {
      wake.close();
      this.#wake = undefined;
      this.#debug(`wake socket on ${this.name} closed: ${errorMessage(error)}; capture wakes through poll`);
    }
  }

  /** Captures until `signal` aborts; rejects with a capture error. */
  loop(onFrame: OnFrame, signal: AbortSignal): Promise<void> {
    return captureLoop(this.#handle, (tsMs, _caplen, _len, bytes) => onFrame(tsMs, bytes), signal, {
      wake: this.#wake,
    });
  }

  /** The kernel's counters, or `undefined` when libpcap cannot read them (never fatal). */
  counters(): CaptureCounters | undefined {
    try {
      return this.#handle.closed ? undefined : this.#handle.stats();
    } catch {
      return undefined;
    }
  }

  /** Closes the handle and its wake socket. */
  close(): void {
    this.#wake?.close();
    this.#handle.close();
  }
}

/** A wake socket on `name`, or none (reported with `-D`): capture then wakes through `poll` alone. */
function openWake(name: string, debug: (message: string) => void): PacketWake | undefined {
  try {
    const wake = PacketWake.open(name);
    debug(`wake socket on ${name}`);
    return wake;
  } catch (error) {
    debug(`no wake socket on ${name}: ${errorMessage(error)}; capture wakes through poll`);
    return undefined;
  }
}

function openFailure(name: string, error: unknown): string {
  if (error instanceof PcapError) {
    switch (error.kind) {
      case "no-such-device":
        return `no such interface: ${name}`;
      case "permission-denied":
        return `cannot capture on ${name}: run as root or grant cap_net_raw`;
    }
  }
  if (error instanceof Deno.errors.NotCapable) return `${errorMessage(error)} (run with --allow-ffi or -A)`;
  return `could not open ${name}: ${errorMessage(error)}`;
}

/** A capture file replayed by `--read`. */
export class FileCapture {
  readonly name: string;
  readonly linktype: number;
  readonly #handle: PcapHandle;

  private constructor(path: string, handle: PcapHandle) {
    this.name = path;
    this.#handle = handle;
    this.linktype = handle.datalink();
  }

  /**
   * Opens a capture file.
   *
   * @throws {CaptureOpenError} With the message to print.
   */
  static open(path: string): FileCapture {
    let handle: PcapHandle;
    try {
      handle = PcapHandle.openOffline(path);
    } catch (error) {
      throw new CaptureOpenError(errorMessage(error));
    }
    const linktype = handle.datalink();
    if (!isSupportedLinkType(linktype)) {
      handle.close();
      throw new CaptureOpenError(`unsupported link-layer type: ${linktype}`);
    }
    return new FileCapture(path, handle);
  }

  /** Installs a filter. @throws {Error} libpcap's compile error. */
  setFilter(expression: string): void {
    this.#handle.setFilter(expression);
  }

  /**
   * Reads up to `max` frames.
   *
   * @returns How many were read (0 at the end of the file).
   * @throws {PcapError} A read error.
   */
  read(max: number, onFrame: OnFrame): number {
    return this.#handle.next(max, (tsMs, _caplen, _len, bytes) => onFrame(tsMs, bytes));
  }

  /** Closes the file. */
  close(): void {
    this.#handle.close();
  }
}
