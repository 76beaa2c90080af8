/**
 * Intrusive doubly linked FIFOs: the engine keeps attempts and cool-down entries in insertion order, one list
 * per distinct window (so each list is also in deadline order), with O(1) append and unlink.
 *
 * @module
 */

/** A node that can sit in one {@linkcode Fifo}; `serial` orders nodes across lists (smaller = older). */
export interface FifoNode<N> {
  readonly serial: number;
  older: N | undefined;
  newer: N | undefined;
}

/** The ends of one list. */
export interface Fifo<N> {
  head: N | undefined;
  tail: N | undefined;
}

/** An empty list. */
export function emptyFifo<N>(): Fifo<N> {
  return { head: undefined, tail: undefined };
}

/** Appends `node` (whose `older`/`newer` are unset) as the newest of `list`. */
export function append<N extends FifoNode<N>>(list: Fifo<N>, node: N): void {
  node.older = list.tail;
  node.newer = undefined;
  if (list.tail === undefined) list.head = node;
  else list.tail.newer = node;
  list.tail = node;
}

/** Removes `node` from `list`. */
export function unlink<N extends FifoNode<N>>(list: Fifo<N>, node: N): void {
  if (node.older === undefined) list.head = node.newer;
  else node.older.newer = node.newer;
  if (node.newer === undefined) list.tail = node.older;
  else node.newer.older = node.older;
  node.older = undefined;
  node.newer = undefined;
}

/** The oldest node (smallest `serial`) among the heads of `lists`, or `undefined` when all are empty. */
export function oldestHead<N extends FifoNode<N>>(lists: Iterable<Fifo<N>>): N | undefined {
  let oldest: N | undefined;
  for (const list of lists) {
    const head = list.head;
    if (head !== undefined && (oldest === undefined || head.serial < oldest.serial)) oldest = head;
  }
  return oldest;
}
