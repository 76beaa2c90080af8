/**
 * `craft --replies`: which probe each captured datagram answers, the hping3-like line printed for
 * it, and the statistics at the end. The capture itself is {@linkcode ReplyCapture} (libpcap on
 * the route's interface, through `net.ts`).
 *
 * ```text
 * len=44 ip=10.0.0.1 ttl=64 DF id=0 sport=22 flags=SA seq=0 win=64240 rtt=0.3 ms
 * ICMP Port Unreachable from ip=10.0.0.1 ttl=64 len=56 sport=40000 dport=23 seq=1 rtt=0.2 ms
 *
 * --- 10.0.0.1 craft statistic ---
 * 2 packets transmitted, 2 packets received, 0% packet loss
 * round-trip min/avg/max = 0.2/0.3/0.3 ms
 * ```
 *
 * @module
 */
import { TCP_FLAG_BITS } from "../../core/config/flags.ts";
import { answerKey, icmpErrorName, type PacketView, probeKey, readPacket } from "../../core/packet/mod.ts";

/** hping3's order for the flags of a reply (`flags=SA`, `flags=RA`). */
const REPLY_LETTERS: readonly [number, string][] = [
  [TCP_FLAG_BITS.rst, "R"],
  [TCP_FLAG_BITS.syn, "S"],
  [TCP_FLAG_BITS.ack, "A"],
  [TCP_FLAG_BITS.fin, "F"],
  [TCP_FLAG_BITS.psh, "P"],
  [TCP_FLAG_BITS.urg, "U"],
  [TCP_FLAG_BITS.ece, "X"],
  [TCP_FLAG_BITS.cwr, "Y"],
  [TCP_FLAG_BITS.ns, "N"],
];

/** hping3's letters for TCP flag bits, e.g. `SA` (empty for none). */
export function replyFlagLetters(bits: number): string {
  return REPLY_LETTERS.filter(([bit]) => (bits & bit) !== 0).map(([, letter]) => letter).join("");
}

/** Probes still waiting for an answer are forgotten past this many (a long flood). */
const MAX_TRACKED = 65_536;

interface Probe {
  readonly index: number;
  readonly key: string;
  readonly sentMs: number;
  readonly length: number;
  readonly flags: number;
  readonly view: PacketView;
}

/** One answer, matched to its probe. */
export interface Reply {
  /** The probe's index (0-based, in sending order): hping3's `seq=`. */
  readonly index: number;
  readonly rttMs: number;
  /** True when this probe had been answered already. */
  readonly duplicate: boolean;
  readonly view: PacketView;
  /** The probe the answer is for. */
  readonly probe: PacketView;
  readonly bytes: Uint8Array;
}

/** Matches captured datagrams to the probes sent, and keeps the counts and round-trip times. */
export class ReplyTracker {
  readonly #waiting = new Map<number, Probe>();
  readonly #byKey = new Map<string, number[]>();
  readonly #answered = new Map<string, Probe>();
  readonly #rtts: number[] = [];
  #sent = 0;
  #received = 0;

  /** Records a probe just sent (its bytes as on the wire, its wall-clock send time). */
  record(index: number, bytes: Uint8Array, wallMs: number): void {
    this.#sent++;
    const view = readPacket(bytes);
    const key = view === undefined ? undefined : probeKey(view);
    if (view === undefined || key === undefined) return;
    const flags = view.transport.protocol === "tcp" ? view.transport.flags : 0;
    this.#waiting.set(index, { index, key, sentMs: wallMs, length: bytes.length, flags, view });
    const list = this.#byKey.get(key);
    if (list === undefined) this.#byKey.set(key, [index]);
    else list.push(index);
    if (this.#waiting.size > MAX_TRACKED) this.#forget(this.#waiting.keys().next().value!);
  }

  #forget(index: number): void {
    const probe = this.#waiting.get(index);
    if (probe === undefined) return;
    this.#waiting.delete(index);
    const list = this.#byKey.get(probe.key);
    const at = list?.indexOf(index) ?? -1;
    if (list !== undefined && at !== -1) list.splice(at, 1);
    if (list !== undefined && list.length === 0) this.#byKey.delete(probe.key);
  }

