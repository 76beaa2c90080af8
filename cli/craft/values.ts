/**
 * Strict parsing of command-line values for `craft` and `knock`. Every error names the option it
 * is about (`--ttl: must be 0..255, got 300`) and becomes exit status 2.
 *
 * @module
 */

/** A bad option value; the message names the option. Reported as a usage error (exit 2). */
export class UsageError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses an unsigned integer: decimal, `0x` hex, `0o` octal or `0b` binary, in `min..max`.
 *
 * @throws {UsageError} `--ttl: must be 0..255, got 300`.
 */
export function parseIntField(name: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  let value = Number.NaN;
  if (/^[0-9]+$/.test(trimmed)) value = Number.parseInt(trimmed, 10);
  else if (/^0[xX][0-9a-fA-F]+$/.test(trimmed)) value = Number.parseInt(trimmed.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(trimmed)) value = Number.parseInt(trimmed.slice(2), 8);
  else if (/^0[bB][01]+$/.test(trimmed)) value = Number.parseInt(trimmed.slice(2), 2);
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`${name}: must be an integer ${min}..${max}, got "${text}"`);
  }
  if (value < min || value > max) throw new UsageError(`${name}: must be ${min}..${max}, got ${text.trim()}`);
  return value;
}

/** Parses an unsigned integer of `bits` bits (see {@linkcode parseIntField}). */
export function parseUintField(name: string, text: string, bits: number): number {
  return parseIntField(name, text, 0, 2 ** bits - 1);
}

/**
 * Parses a non-negative decimal number (fractions allowed), e.g. a rate or a duration.
 *
 * @throws {UsageError} naming the option.
 */
export function parseNumberField(name: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = /^[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`${name}: must be a number ${min}..${max}, got "${text}"`);
  }
  if (value < min || value > max) throw new UsageError(`${name}: must be ${min}..${max}, got ${trimmed}`);
  return value;
}

/** One `PORT[:PROTO]` item. */
export interface PortItem {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
}

/**
 * Parses `PORT[:PROTO]` strictly: a port 1..65535 and `tcp` or `udp` in any case (knock wraps
 * 70000 to 4464 and treats every unknown suffix as TCP; this refuses both). With `service`, a
 * service name such as `ssh` is looked up for the item's protocol, as knock does.
 *
 * @throws {UsageError} naming `name` and the item.
 */
export function parsePortItem(
  name: string,
  text: string,
  service?: (name: string, protocol: "tcp" | "udp") => number | undefined,
): PortItem {
  const colon = text.indexOf(":");
  const portText = colon === -1 ? text : text.slice(0, colon);
  const protoText = colon === -1 ? "tcp" : text.slice(colon + 1).toLowerCase();
  const validProtocol = protoText === "tcp" || protoText === "udp";
  if (service !== undefined && validProtocol && /^[A-Za-z][A-Za-z0-9_.+-]*$/.test(portText.trim())) {
    const port = service(portText.trim(), protoText);
    if (port === undefined || port < 1) {
      throw new UsageError(`${name}: unknown service "${portText.trim()}" for ${protoText} in "${text}"`);
    }
    return { port, protocol: protoText };
  }
  if (!/^[0-9]+$/.test(portText.trim())) {
    throw new UsageError(
      `${name}: invalid port "${portText}" in "${text}" (expected a number 1..65535 or a service name)`,
    );
  }
  const port = Number.parseInt(portText.trim(), 10);
  if (port < 1 || port > 65535) {
    throw new UsageError(`${name}: port must be 1..65535, got ${portText.trim()} in "${text}"`);
  }
  if (protoText !== "tcp" && protoText !== "udp") {
    throw new UsageError(
      `${name}: unknown protocol "${text.slice(colon + 1)}" in "${text}" (expected tcp or udp)`,
    );
  }
  return { port, protocol: protoText };
}

/**
 * Parses hping3's `-i` interval: seconds (`1`, `0.5`) or microseconds after a `u` (`u1000`), into
 * milliseconds.
 *
 * @throws {UsageError} naming the option.
 */
export function parseInterval(name: string, text: string): number {
  const trimmed = text.trim();
  const micro = /^u[0-9]+$/i.test(trimmed);
  const value = micro
    ? Number(trimmed.slice(1)) / 1000
    : /^[0-9]+(\.[0-9]+)?$/.test(trimmed)
    ? Number(trimmed) * 1000
    : NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(
      `${name}: must be seconds (1, 0.5) or microseconds after a u (u1000), got "${text}"`,
    );
  }
  if (value <= 0 || value > 3_600_000) {
    throw new UsageError(`${name}: must be more than 0 and at most 3600 s, got ${trimmed}`);
  }
  return value;
}
