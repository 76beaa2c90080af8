/**
 * Judging `Target` text: whether it can ever equal the destination string knockd builds from a packet
 * with glibc `inet_ntoa`/`inet_ntop`. Parsing and printing come from `core/address.ts`.
 *
 * @module
 */
import { formatIPv4, formatIPv6, tryParseIPv4, tryParseIPv6 } from "../address.ts";

/** Leading zeros are tolerated so that `010.0.0.1` is reported with its canonical form, not as junk. */
const LENIENT = { leadingZeros: true } as const;

/** What a `Target` value is, for the canonical-target rule. */
export type TargetVerdict =
  | { readonly kind: "canonical" }
  /** An IP address, but not written the way knockd prints addresses. */
  | { readonly kind: "non-canonical"; readonly canonical: string; readonly detail: string }
  /** Looks like a host name (knockd never resolves it). */
  | { readonly kind: "hostname" }
  /** Neither an address nor a host name. */
  | { readonly kind: "invalid" };

function canonicalOf(text: string): { canonical: string; detail: string } | undefined {
  const v4 = tryParseIPv4(text, LENIENT);
  if (v4 !== undefined) return { canonical: formatIPv4(v4), detail: "leading zeros" };
  const pct = text.indexOf("%");
  const bare = pct === -1 ? text : text.slice(0, pct);
  const v6 = tryParseIPv6(bare, LENIENT);
  if (v6 === undefined) return undefined;
  const canonical = formatIPv6(v6);
  let detail = "not in compressed lowercase form";
  if (pct !== -1) detail = "a scope suffix (knockd strips it from addresses)";
  else if (canonical === bare.toLowerCase()) detail = "uppercase hex digits";
  return { canonical, detail };
}

/**
 * Classifies a `Target` value.
 *
 * @param value The trimmed `Target` value.
 * @returns Whether knockd's string comparison can ever match it, and the canonical form when it is an IP.
 */
export function judgeTarget(value: string): TargetVerdict {
  const whole = canonicalOf(value);
  if (whole !== undefined) {
    return whole.canonical === value
      ? { kind: "canonical" }
      : { kind: "non-canonical", canonical: whole.canonical, detail: whole.detail };
  }
  const firstToken = value.split(/\s/, 1)[0] ?? "";
  if (firstToken !== value && firstToken !== "") {
    const head = canonicalOf(firstToken);
    if (head !== undefined) {
      return {
        kind: "non-canonical",
        canonical: head.canonical,
        detail: `trailing text "${value.slice(firstToken.length).trim()}"`,
      };
    }
  }
  if (/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(value)) {
    return /[A-Za-z]/.test(value) ? { kind: "hostname" } : { kind: "invalid" };
  }
  return { kind: "invalid" };
}
