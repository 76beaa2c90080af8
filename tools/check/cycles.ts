/**
 * No import cycles: none between modules anywhere in the repository (entry points `mod.ts`, `ffi/mod.ts`,
 * `cli/main.ts`, `tools/`, `bench/` and the tests alike), and none between the parts of `core/` (a part is a
 * folder `core/<name>` with its subfolders, or a file directly in `core/`), where an upward import such as
 * `config -> lint -> config` tangles two concepts even when no two files import each other.
 *
 * A cycle is named by its members, sorted and joined by ` -> ` (a set, not a path: the same cycle is the same
 * name however it was entered).
 *
 * @module
 */
import { type ImportEdge, importEdges } from "./imports.ts";
import type { SourceFile, Violation } from "./types.ts";

/** The rule's name for cycles between modules. */
export const MODULE_CYCLE = "module-cycle";
/** The rule's name for cycles between the parts of `core/`. */
export const FOLDER_CYCLE = "folder-cycle";

/**
 * The strongly connected components of a directed graph that are cycles: more than one node, or one node
 * with an edge to itself (Tarjan's algorithm, iterative).
 *
 * @param graph Each node and the nodes it has edges to (targets missing as keys are nodes without edges).
 * @returns Each cycle's nodes, sorted; the cycles sorted by their first node.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const targets = (node: string): readonly string[] => graph.get(node) ?? [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = targets(frame.node);
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || edges.includes(frame.node)) cycles.push(component.sort());
    }
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

function graphOf(pairs: Iterable<readonly [string, string]>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [from, to] of pairs) {
    const list = graph.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    graph.set(from, list);
    if (!graph.has(to)) graph.set(to, []);
  }
  return graph;
}

/** The part of `core/` a file belongs to (`core/lint/rules/x.ts` is in `core/lint`), or undefined. */
function corePart(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] !== "core") return undefined;
  return parts.length <= 2 ? path : `core/${parts[1]}`;
}

/** `a -> b (n imports, e.g. file:line)` for each pair of parts, in order. */
function describePairs(edges: readonly { from: string; to: string; edge: ImportEdge }[]): string {
  const pairs = new Map<string, ImportEdge[]>();
  for (const e of edges) {
    const key = `${e.from} -> ${e.to}`;
    pairs.set(key, [...(pairs.get(key) ?? []), e.edge]);
  }
  return [...pairs].map(([key, list]) => {
    const first = list[0]!;
    const count = list.length === 1 ? "1 import" : `${list.length} imports`;
    return `${key} (${count}, e.g. ${first.from}:${first.line})`;
  }).join("; ");
}

/**
 * Finds every import cycle between modules, and between the parts of `core/`.
 *
 * @param files The repository's files.
 * @returns One violation per cycle.
 */
export function checkCycles(files: readonly SourceFile[]): Violation[] {
  const edges = importEdges(files);
  const violations: Violation[] = [];
  for (const cycle of findCycles(graphOf(edges.map((e) => [e.from, e.to] as const)))) {
    const members = new Set(cycle);
    const inside = edges.filter((e) => members.has(e.from) && members.has(e.to));
    violations.push({
      rule: MODULE_CYCLE,
      file: cycle.join(" -> "),
      message: `import cycle through ${inside.map((e) => `${e.from}:${e.line} -> ${e.to}`).join(", ")}`,
    });
  }
  const folderEdges = edges.flatMap((e) => {
    const from = corePart(e.from);
    const to = corePart(e.to);
    return from === undefined || to === undefined || from === to ? [] : [{ from, to, edge: e }];
  });
  for (const cycle of findCycles(graphOf(folderEdges.map((e) => [e.from, e.to] as const)))) {
    const members = new Set(cycle);
    const inside = folderEdges.filter((e) => members.has(e.from) && members.has(e.to));
    violations.push({
      rule: FOLDER_CYCLE,
      file: cycle.join(" -> "),
      message: `parts of core/ import each other: ${describePairs(inside)}`,
    });
  }
  return violations;
}
