/**
 * The attempt table: every (source, door) pair in progress, found by source in O(1), expired in deadline
 * order in O(expired) and evicted oldest first when full. It holds no policy: the engine decides what an
 * attempt does with a packet and turns what the table removes into events.
 *
 * Compact: an attempt is a slot number into typed arrays (no object per attempt), about 70 bytes a slot
 * plus 8–16 bytes of hash table per source. IPv4 sources are 32-bit integers in an open-addressing hash
 * (linear probing, backward-shift deletion, no tombstones); any other source (IPv6, or text that is not a
 * canonical dotted quad) is keyed by its text in a side map. The first two TCP packets an attempt counted
 * are kept in the slot (all a three-step door needs); the rest (attempts past their third step) in a side
 * map. The arrays grow by doubling
 * up to the table's bound.
 *
 * @module
 */
import type { DoorMatcher } from "./_door_matcher.ts";
import { ipv4Text } from "./_ipv4_key.ts";
import { Ipv4Heads, NIL } from "./_ipv4_heads.ts";

export { NIL } from "./_ipv4_heads.ts";

const F_V6 = 1; // the attempt's family is 6
const F_TEXT = 2; // keyed by text (#byText), the text in #text
const F_SEEN = 4; // the first inline (dport, sport, seq) triple is set
const F_SEEN2 = 8; // the second one is set
const F_MORE = 16; // more triples in #moreSeen

const FIRST_SLOTS = 1024;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

function grown<T extends Typed>(a: T, size: number, make: (n: number) => T): T {
  const b = make(size);
  b.set(a);
  return b;
}

/** Attempts by source, plus one expiry FIFO per distinct window (each in creation, hence deadline, order). */
export class AttemptTable {
  readonly #max: number;
  #cap = 0;
  #used = 0;
  #free = NIL;
  #count = 0;
  #serial = 0;
  /** The doors slots refer to (by index); set by the engine. */
  doors: readonly DoorMatcher[] = [];

  // One entry per slot.
  #key4 = new Uint32Array(0);
  #flags = new Uint8Array(0);
  #door = new Int32Array(0);
  #stage = new Uint32Array(0);
  #start = new Float64Array(0);
  #counted = new Float64Array(0);
  #order = new Float64Array(0);
  /** Next attempt of the same source; in a free slot, the next free slot. */
  #next = new Int32Array(0);
  #older = new Int32Array(0);
  #newer = new Int32Array(0);
  #queue = new Int32Array(0);
  #seenPort = new Uint16Array(0);
  #seenSport = new Uint16Array(0);
  #seenSeq = new Uint32Array(0);
  #seenPort2 = new Uint16Array(0);
  #seenSport2 = new Uint16Array(0);
  #seenSeq2 = new Uint32Array(0);
  readonly #moreSeen = new Map<number, number[]>();
  readonly #text = new Map<number, string>();

  // Sources: IPv4 keys → head slot (open addressing), other sources by text.
  readonly #heads = new Ipv4Heads();
  readonly #byText = new Map<string, number>();

  // Expiry queues, one per distinct window, in the order the windows first appeared.
  readonly #queueOf = new Map<number, number>();
  readonly #qHead: number[] = [];
  readonly #qTail: number[] = [];
  readonly #qWindow: number[] = [];
  /** A lower bound of every deadline in the table (a sweep before it has nothing to do). */
  #earliest = Infinity;
  #sweepAt = 0;
  #sweepQueue = 0;

  /** @param max The most attempts the caller keeps (it evicts before adding more): the arrays' bound. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Attempts in the table. */
  get size(): number {
    return this.#count;
  }

  /** Distinct sources with at least one attempt. */
  get sources(): number {
    return this.#heads.size + this.#byText.size;
  }

  /** The first attempt of the source (`key4` from `ipv4Key(src)`), or {@linkcode NIL}; walk on with `next`. */
  first(key4: number, src: string): number {
    return key4 < 0 ? this.#byText.get(src) ?? NIL : this.#heads.get(key4);
  }