  /**
   * Matches one captured datagram: a {@linkcode Reply} when it answers a probe (the first one
   * still waiting with that key), `undefined` for anything else, including the probes themselves
   * when the capture sees them go out (on loopback).
   */
  captured(tsMs: number, bytes: Uint8Array): Reply | undefined {
    const view = readPacket(bytes);
    if (view === undefined) return undefined;
    const key = answerKey(view);
    if (key === undefined) return undefined;
    const own = probeKey(view);
    const isOwn = (p: Probe) =>
      own === p.key && bytes.length === p.length &&
      (view.transport.protocol !== "tcp" || view.transport.flags === p.flags);
    const index = this.#byKey.get(key)?.[0];
    const probe = index === undefined ? undefined : this.#waiting.get(index);
    if (probe !== undefined && !isOwn(probe)) {
      this.#forget(probe.index);
      this.#answered.set(key, probe);
      if (this.#answered.size > MAX_TRACKED) this.#answered.delete(this.#answered.keys().next().value!);
      this.#received++;
      const rttMs = Math.max(0, tsMs - probe.sentMs);
      this.#rtts.push(rttMs);
      return { index: probe.index, rttMs, duplicate: false, view, probe: probe.view, bytes };
    }
    const done = this.#answered.get(key);
    if (done === undefined || isOwn(done)) return undefined;
    const rttMs = Math.max(0, tsMs - done.sentMs);
    return { index: done.index, rttMs, duplicate: true, view, probe: done.view, bytes };
  }

  /** True when every probe tracked has its answer. */
  allAnswered(): boolean {
    return this.#waiting.size === 0;
  }

  /** hping3's closing lines, for `host` (what `--dst` named). */
  statistics(host: string): string {
    const sent = this.#sent;
    const received = this.#received;
    const loss = sent === 0 ? 0 : Math.round(((sent - received) / sent) * 100);
    const rtts = this.#rtts;
    const min = rtts.length === 0 ? 0 : Math.min(...rtts);
    const max = rtts.length === 0 ? 0 : Math.max(...rtts);
    const avg = rtts.length === 0 ? 0 : rtts.reduce((a, b) => a + b, 0) / rtts.length;
    return `\n--- ${host} craft statistic ---\n` +
      `${sent} packets transmitted, ${received} packets received, ${loss}% packet loss\n` +
      `round-trip min/avg/max = ${min.toFixed(1)}/${avg.toFixed(1)}/${max.toFixed(1)} ms\n`;
  }

  /** Probes sent. */
  get transmitted(): number {
    return this.#sent;
  }

  /** Probes answered (a duplicate answer is not counted again). */
  get received(): number {
    return this.#received;
  }
}

function ipPart(v: PacketView): string {
  return v.version === 4 ? `ttl=${v.ttl}${v.df ? " DF" : ""} id=${v.id}` : `hlim=${v.ttl}`;
}

function rtt(ms: number): string {
  return `rtt=${ms.toFixed(1)} ms`;
}

/** The line printed for a reply, in hping3's format (`DUP! ` first for a second answer). */
export function formatReply(reply: Reply): string {
  const v = reply.view;
  const t = v.transport;
  const dup = reply.duplicate ? "DUP! " : "";
  const seq = `seq=${reply.index}`;
  switch (t.protocol) {
    case "tcp":
      return `${dup}len=${v.length} ip=${v.src} ${ipPart(v)} sport=${t.sport} flags=${
        replyFlagLetters(t.flags)
      } ${seq} win=${t.window} ${rtt(reply.rttMs)}`;
    case "udp":
      return `${dup}len=${v.length} ip=${v.src} ${ipPart(v)} sport=${t.sport} ${seq} ${rtt(reply.rttMs)}`;
    case "icmp": {
      if (t.quoted === undefined) {
        return `${dup}len=${v.length} ip=${v.src} ${ipPart(v)} icmp_seq=${t.seq} ${seq} ${rtt(reply.rttMs)}`;
      }
      const q = t.quoted.transport;
      const about = q.protocol === "tcp" || q.protocol === "udp"
        ? `sport=${q.sport} dport=${q.dport}`
        : q.protocol === "icmp"
        ? `icmp_seq=${q.seq}`
        : `proto=${q.number}`;
      return `${dup}${icmpErrorName(v.version, t.type, t.code)} from ip=${v.src} ${
        ipPart(v)
      } len=${v.length} ${about} ${seq} ${rtt(reply.rttMs)}`;
    }
    default:
      return `${dup}len=${v.length} ip=${v.src} ${ipPart(v)} proto=${t.number} ${seq} ${rtt(reply.rttMs)}`;
  }
}

/**
 * The capture filter for the answers to probes from `src` (to `dst`, or to anywhere with
 * `--rand-dest`): TCP and UDP from the destination, and any ICMP to the source (an error may come
 * from a router on the way).
 */
export function replyFilter(family: 4 | 6, src: string, dst: string | undefined): string {
  const ip = family === 4 ? "ip" : "ip6";
  const icmp = family === 4 ? "icmp" : "icmp6";
  const segments = dst === undefined ? "tcp or udp" : `(src host ${dst} and (tcp or udp))`;
  return `${ip} and dst host ${src} and (${segments} or ${icmp})`;
}
