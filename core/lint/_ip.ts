/**
 * Parsing IP address text and printing it the way glibc `inet_ntoa`/`inet_ntop` do, so rules can tell
 * whether a `Target` string can ever equal the destination string knockd builds from a packet.
 *
 * @module
 */

/**
 * Parses a dotted-quad IPv4 address, tolerating leading zeros (which are never canonical).
 *
 * @param text Candidate text.
 * @returns The four bytes, or `undefined` when `text` is not four decimal numbers 0-255.
 */
export function parseIPv4(text: string): [number, number, number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/**
 * Parses an IPv6 address (hex groups, one optional `::`, an optional trailing dotted quad).
 * A `%scope` suffix must be removed by the caller.
 *
 * @param text Candidate text.
 * @returns The eight 16-bit groups, or `undefined` when `text` is not an IPv6 address.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === "") return [];
    const items = part.split(":");
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (allowV4Tail && i === items.length - 1 && item.includes(".")) {
        const v4 = parseIPv4(item);
        if (v4 === undefined) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const all = parseGroups(text, true);
  return all !== undefined && all.length === 8 ? all : undefined;
}

/**
 * Prints eight IPv6 groups as glibc `inet_ntop` does: lowercase hex without leading zeros, the first longest
 * run of two or more zero groups as `::`, and a dotted quad for the last 32 bits of IPv4-mapped
 * (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses.
 *
 * @param groups Eight 16-bit groups.
 * @returns The canonical text.
 */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === 0) {
      if (curStart === -1) curStart = i;
    } else if (curStart !== -1) {
      const len = i - curStart;
      if (len > bestLen) {
        bestStart = curStart;
        bestLen = len;
      }
      curStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestStart !== -1 && i >= bestStart && i < bestStart + bestLen) {
      if (i === bestStart) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    const embedsV4 = i === 6 && bestStart === 0 &&
      (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff));
    if (embedsV4) {
      const a = groups[6]!;
      const b = groups[7]!;
      out += `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
      break;
    }
    out += groups[i]!.toString(16);
  }
  if (bestStart !== -1 && bestStart + bestLen === 8) out += ":";
  return out;
}

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
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { canonical: v4.join("."), detail: "leading zeros" };
  const pct = text.indexOf("%");
  const bare = pct === -1 ? text : text.slice(0, pct);
  const v6 = parseIPv6(bare);
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
