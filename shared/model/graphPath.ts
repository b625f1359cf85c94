import { graphEdges, type GraphEdge } from './graphEdges';
import type { SystemModel } from './system';

/**
 * The shortest path between two nodes of the graph (`pd:A` → `pd:B`) over what carries data between PDs: channels
 * and shared regions (a PD → region → PD step through the maps, VM maps and setvars of both). A channel is one step,
 * a shared region two, so a channel is preferred where both connect. Child links are not a path (a parent controls
 * its child; nothing flows). Breadth first; ties go to the graph's own order. `undefined` when the two are not
 * connected.
 */
export function shortestPath(system: SystemModel, from: string, to: string, edges: readonly GraphEdge[] = graphEdges(system)): { nodes: string[]; edges: string[] } | undefined {
  const adj = new Map<string, { next: string; edge: string }[]>();
  const link = (a: string, b: string, edge: string) => adj.set(a, [...(adj.get(a) ?? []), { next: b, edge }]);
  for (const e of edges) {
    if (e.kind === 'child' || e.source === e.target) continue;
    link(e.source, e.target, e.id);
    link(e.target, e.source, e.id);
  }
  if (!adj.has(from) || !adj.has(to)) return undefined;
  const prev = new Map<string, string | null>([[from, null]]);
  for (let queue = [from]; queue.length && !prev.has(to); ) {
    const next: string[] = [];
    for (const n of queue)
      for (const { next: m } of adj.get(n) ?? []) {
        if (prev.has(m)) continue;
        prev.set(m, n);
        next.push(m);
      }
    queue = next;
  }
  if (!prev.has(to)) return undefined;
  const nodes: string[] = [];
  for (let n: string | null = to; n !== null; n = prev.get(n) ?? null) nodes.unshift(n);
  // Every edge between two consecutive nodes (two maps of one region by one PD both carry it).
  const steps = new Set(nodes.slice(1).map((n, i) => [nodes[i]!, n].sort().join('|')));
  const used = edges.filter((e) => e.kind !== 'child' && steps.has([e.source, e.target].sort().join('|'))).map((e) => e.id);
  return { nodes, edges: used };
}
