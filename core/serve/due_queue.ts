/**
 * A min-priority queue of items due at a time, for stop commands scheduled on the replay clock.
 *
 * @module
 */

/**
 * Items ordered by due time, ties in insertion order (so log lines keep their order). `push` and `pop` are
 * O(log n), `peek` O(1): with hundreds of thousands of pending stop commands the cost per opening stays small.
 */
export class DueQueue<T> {
  readonly #heap: { readonly due: number; readonly seq: number; readonly item: T }[] = [];
  #seq = 0;

  /** Number of items queued. */
  get size(): number {
    return this.#heap.length;
  }

  /** Due time of the earliest item, `Infinity` when empty. */
  get nextDue(): number {
    return this.#heap[0]?.due ?? Infinity;
  }

  /** Queues `item` due at `due`. */
  push(due: number, item: T): void {
    const heap = this.#heap;
    const entry = { due, seq: this.#seq++, item };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest item if it is due at or before `now`, else `undefined`. */
  popDue(now: number): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.due > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top.item;
  }
}

function before(a: { due: number; seq: number }, b: { due: number; seq: number }): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
