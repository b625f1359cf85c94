import type { Edge, Node } from '@xyflow/react';
import type { EditorDoc } from '../../../../shared/model/edits';
import { isArmIrq, mrKey, pdKey, type IrqEntry, type ProtectionDomain } from '../../../../shared/model/system';
import { hex } from '../../../../shared/sdf/export';

export type PdNodeData = {
  kind: 'pd';
  name: string;
  priority?: number;
  image: string;
  problems: number;
  /** The VM this PD runs as its VMM: drawn inside the PD, its maps leave from the VM's own handle. */
  vm?: { name: string; vcpus: number[] };
  /** Interrupts the PD receives, as `irq 33 → id 1`. */
  irqs: string[];
  /** Child PDs: the parent and the id it knows the child by. */
  parent?: { name: string; id?: number };
};
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
  // Child PDs are nodes of their own (channels reach them), placed under their parent and indented by depth.
  const pds: { pd: ProtectionDomain; depth: number; parent?: ProtectionDomain }[] = [];
  const walk = (pd: ProtectionDomain, depth: number, parent?: ProtectionDomain) => {
    pds.push(parent ? { pd, depth, parent } : { pd, depth });
    for (const c of pd.children ?? []) walk(c, depth + 1, pd);
  };
  for (const pd of doc.system.protectionDomains) walk(pd, 0);
  // Unplaced PDs stack down the left column by their drawn height (a VMM with its VM is taller), so none overlap.
  let nextY = fallback(0, 0).y;
  pds.forEach(({ pd, depth, parent }) => {
    const id = pdKey(pd.name);
    const base = { x: fallback(0, 0).x, y: nextY };
    nextY += estimatedPdHeight(pd) + 40;
    const data: PdNodeData = { kind: 'pd', name: pd.name, priority: pd.priority, image: pd.programImage, problems: problemCounts.get(id) ?? 0, irqs: pd.irqs.map(irqLabel) };
    if (pd.virtualMachine) data.vm = { name: pd.virtualMachine.name, vcpus: pd.virtualMachine.vcpus.map((v) => v.id) };
    if (parent) data.parent = pd.id !== undefined ? { name: parent.name, id: pd.id } : { name: parent.name };
    nodes.push({
      id,
      type: 'pd',
      position: doc.layout.nodes[id] ?? { x: base.x + depth * 40, y: base.y },
      selected: sel.has(id),
      data,
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
  for (const { pd, parent } of pds) {
    pd.maps.forEach((m, i) => {
      edges.push({ id: `map:${pd.name}:${i}`, source: pdKey(pd.name), sourceHandle: 'pd', target: mrKey(m.mr), label: `${hex(m.vaddr)} ${m.perms ?? 'rw'}`, className: 'edge-map' });
    });
    pd.virtualMachine?.maps.forEach((m, i) => {
      edges.push({ id: `vmmap:${pd.name}:${i}`, source: pdKey(pd.name), sourceHandle: 'vm', target: mrKey(m.mr), label: `VM ${hex(m.vaddr)} ${m.perms ?? 'rw'}`, className: 'edge-vm-map' });
    });
    if (parent) {
      edges.push({ id: `child:${pd.name}`, source: pdKey(parent.name), sourceHandle: 'pd', target: pdKey(pd.name), label: pd.id !== undefined ? `child id ${pd.id}` : 'child', className: 'edge-child' });
    }
  }
  doc.system.channels.forEach((ch, i) => {
    const [a, b] = ch.ends;
    // pp: the end that may call the other (protected procedure); shown on the edge as an arrow.
    const pp = a.pp ? ' (pp →)' : b.pp ? ' (← pp)' : '';
    edges.push({ id: `ch:${i}`, source: pdKey(a.pd), sourceHandle: 'pd', target: pdKey(b.pd), label: `ch ${a.id}↔${b.id}${pp}`, className: `edge-channel${pp ? ' edge-pp' : ''}` });
  });
  return { nodes, edges };
}

/** Roughly how tall PdNode draws a PD (title, meta, IRQ chips wrapping three to a row, the VM box). */
export function estimatedPdHeight(pd: ProtectionDomain): number {
  return 70 + Math.ceil(pd.irqs.length / 3) * 20 + (pd.virtualMachine ? 80 : 0);
}

function irqLabel(i: IrqEntry): string {
  if (isArmIrq(i)) return `irq ${i.irq} → id ${i.id}`;
  if ('pin' in i) return `ioapic pin ${i.pin} → id ${i.id}`;
  return `msi → id ${i.id}`;
}
