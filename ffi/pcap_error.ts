/**
 * Typed errors for libpcap failures.
 *
 * @module
 */

/** What went wrong, for callers that react differently (exit codes, hints). */
export type PcapErrorKind =
  | "not-installed"
  | "no-such-device"
  | "permission-denied"
  | "interface-not-up"
  | "activate-failed"
  | "open-failed"
  | "filter"
  | "nonblock"
  | "no-selectable-fd"
  | "dispatch"
  | "stats"
  | "closed";

/**
 * A libpcap failure that is expected in normal use (missing library, bad interface, bad filter, ...).
 * Its message is meant for users; `detail` carries libpcap's own text when there is one.
 */
export class PcapError extends Error {
  /** The failure class. */
  readonly kind: PcapErrorKind;
  /** libpcap's error text (`pcap_geterr`, the error buffer), if any. */
  readonly detail: string | undefined;

  /**
   * Creates a PcapError.
   *
   * @param kind The failure class.
   * @param message A user-facing message.
   * @param detail libpcap's own text.
   */
  constructor(kind: PcapErrorKind, message: string, detail?: string) {
    super(message);
    this.kind = kind;
    this.detail = detail;
  }

  /** Always `PcapError`. */
  override get name(): string {
    return "PcapError";
  }
}
