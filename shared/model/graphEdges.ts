import { hex } from '../format/hex';
import { mrKey, pdKey, type SystemModel } from './system';
import { pdsInDrawOrder } from './layout';

/** What an edge of the graph stands for. */
export type GraphEdgeKind = 'map' | 'vm-map' | 'setvar' | 'child' | 'channel';

/** An edge of the graph as data: the canvas draws these, the automatic layout routes them. */
export interface GraphEdge {
  id: string;
  kind: GraphEdgeKind;
  source: string;
  target: string;
  /** The handle it leaves from, where that is fixed (a map from the PD or from its VM). */
  sourceHandle?: string;
  label: string;
  /** A channel's protected procedure call, as drawn on its label: ' (pp →)' etc. */
  pp?: string;
}

/** Every edge, in drawing order: each PD's maps, VM maps, setvars and child link, then the channels. */
export function graphEdges(system: SystemModel): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const { pd, parent } of pdsInDrawOrder(system)) {
    pd.maps.forEach((m, i) => edges.push({ id: `map:${pd.name}:${i}`, kind: 'map', source: pdKey(pd.name), sourceHandle: 'pd', target: mrKey(m.mr), label: `${hex(m.vaddr)} ${m.perms ?? 'rw'}` }));
    pd.virtualMachine?.maps.forEach((m, i) => edges.push({ id: `vmmap:${pd.name}:${i}`, kind: 'vm-map', source: pdKey(pd.name), sourceHandle: 'vm', target: mrKey(m.mr), label: `VM ${hex(m.vaddr)} ${m.perms ?? 'rw'}` }));
    // A setvar patches a symbol with a region's physical address: drawn from the PD to the region.
    pd.setvars?.forEach((sv, i) => {
      if (!system.memoryRegions.some((m) => m.name === sv.regionPaddr)) return;
      edges.push({ id: `setvar:${pd.name}:${i}`, kind: 'setvar', source: pdKey(pd.name), sourceHandle: 'pd', target: mrKey(sv.regionPaddr), label: `setvar ${sv.symbol}` });
    });
    if (parent) edges.push({ id: `child:${pd.name}`, kind: 'child', source: pdKey(parent.name), target: pdKey(pd.name), label: pd.id !== undefined ? `child id ${pd.id}` : 'child' });
  }
  system.channels.forEach((ch, i) => {
    const [a, b] = ch.ends;
    // pp: the end that may call the other (protected procedure); shown on the edge as an arrow.
    const pp = a.pp && b.pp ? ' (pp ↔)' : a.pp ? ' (pp →)' : b.pp ? ' (← pp)' : '';
    edges.push({ id: `ch:${i}`, kind: 'channel', source: pdKey(a.pd), target: pdKey(b.pd), label: `ch ${a.id}↔${b.id}${pp}`, pp });
  });
  return edges;
}
