import type { Edge, Node } from '@xyflow/react';
import type { EditorDoc } from '../../../../shared/model/edits';
import { mrKey, pdKey } from '../../../../shared/model/system';
import { hex } from '../../../../shared/sdf/export';

export type PdNodeData = { kind: 'pd'; name: string; priority?: number; image: string; problems: number };
export type MrNodeData = { kind: 'mr'; name: string; size?: number; physAddr?: number; problems: number };
export type StudioNode = Node<PdNodeData, 'pd'> | Node<MrNodeData, 'mr'>;

/** Where a node without a saved position goes: a grid, PDs on the left, MRs on the right. */
function fallback(index: number, column: number) {
  return { x: 80 + column * 320, y: 60 + index * 130 };
}

/** The model as React Flow nodes and edges (maps PD→MR, channels PD↔PD). Pure: the canvas is controlled. */
export function toFlow(doc: EditorDoc, selection: string[], problemCounts: Map<string, number>): { nodes: StudioNode[]; edges: Edge[] } {
  const sel = new Set(selection);
  const nodes: StudioNode[] = [];
  doc.system.protectionDomains.forEach((pd, i) => {
    const id = pdKey(pd.name);
    nodes.push({
      id,
      type: 'pd',
      position: doc.layout.nodes[id] ?? fallback(i, 0),
      selected: sel.has(id),
      data: { kind: 'pd', name: pd.name, priority: pd.priority, image: pd.programImage, problems: problemCounts.get(id) ?? 0 },
    });
  });
  doc.system.memoryRegions.forEach((mr, i) => {
    const id = mrKey(mr.name);
    nodes.push({
      id,
      type: 'mr',
      position: doc.layout.nodes[id] ?? fallback(i, 1),
      selected: sel.has(id),
      data: { kind: 'mr', name: mr.name, size: mr.size, physAddr: mr.physAddr, problems: problemCounts.get(id) ?? 0 },
    });
  });
  const edges: Edge[] = [];
  for (const pd of doc.system.protectionDomains) {
    pd.maps.forEach((m, i) => {
      edges.push({ id: `map:${pd.name}:${i}`, source: pdKey(pd.name), target: mrKey(m.mr), label: `${hex(m.vaddr)} ${m.perms ?? 'rw'}`, className: 'edge-map' });
    });
  }
  doc.system.channels.forEach((ch, i) => {
    edges.push({ id: `ch:${i}`, source: pdKey(ch.ends[0].pd), target: pdKey(ch.ends[1].pd), label: `ch ${ch.ends[0].id}↔${ch.ends[1].id}`, className: 'edge-channel' });
  });
  return { nodes, edges };
}