  /** The source's next attempt after `slot`, or {@linkcode NIL}. */
  next(slot: number): number {
    return this.#next[slot]!;
  }

  /** The door of the attempt. */
  matcher(slot: number): DoorMatcher {
    return this.doors[this.#door[slot]!]!;
  }

  /** Steps matched so far (1 … length − 1 while in the table). */
  stage(slot: number): number {
    return this.#stage[slot]!;
  }

  /** When the attempt's first knock came. */
  startMs(slot: number): number {
    return this.#start[slot]!;
  }

  /** When the last step was counted (a new packet to it soon after is a client's repeat). */
  countedMs(slot: number): number {
    return this.#counted[slot]!;
  }

  /** When the window closes: the first knock plus the door's window, fixed at the start. */
  deadlineMs(slot: number): number {
    return this.#start[slot]! + this.#qWindow[this.#queue[slot]!]!;
  }

  /** The source in canonical text form. */
  src(slot: number): string {
    return (this.#flags[slot]! & F_TEXT) !== 0 ? this.#text.get(slot)! : ipv4Text(this.#key4[slot]!);
  }

  /** The address family of the attempt. */
  family(slot: number): 4 | 6 {
    return (this.#flags[slot]! & F_V6) !== 0 ? 6 : 4;
  }

  /** Counts the next step at `now`; a TCP step also records its packet (`seen`, for retransmissions). */
  step(slot: number, now: number, tcp: boolean, dport: number, sport: number, seq: number): void {
    this.#stage[slot]!++;
    this.#counted[slot] = now;
    if (tcp) this.#see(slot, dport, sport, seq);
  }

  /** Same destination port, source port and sequence number as a TCP packet the attempt already counted. */
  isRetransmission(slot: number, dport: number, sport: number, seq: number): boolean {
    const flags = this.#flags[slot]!;
    if ((flags & F_SEEN) === 0) return false;
    if (this.#seenPort[slot] === dport && this.#seenSport[slot] === sport && this.#seenSeq[slot] === seq) {
      return true;
    }
    if ((flags & F_SEEN2) === 0) return false;
    if (this.#seenPort2[slot] === dport && this.#seenSport2[slot] === sport && this.#seenSeq2[slot] === seq) {
      return true;
    }
    if ((flags & F_MORE) === 0) return false;
    const more = this.#moreSeen.get(slot)!;
    for (let i = 0; i < more.length; i += 3) {
      if (more[i] === dport && more[i + 1] === sport && more[i + 2] === seq) return true;
    }
    return false;
  }

  /**
   * Adds an attempt of the source (`key4` from `ipv4Key(src)`) at door `m`, started at `now` (its deadline
   * is `now + m.windowMs`), as the newest of the table and the last of its source's list; a TCP knock is
   * recorded as seen. The caller makes room first ({@linkcode oldest}, {@linkcode remove}).
   */
  add(
    key4: number,
    src: string,
    family: 4 | 6,
    m: DoorMatcher,
    now: number,
    tcp: boolean,
    dport: number,
    sport: number,
    seq: number,
  ): number {
    const slot = this.#take();
    const q = this.#queueFor(m.windowMs);
    this.#flags[slot] = (family === 6 ? F_V6 : 0) | (key4 < 0 ? F_TEXT : 0);
    this.#key4[slot] = key4 < 0 ? 0 : key4;
    this.#door[slot] = m.index;
    this.#stage[slot] = 1;
    this.#start[slot] = now;
    this.#counted[slot] = now;
    this.#order[slot] = this.#serial++;
    this.#next[slot] = NIL;
    if (tcp) this.#see(slot, dport, sport, seq);
    // The expiry queue.
    this.#queue[slot] = q;
    const tail = this.#qTail[q]!;
    this.#older[slot] = tail;
    this.#newer[slot] = NIL;
    if (tail === NIL) this.#qHead[q] = slot;
    else this.#newer[tail] = slot;
    this.#qTail[q] = slot;
    const deadline = now + m.windowMs;
    if (deadline < this.#earliest) this.#earliest = deadline;
    this.#count++;
    // The source's list.
    let head: number;
    if (key4 >= 0) {
      head = this.#heads.getOrInsert(key4, slot);
    } else {
      head = this.#byText.get(src) ?? NIL;
      if (head === NIL) this.#byText.set(src, slot);
    }
    if (head !== NIL) {
      let tail = head;
      while (this.#next[tail] !== NIL) tail = this.#next[tail]!;
      this.#next[tail] = slot;
    }
    if (key4 < 0) this.#text.set(slot, src);
    return slot;
  }

  /** Removes the attempt in `slot` (which must be in the table); the slot is reused by a later `add`. */
  remove(slot: number): void {
    // The expiry queue.
    const q = this.#queue[slot]!;
    const older = this.#older[slot]!;
    const newer = this.#newer[slot]!;
    if (older === NIL) this.#qHead[q] = newer;
    else this.#newer[older] = newer;
    if (newer === NIL) this.#qTail[q] = older;
    else this.#older[newer] = older;
    // The source's list.
    const flags = this.#flags[slot]!;
    const text = (flags & F_TEXT) !== 0 ? this.#text.get(slot)! : undefined;
    const key4 = text === undefined ? this.#key4[slot]! : -1;
    const head = this.first(key4, text ?? "");
    const after = this.#next[slot]!;
    if (head === slot) {
      if (text !== undefined) {
        if (after === NIL) this.#byText.delete(text);
        else this.#byText.set(text, after);
      } else if (after === NIL) this.#heads.delete(key4);
      else this.#heads.replace(key4, after);
    } else {
      let prev = head;
      while (prev !== NIL && this.#next[prev] !== slot) prev = this.#next[prev]!;
      if (prev !== NIL) this.#next[prev] = after;
    }
    if (text !== undefined) this.#text.delete(slot);
    if ((flags & F_MORE) !== 0) this.#moreSeen.delete(slot);
    this.#flags[slot] = 0;
    this.#next[slot] = this.#free;
    this.#free = slot;
    this.#count--;
  }

  /**
   * Starts a sweep at `now`: false when no deadline can have passed (O(1)); otherwise call
   * {@linkcode sweepNext} until it returns {@linkcode NIL}, removing each attempt it returns.
   */
  sweepStart(now: number): boolean {
    if (now < this.#earliest) return false;
    this.#sweepAt = now;
    this.#sweepQueue = 0;
    return true;
  }

  /**
   * The next attempt whose deadline is at or before the sweep's time: per window length (in the order the
   * lengths first appeared), oldest deadline first; {@linkcode NIL} at the end. O(expired + windows) a sweep.
   */
  sweepNext(): number {
    const heads = this.#qHead;
    for (let q = this.#sweepQueue; q < heads.length; q++) {
      const slot = heads[q]!;
      if (slot !== NIL && this.#start[slot]! + this.#qWindow[q]! <= this.#sweepAt) {
        this.#sweepQueue = q;
        return slot;
      }
    }
    this.#earliest = this.nextDeadline() ?? Infinity;
    return NIL;
  }

  /** The oldest attempt (by creation), or {@linkcode NIL} when the table is empty. O(distinct windows). */
  oldest(): number {
    let best = NIL;
    for (const slot of this.#qHead) {
      if (slot !== NIL && (best === NIL || this.#order[slot]! < this.#order[best]!)) best = slot;
    }
    return best;
  }

  /** The earliest deadline in the table, or `undefined` when it is empty. O(distinct windows). */
  nextDeadline(): number | undefined {
    let best: number | undefined;
    for (let q = 0; q < this.#qHead.length; q++) {
      const slot = this.#qHead[q]!;
      if (slot === NIL) continue;
      const deadline = this.#start[slot]! + this.#qWindow[q]!;
      if (best === undefined || deadline < best) best = deadline;
    }
    return best;
  }

  /**
   * Moves each attempt to its door's replacement in `mapping` (keyed by the old door index), keeping its
   * progress and deadline; removes the attempts whose door has none, calling `dropped` for each just before
   * (in table order).
   */
  remap(mapping: ReadonlyMap<number, DoorMatcher>, dropped: (slot: number) => void): void {
    for (let q = 0; q < this.#qHead.length; q++) {
      for (let slot = this.#qHead[q]!, newer; slot !== NIL; slot = newer) {
        newer = this.#newer[slot]!;
        const replacement = mapping.get(this.#door[slot]!);
        if (replacement !== undefined) {
          this.#door[slot] = replacement.index;
          continue;
        }
        dropped(slot);
        this.remove(slot);
      }
    }
  }

  #see(slot: number, dport: number, sport: number, seq: number): void {
    const flags = this.#flags[slot]!;
    if ((flags & F_SEEN) === 0) {
      this.#seenPort[slot] = dport;
      this.#seenSport[slot] = sport;
      this.#seenSeq[slot] = seq;
      this.#flags[slot] = flags | F_SEEN;
    } else if ((flags & F_SEEN2) === 0) {
      this.#seenPort2[slot] = dport;
      this.#seenSport2[slot] = sport;
      this.#seenSeq2[slot] = seq;
      this.#flags[slot] = flags | F_SEEN2;
    } else if ((flags & F_MORE) === 0) {
      this.#moreSeen.set(slot, [dport, sport, seq]);
      this.#flags[slot] = flags | F_MORE;
    } else {
      this.#moreSeen.get(slot)!.push(dport, sport, seq);
    }
  }

  #queueFor(windowMs: number): number {
    let q = this.#queueOf.get(windowMs);
    if (q === undefined) {
      q = this.#qHead.length;
      this.#queueOf.set(windowMs, q);
      this.#qHead.push(NIL);
      this.#qTail.push(NIL);
      this.#qWindow.push(windowMs);
    }
    return q;
  }

  /** A free slot, growing the arrays (by doubling, up to the bound) when none is left. */
  #take(): number {
    if (this.#free !== NIL) {
      const slot = this.#free;
      this.#free = this.#next[slot]!;
      return slot;
    }
    if (this.#used === this.#cap) {
      this.#grow(Math.max(this.#used + 1, Math.min(this.#max, this.#cap * 2 || FIRST_SLOTS)));
    }
    return this.#used++;
  }

  #grow(cap: number): void {
    this.#key4 = grown(this.#key4, cap, (n) => new Uint32Array(n));
    this.#flags = grown(this.#flags, cap, (n) => new Uint8Array(n));
    this.#door = grown(this.#door, cap, (n) => new Int32Array(n));
    this.#stage = grown(this.#stage, cap, (n) => new Uint32Array(n));
    this.#start = grown(this.#start, cap, (n) => new Float64Array(n));
    this.#counted = grown(this.#counted, cap, (n) => new Float64Array(n));
    this.#order = grown(this.#order, cap, (n) => new Float64Array(n));
    this.#next = grown(this.#next, cap, (n) => new Int32Array(n));
    this.#older = grown(this.#older, cap, (n) => new Int32Array(n));
    this.#newer = grown(this.#newer, cap, (n) => new Int32Array(n));
    this.#queue = grown(this.#queue, cap, (n) => new Int32Array(n));
    this.#seenPort = grown(this.#seenPort, cap, (n) => new Uint16Array(n));
    this.#seenSport = grown(this.#seenSport, cap, (n) => new Uint16Array(n));
    this.#seenSeq = grown(this.#seenSeq, cap, (n) => new Uint32Array(n));
    this.#seenPort2 = grown(this.#seenPort2, cap, (n) => new Uint16Array(n));
    this.#seenSport2 = grown(this.#seenSport2, cap, (n) => new Uint16Array(n));
    this.#seenSeq2 = grown(this.#seenSeq2, cap, (n) => new Uint32Array(n));
    this.#cap = cap;
    this.#heads.keys = this.#key4;
  }
}
