import type { Edge, Node } from '@xyflow/react';
import type { Diagnostic } from '../../../../shared/api/diagnostics';
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

/** Where the first unplaced PD goes; PDs stack below it, MRs fill columns to its right. */
const ORIGIN = { x: 80, y: 60 };
/** Width of a column of PDs (the widest PD node plus room for child indentation and edge labels). */
const PD_COL_W = 300;

/**
 * The model as React Flow nodes and edges (maps PD→MR, channels PD↔PD). Pure: the canvas is controlled.
 * `keyProblems`: the checker's diagnostics by graph key (problemsByKey); a channel with an error is drawn red.
 */
export function toFlow(doc: EditorDoc, selection: string[], problemCounts: Map<string, number>, keyProblems: ReadonlyMap<string, readonly Diagnostic[]> = new Map()): { nodes: StudioNode[]; edges: Edge[] } {
  const sel = new Set(selection);
  const nodes: StudioNode[] = [];
  // Child PDs are nodes of their own (channels reach them), placed under their parent and indented by depth.
  const pds: { pd: ProtectionDomain; depth: number; parent?: ProtectionDomain }[] = [];
  const walk = (pd: ProtectionDomain, depth: number, parent?: ProtectionDomain) => {
    pds.push(parent ? { pd, depth, parent } : { pd, depth });
    for (const c of pd.children ?? []) walk(c, depth + 1, pd);
  };
  for (const pd of doc.system.protectionDomains) walk(pd, 0);
  // Unplaced PDs stack down columns by their drawn height (a VMM with its VM is taller), so none overlap; a large
  // system wraps into several columns of at most `pdRows` PDs instead of one very tall one.
  const pdRows = Math.max(10, Math.ceil(Math.sqrt(pds.length * 2)));
  const pdCols = Math.ceil(pds.length / pdRows);
  let nextY = ORIGIN.y;
  pds.forEach(({ pd, depth, parent }, k) => {
    const id = pdKey(pd.name);
    if (k % pdRows === 0) nextY = ORIGIN.y;
    const base = { x: ORIGIN.x + Math.floor(k / pdRows) * PD_COL_W, y: nextY };
    nextY += estimatedPdHeight(pd) + 40;
    const data: PdNodeData = { kind: 'pd', name: pd.name, priority: pd.priority, image: pd.programImage, problems: problemCounts.get(id) ?? 0, irqs: pd.irqs.map(irqLabel) };
    if (pd.virtualMachine) data.vm = { name: pd.virtualMachine.name, vcpus: pd.virtualMachine.vcpus.map((v) => v.id) };
    if (parent) data.parent = pd.id !== undefined ? { name: parent.name, id: pd.id } : { name: parent.name };
    nodes.push({
      id,
      type: 'pd',
      position: doc.layout.nodes[id] ?? { x: base.x + depth * 40, y: base.y },
      selected: sel.has(id),
      // A size before React Flow measures it: off-screen nodes of a large system are not mounted (Canvas), and
      // fit-view and the minimap still need their extent.
      initialWidth: 200,
      initialHeight: estimatedPdHeight(pd),
      data,
    });
  });
  // Unplaced MRs: ordered by where the PDs that map them are (so maps run roughly level), then wrapped into
  // columns of at most `rows`, so a 25-region system stays a block you can read, not a ribbon.
  const pdY = new Map(nodes.map((n) => [n.data.name, n.position.y]));
  const users = new Map<string, number[]>();
  for (const { pd } of pds) {
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) users.set(m.mr, [...(users.get(m.mr) ?? []), pdY.get(pd.name) ?? 0]);
  }
  const mean = (ys: number[] | undefined) => (ys?.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.POSITIVE_INFINITY);
  const order = doc.system.memoryRegions.map((mr, i) => ({ name: mr.name, i, y: mean(users.get(mr.name)) })).sort((a, b) => a.y - b.y || a.i - b.i);
  const rows = Math.max(8, Math.ceil(Math.sqrt(order.length * 2)));
  // Columns as wide as the longest name draws (about 8 px a character at the node title's size), plus a gap.
  const colW = Math.max(260, 70 + 8 * Math.max(0, ...order.map((o) => o.name.length)));
  const mrLeft = ORIGIN.x + (pdCols - 1) * PD_COL_W + 320;
  const mrSpot = new Map(order.map((o, k) => [o.name, { x: mrLeft + Math.floor(k / rows) * colW, y: ORIGIN.y + (k % rows) * 100 }]));
  doc.system.memoryRegions.forEach((mr) => {
    const id = mrKey(mr.name);
    nodes.push({
      id,
      type: 'mr',
      position: doc.layout.nodes[id] ?? mrSpot.get(mr.name)!,
      selected: sel.has(id),
      initialWidth: 200,
      initialHeight: 72,
      data: { kind: 'mr', name: mr.name, size: mr.size, physAddr: mr.physAddr, problems: problemCounts.get(id) ?? 0 },
    });
  });
  const edges: Edge[] = [];
  const placed = new Map(nodes.map((n) => [n.data.name, n.position]));
  const at = (name: string) => placed.get(name) ?? ORIGIN;
  for (const { pd, parent } of pds) {
    pd.maps.forEach((m, i) => {
      edges.push({ id: `map:${pd.name}:${i}`, source: pdKey(pd.name), sourceHandle: 'pd', target: mrKey(m.mr), targetHandle: 'in', label: `${hex(m.vaddr)} ${m.perms ?? 'rw'}`, className: 'edge-map' });
    });
    pd.virtualMachine?.maps.forEach((m, i) => {
      edges.push({ id: `vmmap:${pd.name}:${i}`, source: pdKey(pd.name), sourceHandle: 'vm', target: mrKey(m.mr), targetHandle: 'in', label: `VM ${hex(m.vaddr)} ${m.perms ?? 'rw'}`, className: 'edge-vm-map' });
    });
    // A setvar patches a symbol with a region's physical address: drawn from the PD to the region, dotted.
    pd.setvars?.forEach((sv, i) => {
      if (!doc.system.memoryRegions.some((m) => m.name === sv.regionPaddr)) return;
      edges.push({ id: `setvar:${pd.name}:${i}`, source: pdKey(pd.name), sourceHandle: 'pd', target: mrKey(sv.regionPaddr), targetHandle: 'in', label: `setvar ${sv.symbol}`, className: 'edge-setvar' });
    });
    if (parent) {
      edges.push({ id: `child:${pd.name}`, source: pdKey(parent.name), ...channelSides(at(parent.name), at(pd.name)), target: pdKey(pd.name), label: pd.id !== undefined ? `child id ${pd.id}` : 'child', className: 'edge-child' });
    }
  }
  doc.system.channels.forEach((ch, i) => {
    const [a, b] = ch.ends;
    // pp: the end that may call the other (protected procedure); shown on the edge as an arrow.
    const pp = a.pp && b.pp ? ' (pp ↔)' : a.pp ? ' (pp →)' : b.pp ? ' (← pp)' : '';
    // A rule the channel breaks (the PPC priority rule, an id out of range…), on the edge itself: red, with the
    // checker's message as the label's tooltip.
    const errors = (keyProblems.get(`ch:${i}`) ?? []).filter((d) => d.severity === 'error');
    const bad = errors.length ? errors.map((d) => d.message).join('\n') : undefined;
    edges.push({
      id: `ch:${i}`,
      source: pdKey(a.pd),
      ...channelSides(at(a.pd), at(b.pd)),
      target: pdKey(b.pd),
      label: `ch ${a.id}↔${b.id}${pp}${bad ? ' ✗' : ''}`,
      className: `edge-channel${pp ? ' edge-pp' : ''}${bad ? ' edge-bad' : ''}`,
      ...(bad ? { data: { problem: bad } } : {}),
    });
  });
  // Edges between the same two nodes fan out (each keeps its own label and stays clickable).
  const groups = new Map<string, Edge[]>();
  for (const e of edges) {
    const k = [e.source, e.target].sort().join('|');
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  for (const group of groups.values()) {
    group.forEach((e, i) => {
      e.type = 'spread';
      // Offsets measured in the direction of the first edge, so reversed edges still fan apart.
      const flip = e.source === group[0]!.source ? 1 : -1;
      e.data = { ...e.data, offset: group.length === 1 ? 0 : flip * (i - (group.length - 1) / 2) * 46 };
    });
  }
  for (const e of edges) if (sel.has(e.id)) e.selected = true;
  return { nodes, edges };
}

/**
 * The handles a PD-to-PD edge uses: the sides facing each other, so an edge between two stacked PDs runs straight
 * down instead of looping from one's right side round to the other's left.
 */
export function channelSides(from: { x: number; y: number }, to: { x: number; y: number }): { sourceHandle: string; targetHandle: string } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (Math.abs(dy) > Math.abs(dx) * 0.8) return dy > 0 ? { sourceHandle: 'out-bottom', targetHandle: 'in-top' } : { sourceHandle: 'out-top', targetHandle: 'in-bottom' };
  return dx >= 0 ? { sourceHandle: 'pd', targetHandle: 'in' } : { sourceHandle: 'out-left', targetHandle: 'in-right' };
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

/**
 * The previous object for every item whose content did not change (compared as JSON), the new one otherwise: React
 * Flow compares nodes and edges by identity, so this limits re-rendering to what changed.
 */
export function stabilize<T extends { id: string }>(previous: Map<string, T>, next: T[]): T[] {
  return next.map((item) => {
    const old = previous.get(item.id);
    return old && JSON.stringify(old) === JSON.stringify(item) ? old : item;
  });
}
